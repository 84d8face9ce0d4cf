// Where the engine's output goes: the io backend's transmit queue (flushed once per batch), or a
// recorder in tests. A frame is given by its start and length; its virtio_net_hdr is the 10
// bytes before the start (packet/frame-layout.ts). The frame's bytes must stay as they are until
// the batch is flushed: in-place rewrites live in the receive ring, built frames in the arena.

export interface FrameSink {
  send(buf: Buffer, off: number, len: number, ifIndex: number): void;
}
