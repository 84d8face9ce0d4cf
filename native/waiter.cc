#include "waiter.h"

#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include "common.h"

namespace uvs {

namespace {

enum WaitResult : uint32_t { kReady = 1, kWoken = 2 };

// Tells the CPU we are spinning (saves power, yields to the sibling hyperthread).
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

Napi::Function Waiter::Define(Napi::Env env) {
  return DefineClass(env, "Waiter",
                     {
                         InstanceMethod<&Waiter::Add>("add"),
                         InstanceMethod<&Waiter::SetWaker>("setWaker"),
                         InstanceMethod<&Waiter::Wait>("wait"),
                         InstanceAccessor<&Waiter::GetCursors>("cursors"),
                     });
}

Waiter::Waiter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Waiter>(info) {
  auto buf = Napi::ArrayBuffer::New(info.Env(), kMaxSockets * sizeof(uint32_t));
  cursors_ = static_cast<uint32_t*>(buf.Data());
  cursorArray_ = Napi::Persistent(Napi::Uint32Array::New(info.Env(), kMaxSockets, buf, 0));
}

Napi::Value Waiter::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* socket = UnwrapAs<PacketSocket>(info[0], Data(env).packetSocket, "PacketSocket");
  if (entries_.size() >= kMaxSockets)
    throw Napi::RangeError::New(env, "a Waiter watches at most 64 sockets");
  entries_.push_back(Entry{socket, Napi::Persistent(info[0].As<Napi::Object>())});
  cursors_[entries_.size() - 1] = 0;
  return Napi::Number::New(env, static_cast<double>(entries_.size() - 1));
}

// The waker's eventfd belongs to the thread that wakes us (it creates and closes it); we only
// poll and drain it.
Napi::Value Waiter::SetWaker(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "setWaker(fd): fd must be a number");
  wakerFd_ = info[0].As<Napi::Number>().Int32Value();
  return env.Undefined();
}

Napi::Value Waiter::GetCursors(const Napi::CallbackInfo&) { return cursorArray_.Value(); }

// The acquire load pairs with the kernel's smp_wmb() before it hands a slot or block over:
// the frame bytes are visible once TP_STATUS_USER is.
bool Waiter::AnyReady() const {
  for (size_t i = 0; i < entries_.size(); i++) {
    const PacketSocket* s = entries_[i].socket;
    const uint8_t* ring = s->ring();
    const uint32_t off = cursors_[i];
    if (ring == nullptr || off % 4 != 0 || off + 4 > s->ringBytes()) continue;
    const auto* status = reinterpret_cast<const uint32_t*>(ring + off);
    if (__atomic_load_n(status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) return true;
  }
  return false;
}

bool Waiter::DrainWaker() const {
  uint64_t n;
  return wakerFd_ >= 0 && read(wakerFd_, &n, sizeof n) == sizeof n;
}

// wait(spinUs, timeoutMs): 1 = a frame is ready, 2 = woken, 3 = both, 0 = timed out.
// timeoutMs < 0 waits without limit. Frames are never lost to a race: poll() on a ring
// socket reports readable while the slot or block before the kernel's head is the user's.
Napi::Value Waiter::Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double spinUs = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
  const double timeoutMs = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  if (AnyReady()) return Napi::Number::New(env, kReady);
  if (spinUs > 0) {
    const int64_t end = NowNs() + static_cast<int64_t>(spinUs * 1000);
    do {
      for (int i = 0; i < 64; i++) {
        if (AnyReady()) return Napi::Number::New(env, kReady);
        CpuRelax();
      }
    } while (NowNs() < end);
  }
  pollfd fds[kMaxSockets + 1];
  nfds_t n = 0;
  for (const Entry& e : entries_)
    if (e.socket->fd() >= 0) fds[n++] = pollfd{e.socket->fd(), POLLIN, 0};
  const nfds_t waker = n;
  if (wakerFd_ >= 0) fds[n++] = pollfd{wakerFd_, POLLIN, 0};
  if (n == 0 && timeoutMs < 0) return Napi::Number::New(env, 0);  // nothing could ever wake us
  const int64_t deadline = timeoutMs < 0 ? -1 : NowNs() + static_cast<int64_t>(timeoutMs * 1e6);
  for (;;) {
    int ms = -1;
    if (deadline >= 0) {
      const int64_t left = deadline - NowNs();
      ms = left <= 0 ? 0 : static_cast<int>((left + 999999) / 1000000);
    }
    const int r = poll(fds, n, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw SysError(env, "cannot wait for frames", "poll", errno);
    uint32_t result = AnyReady() ? uint32_t{kReady} : 0u;
    if (waker < n && (fds[waker].revents & POLLIN) && DrainWaker()) result |= kWoken;
    bool other = false;
    for (nfds_t i = 0; i < waker; i++) {
      // A pending socket error (ENETDOWN when the link goes down) keeps poll() returning
      // at once until read: read it here, the link's state is reported elsewhere.
      if (fds[i].revents & POLLERR) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
      if (fds[i].revents & ~POLLERR) other = true;
    }
    // Readable with nothing at our cursor (a frame behind a slot JavaScript still holds):
    // return rather than spin in poll().
    if (result != 0 || other || r == 0) return Napi::Number::New(env, result);
  }
}

}  // namespace uvs
