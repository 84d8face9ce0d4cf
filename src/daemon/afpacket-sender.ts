// The main thread's own transmit path in the afpacket mode, for the few frames it sends itself
// (ARP refreshes, gratuitous ARPs, VRRP adverts): a packet socket per served interface whose
// filter takes nothing in (the workers receive), and a copy of each frame into a small arena.
import { filterProgram } from '../io/afpacket/bpf-program.js';
import type { FrameSender } from '../io/io-backend.js';
import { PortGroup } from '../io/afpacket/port-group.js';
import type { RingConfig } from '../io/afpacket/ring-config.js';
import { MAX_FRAME } from '../packet/frame-layout.js';
import { VNET_HDR_LEN } from '../packet/virtio-net-hdr.js';
import type { ServedInterface } from './capture-filter.js';

/** Two blocks of one 64 KiB slot: the smallest V2 ring a port can have. */
const SEND_ONLY_RING: RingConfig = {
  version: 2,
  ringBytes: 2 * 69632,
  blockSize: 69632,
  retireMs: 0,
  maxFrame: MAX_FRAME,
};

export class AfPacketSender implements FrameSender {
  private group: PortGroup | undefined;
  private readonly socketOf = new Map<number, number>();
  private readonly arena = Buffer.alloc(VNET_HDR_LEN + MAX_FRAME + 64);
  private arenaId = -1;
  private key = '';
  failed = 0;

  /** (Re)opens a send-only socket on each interface (only when the set changed). */
  open(served: readonly ServedInterface[]): void {
    const key = served.map((i) => `${i.name}/${i.ifIndex}`).join(' ');
    if (this.group && key === this.key) return;
    this.key = key;
    this.close();
    const group = new PortGroup({ txCapacity: 16 });
    const nothing = filterProgram({}).bytes;
    for (const i of served) {
      try {
        const port = group.open({ ifName: i.name, ring: SEND_ONLY_RING, filter: nothing });
        this.socketOf.set(port.ifIndex, port.idsInGroup.txSocket);
      } catch {
        // An interface that vanished: frames for it are counted as failed.
      }
    }
    this.arenaId = group.addArena(this.arena);
    this.group = group;
  }

  send(ifIndex: number, buf: Buffer, off: number, len: number): boolean {
    const socket = this.socketOf.get(ifIndex);
    if (!this.group || socket === undefined || len > MAX_FRAME) {
      this.failed++;
      return false;
    }
    // A plain frame: a zeroed virtio_net_hdr before it.
    this.arena.fill(0, 0, VNET_HDR_LEN);
    buf.copy(this.arena, VNET_HDR_LEN, off, off + len);
    this.group.tx.push(socket, this.arenaId, VNET_HDR_LEN, len);
    return this.group.tx.flush() === 1 || (this.failed++, false);
  }

  close(): void {
    this.group?.close();
    this.group = undefined;
    this.socketOf.clear();
  }
}
