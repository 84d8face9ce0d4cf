// A packet socket bound to one interface, with PACKET_VNET_HDR and an mmap'ed receive ring.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace uvs {

class PacketSocket : public Napi::ObjectWrap<PacketSocket> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit PacketSocket(const Napi::CallbackInfo& info);
  ~PacketSocket() override;

  // -1 once closed. The ring stays mapped until its Buffer is collected (JS may still hold
  // it), so ring() is null after close only to tell users not to wait on it.
  int fd() const { return fd_; }
  const uint8_t* ring() const { return fd_ < 0 ? nullptr : ring_; }
  size_t ringBytes() const { return ringBytes_; }
  const std::string& ifName() const { return ifName_; }

 private:
  void Open(Napi::Env env, const Napi::Object& opts);
  Napi::Value GetRing(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetIfIndex(const Napi::CallbackInfo& info);
  Napi::Value SetFilter(const Napi::CallbackInfo& info);
  Napi::Value AddMembership(const Napi::CallbackInfo& info);
  Napi::Value Statistics(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  void CloseFd();

  int fd_ = -1;
  int ifIndex_ = 0;
  int version_ = 0;
  uint8_t* ring_ = nullptr;
  size_t ringBytes_ = 0;
  std::string ifName_;
  Napi::Reference<Napi::Buffer<uint8_t>> ringBuffer_;
};

}  // namespace uvs
