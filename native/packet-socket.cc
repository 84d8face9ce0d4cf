// Opening order matters: the socket is created with protocol 0 so that it receives nothing
// until bind(), after the filter, the vnet header and the ring are in place (the kernel
// refuses PACKET_VNET_HDR and PACKET_RESERVE once a ring exists, and frames received before
// the filter would bypass it). Fanout can only be joined once bound.
#include "packet-socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

namespace uvs {

namespace {

constexpr uint32_t kMaxFilterInsns = 4096;  // BPF_MAXINSNS

struct Opener {
  Napi::Env env;
  std::string context;
  int fd;
  void Set(int level, int opt, const char* name, const void* val, socklen_t len) const {
    if (setsockopt(fd, level, opt, val, len) < 0)
      throw SysError(env, context, std::string("setsockopt(") + name + ")", errno);
  }
  void SetInt(int level, int opt, const char* name, int v) const {
    Set(level, opt, name, &v, sizeof v);
  }
};

sock_fprog FilterProgram(Napi::Env env, const Napi::Value& v) {
  if (!v.IsBuffer()) throw Napi::TypeError::New(env, "filter must be a Buffer of sock_filter");
  auto buf = v.As<Napi::Buffer<uint8_t>>();
  size_t n = buf.Length() / sizeof(sock_filter);
  if (n == 0 || n * sizeof(sock_filter) != buf.Length() || n > kMaxFilterInsns)
    throw Napi::RangeError::New(
        env, "filter must hold 1 to 4096 sock_filter entries of 8 bytes (got " +
                 std::to_string(buf.Length()) + " bytes)");
  // The kernel copies the program during setsockopt, so pointing into the Buffer is enough.
  return sock_fprog{static_cast<unsigned short>(n), reinterpret_cast<sock_filter*>(buf.Data())};
}

}  // namespace

Napi::Function PacketSocket::Define(Napi::Env env) {
  return DefineClass(env, "PacketSocket",
                     {
                         InstanceAccessor<&PacketSocket::GetRing>("ring"),
                         InstanceAccessor<&PacketSocket::GetFd>("fd"),
                         InstanceAccessor<&PacketSocket::GetIfIndex>("ifIndex"),
                         InstanceMethod<&PacketSocket::SetFilter>("setFilter"),
                         InstanceMethod<&PacketSocket::AddMembership>("addMembership"),
                         InstanceMethod<&PacketSocket::Statistics>("statistics"),
                         InstanceMethod<&PacketSocket::Close>("close"),
                     });
}

PacketSocket::PacketSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PacketSocket>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "PacketSocket(options): options missing");
  Napi::Object opts = info[0].As<Napi::Object>();
  Napi::Value name = opts.Get("ifName");
  if (!name.IsString()) throw Napi::TypeError::New(env, "ifName must be a string");
  ifName_ = name.As<Napi::String>().Utf8Value();
  try {
    Open(env, opts);
  } catch (...) {
    CloseFd();
    if (ring_ != nullptr && ringBuffer_.IsEmpty()) munmap(ring_, ringBytes_);
    ring_ = nullptr;
    throw;
  }
}

