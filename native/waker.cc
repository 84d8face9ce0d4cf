#include "waker.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "common.h"

namespace uvs {

Napi::Function Waker::Define(Napi::Env env) {
  return DefineClass(env, "Waker",
                     {
                         InstanceAccessor<&Waker::GetFd>("fd"),
                         InstanceMethod<&Waker::Wake>("wake"),
                         InstanceMethod<&Waker::Close>("close"),
                     });
}

Waker::Waker(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Waker>(info) {
  fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd_ < 0) throw SysError(info.Env(), "cannot create a waker", "eventfd", errno);
}

Waker::~Waker() {
  if (fd_ >= 0) close(fd_);
}

Napi::Value Waker::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), fd_);
}

// Never blocks: EAGAIN means the counter is saturated, i.e. a wake is already pending.
Napi::Value Waker::Wake(const Napi::CallbackInfo& info) {
  const uint64_t one = 1;
  if (fd_ >= 0) {
    ssize_t r;
    do r = write(fd_, &one, sizeof one);
    while (r < 0 && errno == EINTR);
  }
  return info.Env().Undefined();
}

Napi::Value Waker::Close(const Napi::CallbackInfo& info) {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  return info.Env().Undefined();
}

}  // namespace uvs
