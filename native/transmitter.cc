#include "transmitter.h"

#include <algorithm>
#include <cerrno>

#include "common.h"

namespace uvs {

namespace {

constexpr unsigned kBatch = 256;
constexpr size_t kMaxSockets = 64;  // the width of Send()'s bitmask
constexpr uint32_t kVnetHdrLen = 10;
constexpr uint32_t kStride = 4;  // queue entry: socket id, buffer id, frame offset, frame length
enum Stat { kSent, kSentBytes, kFailed, kInvalid, kLastErrno, kStatCount };

}  // namespace

Napi::Function Transmitter::Define(Napi::Env env) {
  return DefineClass(env, "Transmitter",
                     {
                         InstanceMethod<&Transmitter::AddSocket>("addSocket"),
                         InstanceMethod<&Transmitter::AddBuffer>("addBuffer"),
                         InstanceMethod<&Transmitter::Send>("send"),
                         InstanceAccessor<&Transmitter::GetStats>("stats"),
                     });
}

Transmitter::Transmitter(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<Transmitter>(info), msgs_(kBatch), iovs_(kBatch), lens_(kBatch) {
  auto buf = Napi::ArrayBuffer::New(info.Env(), kStatCount * sizeof(double));
  stats_ = static_cast<double*>(buf.Data());
  statsArray_ = Napi::Persistent(Napi::Float64Array::New(info.Env(), kStatCount, buf, 0));
}

Napi::Value Transmitter::AddSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* socket = UnwrapAs<PacketSocket>(info[0], Data(env).packetSocket, "PacketSocket");
  if (sockets_.size() >= kMaxSockets)
    throw Napi::RangeError::New(env, "a Transmitter sends on at most 64 sockets");
  sockets_.push_back(Socket{socket, Napi::Persistent(info[0].As<Napi::Object>())});
  return Napi::Number::New(env, static_cast<double>(sockets_.size() - 1));
}

Napi::Value Transmitter::AddBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBuffer()) throw Napi::TypeError::New(env, "addBuffer(buf): expected a Buffer");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  regions_.push_back(Region{buf.Data(), buf.Length(), Napi::Persistent(buf)});
  return Napi::Number::New(env, static_cast<double>(regions_.size() - 1));
}

Napi::Value Transmitter::GetStats(const Napi::CallbackInfo&) { return statsArray_.Value(); }

// send(queue: Uint32Array, count): frames sent. Entries of one socket leave in queue order;
// failures are counted in stats, never thrown: the fast path goes on with the next frame.
Napi::Value Transmitter::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    throw Napi::TypeError::New(env, "send(queue, count): queue must be a Uint32Array");
  auto queue = info[0].As<Napi::Uint32Array>();
  const double want = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
  const uint32_t count = static_cast<uint32_t>(
      std::min(want < 0 ? 0.0 : want, static_cast<double>(queue.ElementLength() / kStride)));
  const double sentBefore = stats_[kSent];
  // Few sockets per thread: one pass over the queue per distinct socket keeps each
  // socket's frames in order without sorting.
  uint64_t done = 0;
  for (uint32_t i = 0; i < count; i++) {
    const uint32_t id = queue[i * kStride];
    if (id >= sockets_.size()) {
      stats_[kInvalid]++;
      continue;
    }
    if ((done >> id) & 1) continue;
    done |= 1ull << id;
    SendTo(id, queue.Data() + i * kStride, count - i);
  }
  return Napi::Number::New(env, stats_[kSent] - sentBefore);
}

void Transmitter::SendTo(uint32_t socketId, const uint32_t* queue, uint32_t count) {
  const int fd = sockets_[socketId].socket->fd();
  unsigned n = 0;
  for (uint32_t i = 0; i < count; i++) {
    const uint32_t* e = queue + i * kStride;
    if (e[0] != socketId) continue;
    const uint32_t region = e[1], off = e[2], len = e[3];
    if (region >= regions_.size() || off < kVnetHdrLen || len == 0 ||
        static_cast<uint64_t>(off) + len > regions_[region].length) {
      stats_[kInvalid]++;
      continue;
    }
    iovs_[n] = iovec{regions_[region].data + off - kVnetHdrLen, len + kVnetHdrLen};
    msgs_[n] = mmsghdr{};
    msgs_[n].msg_hdr.msg_iov = &iovs_[n];
    msgs_[n].msg_hdr.msg_iovlen = 1;
    lens_[n] = len;
    if (++n == kBatch) {
      Flush(fd, n);
      n = 0;
    }
  }
  if (n > 0) Flush(fd, n);
}

// The socket is bound, so no address is needed. A failed frame is skipped and the rest of
// the batch goes on: sendmmsg reports the error of the first frame it could not send.
void Transmitter::Flush(int fd, unsigned n) {
  unsigned k = 0;
  while (k < n) {
    const int r = fd < 0 ? -1 : sendmmsg(fd, &msgs_[k], n - k, 0);
    if (r <= 0) {
      const int err = fd < 0 ? EBADF : r == 0 ? EIO : errno;
      if (err == EINTR) continue;
      stats_[kFailed]++;
      stats_[kLastErrno] = err;
      k++;
      continue;
    }
    for (int j = 0; j < r; j++) stats_[kSentBytes] += lens_[k + j];
    stats_[kSent] += r;
    k += static_cast<unsigned>(r);
  }
}

}  // namespace uvs
