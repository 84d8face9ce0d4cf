// Blocks a thread until one of its packet sockets has a frame ready, its waker fires, or a
// timeout passes; optionally spins first (busy polling) to save the wakeup's latency.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "packet-socket.h"

namespace uvs {

class Waiter : public Napi::ObjectWrap<Waiter> {
 public:
  static constexpr uint32_t kMaxSockets = 64;
  static Napi::Function Define(Napi::Env env);
  explicit Waiter(const Napi::CallbackInfo& info);

 private:
  struct Entry {
    PacketSocket* socket;
    Napi::ObjectReference ref;  // keeps the socket (and so its ring mapping) alive
  };
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value SetWaker(const Napi::CallbackInfo& info);
  Napi::Value Wait(const Napi::CallbackInfo& info);
  Napi::Value GetCursors(const Napi::CallbackInfo& info);
  bool AnyReady() const;
  bool DrainWaker() const;

  std::vector<Entry> entries_;
  // cursors_[i]: byte offset, in socket i's ring, of the status word that JavaScript reads
  // next (a V2 slot's tp_status or a V3 block's block_status). JavaScript owns and writes it.
  uint32_t* cursors_ = nullptr;
  Napi::Reference<Napi::Uint32Array> cursorArray_;
  int wakerFd_ = -1;
};

}  // namespace uvs
