// mapShared(path, bytes): a file mapped MAP_SHARED as a SharedArrayBuffer, so that worker
// threads (the buffer posted to them, or the file mapped again) and a later process (a
// restarted uvsd) see the same memory. Node-API has no SharedArrayBuffer, so this one
// function builds it with V8's API.
#include "map-shared.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <v8.h>

#include <cstring>

#include "common.h"

namespace uvs {

namespace {

// A napi_value is the address of a V8 handle slot, as Node's own v8impl conversions assume.
static_assert(sizeof(napi_value) == sizeof(v8::Local<v8::Value>), "napi_value is a V8 handle");

napi_value ToNapi(v8::Local<v8::Value> local) {
  napi_value v;
  std::memcpy(&v, &local, sizeof v);
  return v;
}

// The last reference to the buffer may die on any thread that held it: munmap is safe there.
void Unmap(void* data, size_t length, void*) { munmap(data, length); }

}  // namespace

Napi::Value MapShared(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "mapShared(path, bytes): expected a string and a number");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const double want = info[1].As<Napi::Number>().DoubleValue();
  const std::string context = "cannot map \"" + path + "\"";
  if (!(want >= 1 && want <= static_cast<double>(1ull << 40)) || want != static_cast<size_t>(want))
    throw Napi::RangeError::New(env, context + ": bytes must be an integer in 1..2^40");
  const size_t bytes = static_cast<size_t>(want);

  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw SysError(env, context, "open", errno);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    const int err = errno;
    close(fd);
    throw SysError(env, context, "fstat", err);
  }
  // Grown, never shrunk: a restarted uvsd with a smaller table keeps the data beyond it.
  if (static_cast<size_t>(st.st_size) < bytes && ftruncate(fd, static_cast<off_t>(bytes)) < 0) {
    const int err = errno;
    close(fd);
    throw SysError(env, context, "ftruncate", err);
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const int err = errno;
  close(fd);  // the mapping keeps the file
  if (p == MAP_FAILED) throw SysError(env, context, "mmap", err);

  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store =
      v8::SharedArrayBuffer::NewBackingStore(p, bytes, Unmap, nullptr);
  v8::Local<v8::SharedArrayBuffer> sab = v8::SharedArrayBuffer::New(isolate, std::move(store));
  return Napi::Value(env, ToNapi(sab));
}

}  // namespace uvs
