// IoBackend over libpcap (the `cap` package): one capture per interface, one receive buffer
// per interface. The capture filter is "not ether src <the interface's MAC>": every frame uvs
// (or the director's kernel) sends on an interface carries that source MAC, so nothing sent
// is captured back. libpcap's "inbound" would say the same more directly, but with
// TPACKET_V3 the first ring block is filtered in userland, where "inbound" cannot be
// evaluated, and the first frame after opening was lost (an ARP reply, typically).
import capPkg from 'cap';
import { formatMac } from '../packet/addr.js';
import { VNET_HDR_LEN } from '../packet/virtio-net-hdr.js';
import { FIRST_FRAME_OFFSET } from '../packet/frame-layout.js';
import { newIoCounters, type FrameHandler, type IoBackend, type IoCounters } from './io-backend.js';

const { Cap } = capPkg;

/** libpcap's kernel buffer per interface. */
const KERNEL_BUFFER = 16 * 1024 * 1024;
/** Largest frame captured: a 64 KiB GSO super-frame would not fit and is counted truncated. */
const SNAP = 65536;

export class IoError extends Error {
  readonly code = 'E_IO';
}

interface Port {
  readonly name: string;
  readonly cap: InstanceType<typeof Cap>;
  /** libpcap writes each frame at FIRST_FRAME_OFFSET of it (frame-layout.ts). */
  readonly buf: Buffer;
}

export class PcapBackend implements IoBackend {
  readonly name = 'pcap';
  readonly counters: IoCounters = newIoCounters();
  private readonly ports = new Map<number, Port>();
  private readonly txBuf = Buffer.alloc(SNAP);

  /**
   * `lookup` gives an interface's kernel index and MAC by name; `filters` replaces the
   * capture filter of some interfaces (the mark tap captures what it transmits).
   */
  constructor(
    private readonly lookup: (name: string) => { ifIndex: number; mac: Buffer } | undefined,
    private readonly filters: ReadonlyMap<string, string> = new Map(),
  ) {}

  open(ifNames: readonly string[], handler: FrameHandler): void {
    for (const name of ifNames) {
      const iface = this.lookup(name);
      if (iface === undefined)
        throw new IoError(`interface "${name}" does not exist in this network namespace`);
      const { ifIndex } = iface;
      const cap = new Cap();
      const buf = Buffer.alloc(FIRST_FRAME_OFFSET + SNAP);
      try {
        const filter = this.filters.get(name) ?? `not ether src ${formatMac(iface.mac)}`;
        const link = cap.open(name, filter, KERNEL_BUFFER, buf.subarray(FIRST_FRAME_OFFSET));
        if (link !== 'ETHERNET')
          throw new IoError(`interface "${name}" is not Ethernet (link type ${link})`);
      } catch (err) {
        this.close();
        if (err instanceof IoError) throw err;
        throw new IoError(`cannot capture on "${name}": ${(err as Error).message}`);
      }
      const counters = this.counters;
      cap.on('packet', (nbytes, truncated) => {
        counters.rxFrames++;
        counters.rxBytes += nbytes;
        if (truncated) {
          counters.rxTruncated++;
          return;
        }
        // libpcap has no virtio_net_hdr: a plain frame (the headroom may hold a tunnel's last one).
        buf.fill(0, FIRST_FRAME_OFFSET - VNET_HDR_LEN, FIRST_FRAME_OFFSET);
        handler(buf, FIRST_FRAME_OFFSET, nbytes, ifIndex);
      });
      this.ports.set(ifIndex, { name, cap, buf });
    }
  }

  send(ifIndex: number, buf: Buffer, off: number, len: number): boolean {
    const port = this.ports.get(ifIndex);
    if (!port) {
      this.counters.txErrors++;
      return false;
    }
    try {
      // libpcap sends from the start of a Buffer.
      buf.copy(this.txBuf, 0, off, off + len);
      port.cap.send(this.txBuf, len);
      this.counters.txFrames++;
      this.counters.txBytes += len;
      return true;
    } catch {
      // A frame over the MTU, a link that went down: counted, never thrown on the fast path.
      this.counters.txErrors++;
      return false;
    }
  }

  close(): void {
    for (const p of this.ports.values()) p.cap.close();
    this.ports.clear();
  }
}
