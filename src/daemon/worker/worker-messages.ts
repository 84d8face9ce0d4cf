// What the main thread and a forwarding worker say to each other (postMessage; structured-cloned).
// The worker never returns to its event loop: it reads its messages with receiveMessageOnPort
// after the main thread wakes it (Waker), so every message is followed by a wake.
import type { SharedHandles } from '../../engine/engine-shared.js';
import type { EngineSnapshot } from '../../engine/snapshot.js';
import type { RingConfig } from '../../io/afpacket/ring-config.js';

/** One interface a worker serves: its packet socket's filter, and its fanout group. */
export interface PortSpec {
  readonly name: string;
  readonly ifIndex: number;
  /** Classic BPF program (sock_filter entries). */
  readonly filter: Uint8Array;
  /** PACKET_FANOUT group id when several workers share the interface; 0: none. */
  readonly fanoutGroup: number;
  /**
   * Ethernet multicast groups to receive (the solicited-node groups of the IPv6 VIPs, whose
   * solicitations uvsd answers when no kernel interface holds them), six bytes each.
   */
  readonly multicast?: readonly (readonly number[])[];
}

export interface WorkerInit {
  readonly thread: number;
  readonly handles: SharedHandles;
  readonly ring: RingConfig;
  /** Busy-poll this long after the last frame before sleeping in poll(2). */
  readonly spinUs: number;
  /** Send with PACKET_QDISC_BYPASS (faster; tcpdump on the director then misses what uvs sends). */
  readonly qdiscBypass: boolean;
  /** The main thread's Waker for this worker. */
  readonly wakerFd: number;
  readonly ports: readonly PortSpec[];
  readonly snapshot: EngineSnapshot;
  /** The trace ring to write into from the start (uvsadm --trace is running), if any. */
  readonly trace?: SharedArrayBuffer;
  /** Testing only: throw once this file exists (a worker fault the pool must survive). */
  readonly faultFile?: string;
}

export type ToWorker =
  | { readonly type: 'snapshot'; readonly snapshot: EngineSnapshot }
  | { readonly type: 'ports'; readonly ports: readonly PortSpec[] }
  /** Trace into this ring (a TraceRing's buffer), or stop tracing (null). */
  | { readonly type: 'trace'; readonly ring: SharedArrayBuffer | null }
  | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready'; readonly thread: number }
  /** A frame for the main thread (VRRP advert), copied out of the ring. */
  | { readonly type: 'frame'; readonly ifIndex: number; readonly frame: Uint8Array }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'counters'; readonly counters: Readonly<Record<string, number>> };
