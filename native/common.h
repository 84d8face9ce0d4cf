// Shared by the addon's parts: per-thread addon data and the error format every failure uses.
#pragma once

#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace uvs {

// One per Node environment (the main thread and each worker): classes are defined per
// environment, so nothing here is shared between threads.
struct AddonData {
  Napi::FunctionReference packetSocket;
  Napi::FunctionReference waiter;
  Napi::FunctionReference transmitter;
  Napi::FunctionReference waker;
};

inline AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

// `context` names the operation and its object ("cannot open a packet socket on \"eth1\""),
// `call` the syscall and its option ("setsockopt(PACKET_RX_RING)"); errno gives the rest.
inline Napi::Error SysError(Napi::Env env, const std::string& context, const std::string& call,
                            int err) {
  return Napi::Error::New(env, context + ": " + call + ": " + std::strerror(err));
}

inline uint32_t U32Option(const Napi::Object& opts, const char* name, uint32_t fallback) {
  Napi::Value v = opts.Get(name);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(opts.Env(), std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d)))
    throw Napi::RangeError::New(opts.Env(), std::string(name) + " must be an integer in 0..2^32-1");
  return static_cast<uint32_t>(d);
}

// A wrapped object of class `ctor`, or a TypeError naming what was expected: Unwrap alone
// would reinterpret an object of another class.
template <typename T>
T* UnwrapAs(const Napi::Value& v, Napi::FunctionReference& ctor, const char* what) {
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(ctor.Value()))
    throw Napi::TypeError::New(v.Env(), std::string("expected a ") + what);
  return T::Unwrap(v.As<Napi::Object>());
}

}  // namespace uvs
