// Sends a queue of frames in batches (one sendmmsg per outgoing socket and 256 frames), each
// frame taken in place from a registered Buffer (a receive ring or an arena), with the 10-byte
// virtio_net_hdr the frame layout puts just before it.
#pragma once

#include <napi.h>
#include <sys/socket.h>

#include <cstdint>
#include <vector>

#include "packet-socket.h"

namespace uvs {

class Transmitter : public Napi::ObjectWrap<Transmitter> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Transmitter(const Napi::CallbackInfo& info);

 private:
  struct Socket {
    PacketSocket* socket;
    Napi::ObjectReference ref;
  };
  struct Region {
    uint8_t* data;
    size_t length;
    Napi::Reference<Napi::Buffer<uint8_t>> ref;  // keeps the memory alive and in place
  };
  Napi::Value AddSocket(const Napi::CallbackInfo& info);
  Napi::Value AddBuffer(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value GetStats(const Napi::CallbackInfo& info);
  void SendTo(uint32_t socketId, const uint32_t* queue, uint32_t count);
  void Flush(int fd, unsigned n);

  std::vector<Socket> sockets_;
  std::vector<Region> regions_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::vector<uint32_t> lens_;
  // stats_: frames sent, their bytes (without the vnet header), frames whose send failed,
  // queue entries that named no socket or buffer or lay outside it, errno of the last failure.
  double* stats_ = nullptr;
  Napi::Reference<Napi::Float64Array> statsArray_;
};

}  // namespace uvs
