// An eventfd that one thread (the main thread) writes to interrupt another thread's
// Waiter.wait(): the owner creates it, posts `fd` to the worker, and closes it only after the
// worker has stopped, so the number a worker polls always names this eventfd.
#pragma once

#include <napi.h>

namespace uvs {

class Waker : public Napi::ObjectWrap<Waker> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Waker(const Napi::CallbackInfo& info);
  ~Waker() override;

 private:
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value Wake(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  int fd_ = -1;
};

}  // namespace uvs
