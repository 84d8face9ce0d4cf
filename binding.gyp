# The AF_PACKET addon (native/): packet sockets with mmap'ed receive rings, batched sendmmsg,
# a thread's wait on its sockets, and files mapped as SharedArrayBuffers. Built by `npm ci`
# (the package's install script runs node-gyp against the local Node headers).
{
  'targets': [
    {
      'target_name': 'uvs_afpacket',
      'sources': [
        'native/addon.cc',
        'native/packet-socket.cc',
        'native/waiter.cc',
        'native/transmitter.cc',
        'native/map-shared.cc',
        'native/waker.cc',
      ],
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      'defines': ['NAPI_VERSION=8'],
      'cflags_cc': ['-std=c++17', '-O2', '-Wall', '-Wextra'],
      'conditions': [
        ['OS!="linux"', { 'type': 'none' }],
      ],
    },
  ],
}