void PacketSocket::Open(Napi::Env env, const Napi::Object& opts) {
  const std::string context = "cannot open a packet socket on \"" + ifName_ + "\"";
  version_ = static_cast<int>(U32Option(opts, "version", 2));
  if (version_ != 2 && version_ != 3) throw Napi::RangeError::New(env, "version must be 2 or 3");
  const uint32_t blockSize = U32Option(opts, "blockSize", 1 << 20);
  const uint32_t blockCount = U32Option(opts, "blockCount", 16);
  const uint32_t frameSize = U32Option(opts, "frameSize", blockSize);
  const uint32_t reserve = U32Option(opts, "reserve", 64);
  const long page = sysconf(_SC_PAGESIZE);
  if (blockSize == 0 || blockSize % page != 0 || blockCount == 0 || frameSize == 0 ||
      frameSize % TPACKET_ALIGNMENT != 0 || frameSize > blockSize)
    throw Napi::RangeError::New(env, context + ": blockSize must be a multiple of the page size, " +
                                         "frameSize a multiple of 16 no larger than blockSize");
  if (static_cast<uint64_t>(blockSize) * blockCount > (1ull << 31))
    throw Napi::RangeError::New(env, context + ": ring larger than 2 GiB");

  ifIndex_ = static_cast<int>(if_nametoindex(ifName_.c_str()));
  if (ifIndex_ == 0) throw SysError(env, context, "if_nametoindex", errno);
  fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw SysError(env, context, "socket(AF_PACKET)", errno);
  const Opener o{env, context, fd_};

  o.SetInt(SOL_PACKET, PACKET_VERSION, "PACKET_VERSION", version_ == 2 ? TPACKET_V2 : TPACKET_V3);
  o.SetInt(SOL_PACKET, PACKET_RESERVE, "PACKET_RESERVE", static_cast<int>(reserve));
  o.SetInt(SOL_PACKET, PACKET_VNET_HDR, "PACKET_VNET_HDR", 1);
  // Frames this socket (or any socket) sends on the interface must not come back to it.
  o.SetInt(SOL_PACKET, PACKET_IGNORE_OUTGOING, "PACKET_IGNORE_OUTGOING", 1);
  if (opts.Get("qdiscBypass").ToBoolean() || opts.Get("qdiscBypass").IsUndefined())
    o.SetInt(SOL_PACKET, PACKET_QDISC_BYPASS, "PACKET_QDISC_BYPASS", 1);
  const uint32_t sndbuf = U32Option(opts, "sendBuffer", 0);
  if (sndbuf != 0)
    o.SetInt(SOL_SOCKET, SO_SNDBUFFORCE, "SO_SNDBUFFORCE", static_cast<int>(sndbuf));
  Napi::Value filter = opts.Get("filter");
  if (!filter.IsUndefined()) {
    sock_fprog prog = FilterProgram(env, filter);
    o.Set(SOL_SOCKET, SO_ATTACH_FILTER, "SO_ATTACH_FILTER", &prog, sizeof prog);
  }

  if (version_ == 2) {
    const uint32_t perBlock = blockSize / frameSize;
    tpacket_req req{blockSize, blockCount, frameSize, perBlock * blockCount};
    o.Set(SOL_PACKET, PACKET_RX_RING, "PACKET_RX_RING", &req, sizeof req);
  } else {
    // V3 packs frames of any size into blocks; its frame fields only need to be consistent.
    tpacket_req3 req{};
    req.tp_block_size = blockSize;
    req.tp_block_nr = blockCount;
    req.tp_frame_size = blockSize;
    req.tp_frame_nr = blockCount;
    req.tp_retire_blk_tov = U32Option(opts, "retireMs", 1);
    o.Set(SOL_PACKET, PACKET_RX_RING, "PACKET_RX_RING", &req, sizeof req);
  }
  ringBytes_ = static_cast<size_t>(blockSize) * blockCount;
  void* map = mmap(nullptr, ringBytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (map == MAP_FAILED) throw SysError(env, context, "mmap(ring)", errno);
  ring_ = static_cast<uint8_t*>(map);

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = ifIndex_;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    throw SysError(env, context, "bind", errno);

  Napi::Value group = opts.Get("fanoutGroup");
  if (!group.IsUndefined()) {
    const uint32_t id = U32Option(opts, "fanoutGroup", 0);
    const uint32_t mode = U32Option(opts, "fanoutMode", PACKET_FANOUT_HASH);
    if (id > 0xffff || mode > 0xffff)
      throw Napi::RangeError::New(env, context + ": fanoutGroup and fanoutMode are 16-bit");
    o.SetInt(SOL_PACKET, PACKET_FANOUT, "PACKET_FANOUT", static_cast<int>(id | (mode << 16)));
  }

  // The mapping belongs to the Buffer: it is unmapped when JavaScript can no longer read it,
  // not at close(), so a view kept past close() never touches unmapped memory.
  auto buffer = Napi::Buffer<uint8_t>::New(
      env, ring_, ringBytes_, [](Napi::Env, uint8_t* p, size_t* bytes) {
        munmap(p, *bytes);
        delete bytes;
      },
      new size_t(ringBytes_));
  ringBuffer_ = Napi::Persistent(buffer);
}

PacketSocket::~PacketSocket() { CloseFd(); }

void PacketSocket::CloseFd() {
  // The ring's mapping holds the socket open past close(2): still bound, still in its fanout
  // group, taking its share of the frames into a ring nobody reads. Replace the mapping with
  // anonymous memory (MAP_FIXED, in one step): the socket goes with the fd, and a view of the
  // ring kept in JavaScript reads zeros instead of faulting (the Buffer's finalizer unmaps it).
  if (fd_ >= 0 && ring_ != nullptr && !ringBuffer_.IsEmpty()) {
    mmap(ring_, ringBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  }
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Napi::Value PacketSocket::GetRing(const Napi::CallbackInfo&) { return ringBuffer_.Value(); }
Napi::Value PacketSocket::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), fd_);
}
Napi::Value PacketSocket::GetIfIndex(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ifIndex_);
}

