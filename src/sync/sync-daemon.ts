// The sync daemons on UDP multicast, as ip_vs_sync.c runs them: the master sends what its
// SyncSource drains, packed in messages no larger than maxlen, from the interface's address
// to group:port with the configured TTL and no loopback; the backup joins the group on the
// interface, decodes what arrives (its syncid filters, 0 takes all) and hands each
// connection to its SyncSink. Nothing here throws at a bad datagram: it is counted.
import { createSocket, type Socket } from 'node:dgram';
import type { Clock, TimerId } from '../clock/clock.js';
import type { SyncDaemonView } from './sync-config.js';
import {
  decodeMessage,
  encodeMessages,
  type SyncEntrySkip,
  type SyncMessageError,
} from './sync-message.js';
import type { SyncSink, SyncSource } from './sync-ports.js';

export interface SyncStats {
  messagesSent: number;
  connsSent: number;
  sendErrors: number;
  messagesReceived: number;
  connsReceived: number;
  /** Whole messages dropped, by reason (too long for maxlen counts as "size"). */
  dropped: Record<SyncMessageError, number>;
  /** Entries skipped inside otherwise good messages. */
  skipped: Record<SyncEntrySkip, number>;
}

export function newSyncStats(): SyncStats {
  return {
    messagesSent: 0,
    connsSent: 0,
    sendErrors: 0,
    messagesReceived: 0,
    connsReceived: 0,
    dropped: {
      short: 0,
      size: 0,
      syncid: 0,
      version0: 0,
      truncated: 0,
      'entry-version': 0,
      'entry-type': 0,
      options: 0,
    },
    skipped: { protocol: 0, state: 0, param: 0 },
  };
}

/** How often the master sends what accumulated (IPVS: full buffers at once, others ≤ 2 s). */
export const SYNC_FLUSH_MS = 100;
/** Connections drained per flush at most. */
const DRAIN_MAX = 4096;

export type Log = (msg: string) => void;

function bindSocket(sock: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    sock.once('error', onError);
    sock.bind({ port, address, exclusive: false }, () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

export class SyncMaster {
  private sock: Socket | undefined;
  private timer: TimerId | undefined;

  constructor(
    readonly view: SyncDaemonView,
    /** The IPv4 address of view.mcastIfn: the source of the messages. */
    private readonly ifAddr: string,
    private readonly source: SyncSource,
    private readonly clock: Clock,
    private readonly stats: SyncStats,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    const sock = createSocket({ type: 'udp4', reuseAddr: true });
    await bindSocket(sock, 0, this.ifAddr);
    sock.setMulticastInterface(this.ifAddr);
    sock.setMulticastTTL(this.view.ttl);
    sock.setMulticastLoopback(false);
    sock.on('error', (err) => this.log(`sync master: ${err.message}`));
    this.sock = sock;
    this.log(
      `sync thread started: state = MASTER, mcast_ifn = ${this.view.mcastIfn}, syncid = ${this.view.syncId}`,
    );
    this.schedule();
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(SYNC_FLUSH_MS, () => {
      this.flush();
      if (this.sock) this.schedule();
    });
  }

  /** Sends what the source has now (also called by tests). */
  flush(): void {
    const sock = this.sock;
    if (!sock) return;
    const conns = this.source.drain(DRAIN_MAX);
    if (conns.length === 0) return;
    for (const msg of encodeMessages(conns, this.view.syncId, this.view.maxlen)) {
      const n = msg[4]!;
      sock.send(msg, this.view.port, this.view.group, (err) => {
        if (err) this.stats.sendErrors++;
        else {
          this.stats.messagesSent++;
          this.stats.connsSent += n;
        }
      });
    }
  }

  stop(): void {
    this.clock.cancel(this.timer);
    this.sock?.close();
    this.sock = undefined;
  }
}

export class SyncBackup {
  private sock: Socket | undefined;

  constructor(
    readonly view: SyncDaemonView,
    /** The IPv4 address of view.mcastIfn: where the group is joined. */
    private readonly ifAddr: string,
    private readonly sink: SyncSink,
    private readonly clock: Clock,
    private readonly stats: SyncStats,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    const sock = createSocket({ type: 'udp4', reuseAddr: true });
    // Bound to the group itself: only datagrams sent to it arrive here.
    await bindSocket(sock, this.view.port, this.view.group);
    sock.addMembership(this.view.group, this.ifAddr);
    sock.on('error', (err) => this.log(`sync backup: ${err.message}`));
    sock.on('message', (msg) => this.receive(msg));
    this.sock = sock;
    this.log(
      `sync thread started: state = BACKUP, mcast_ifn = ${this.view.mcastIfn}, syncid = ${this.view.syncId}`,
    );
  }

  /** One datagram (also called by tests). */
  receive(msg: Buffer): void {
    this.stats.messagesReceived++;
    // The kernel reads into a maxlen buffer: a longer datagram is cut and fails the size check.
    const len = Math.min(msg.length, this.view.maxlen);
    const d = decodeMessage(msg, len, this.view.syncId);
    if (d.error) this.stats.dropped[d.error]++;
    for (const s of d.skipped) this.stats.skipped[s]++;
    const now = this.clock.now();
    for (const c of d.conns) {
      this.stats.connsReceived++;
      this.sink.apply(c, now);
    }
  }

  stop(): void {
    if (!this.sock) return;
    try {
      this.sock.dropMembership(this.view.group, this.ifAddr);
    } catch {
      // the interface may be gone already
    }
    this.sock.close();
    this.sock = undefined;
  }
}
