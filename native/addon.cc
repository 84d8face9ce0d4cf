// The AF_PACKET addon's entry point. Everything is defined per environment (instance data),
// so the addon loads in the main thread and in each worker thread independently.
#include <napi.h>

#include "common.h"
#include "map-shared.h"
#include "packet-socket.h"
#include "transmitter.h"
#include "waiter.h"
#include "waker.h"

namespace uvs {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted with the environment
  Napi::Function socket = PacketSocket::Define(env);
  Napi::Function waiter = Waiter::Define(env);
  Napi::Function transmitter = Transmitter::Define(env);
  Napi::Function waker = Waker::Define(env);
  data->packetSocket = Napi::Persistent(socket);
  data->waiter = Napi::Persistent(waiter);
  data->transmitter = Napi::Persistent(transmitter);
  data->waker = Napi::Persistent(waker);
  exports.Set("PacketSocket", socket);
  exports.Set("Waiter", waiter);
  exports.Set("Transmitter", transmitter);
  exports.Set("Waker", waker);
  exports.Set("mapShared", Napi::Function::New<MapShared>(env, "mapShared"));
  return exports;
}

}  // namespace uvs

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return uvs::Init(env, exports); }

NODE_API_MODULE(uvs_afpacket, InitAddon)