Napi::Value PacketSocket::SetFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string context = "cannot set the filter on \"" + ifName_ + "\"";
  if (fd_ < 0) throw SysError(env, context, "setsockopt(SO_ATTACH_FILTER)", EBADF);
  sock_fprog prog = FilterProgram(env, info[0]);
  // Attaching replaces the previous program atomically: no frame passes unfiltered.
  if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0)
    throw SysError(env, context, "setsockopt(SO_ATTACH_FILTER)", errno);
  return env.Undefined();
}

Napi::Value PacketSocket::AddMembership(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string context = "cannot join a multicast group on \"" + ifName_ + "\"";
  if (!info[0].IsBuffer() || info[0].As<Napi::Buffer<uint8_t>>().Length() != 6)
    throw Napi::TypeError::New(env, "addMembership(mac): mac must be a 6-byte Buffer");
  if (fd_ < 0) throw SysError(env, context, "setsockopt(PACKET_ADD_MEMBERSHIP)", EBADF);
  packet_mreq mreq{};
  mreq.mr_ifindex = ifIndex_;
  mreq.mr_type = PACKET_MR_MULTICAST;
  mreq.mr_alen = 6;
  std::memcpy(mreq.mr_address, info[0].As<Napi::Buffer<uint8_t>>().Data(), 6);
  if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0)
    throw SysError(env, context, "setsockopt(PACKET_ADD_MEMBERSHIP)", errno);
  return env.Undefined();
}

// The kernel resets its counters on each read: these are counts since the previous call.
Napi::Value PacketSocket::Statistics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string context = "cannot read the statistics of \"" + ifName_ + "\"";
  if (fd_ < 0) throw SysError(env, context, "getsockopt(PACKET_STATISTICS)", EBADF);
  tpacket_stats_v3 st{};
  socklen_t len = version_ == 3 ? sizeof(tpacket_stats_v3) : sizeof(tpacket_stats);
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
    throw SysError(env, context, "getsockopt(PACKET_STATISTICS)", errno);
  Napi::Object out = Napi::Object::New(env);
  out.Set("received", Napi::Number::New(env, st.tp_packets));
  out.Set("dropped", Napi::Number::New(env, st.tp_drops));
  out.Set("queueFrozen", Napi::Number::New(env, version_ == 3 ? st.tp_freeze_q_cnt : 0));
  return out;
}

Napi::Value PacketSocket::Close(const Napi::CallbackInfo& info) {
  CloseFd();
  return info.Env().Undefined();
}

}  // namespace uvs
