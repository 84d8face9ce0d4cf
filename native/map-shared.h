#pragma once

#include <napi.h>

namespace uvs {

Napi::Value MapShared(const Napi::CallbackInfo& info);

}  // namespace uvs
