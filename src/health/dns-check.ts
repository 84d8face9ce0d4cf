// DNS_CHECK: a query for `name` of `type` over UDP; up when the answer has no error and holds
// a record of that type (keepalived's rule).
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';
import { udpExchange } from './udp-exchange.js';

export const DNS_TYPES: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
};

export function dnsQuery(id: number, name: string, type: number): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  const q = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 0) + 1 + 4);
  q.writeUInt16BE(id, 0);
  q.writeUInt16BE(0x0100, 2); // recursion desired
  q.writeUInt16BE(1, 4);
  let o = 12;
  for (const l of labels) {
    q[o++] = l.length;
    o += q.write(l, o, 'ascii');
  }
  q[o++] = 0;
  q.writeUInt16BE(type, o);
  q.writeUInt16BE(1, o + 2);
  return q;
}

/** True when `resp` answers `id` without error and holds a record of `type`. */
export function dnsAnswers(resp: Buffer, id: number, type: number): boolean {
  if (resp.length < 12 || resp.readUInt16BE(0) !== id || (resp[3]! & 0x0f) !== 0) return false;
  const qd = resp.readUInt16BE(4);
  const an = resp.readUInt16BE(6);
  let o = 12;
  const skipName = (): void => {
    while (o < resp.length) {
      const len = resp[o]!;
      if (len === 0) return void o++;
      if ((len & 0xc0) === 0xc0) return void (o += 2);
      o += len + 1;
    }
  };
  for (let i = 0; i < qd; i++) {
    skipName();
    o += 4;
  }
  for (let i = 0; i < an && o < resp.length; i++) {
    skipName();
    // A truncated answer is no answer (and must not read past the datagram).
    if (o + 10 > resp.length) return false;
    if (resp.readUInt16BE(o) === type) return true;
    o += 10 + resp.readUInt16BE(o + 8);
  }
  return false;
}

export class DnsCheck implements Checker {
  readonly type = 'DNS_CHECK';
  private id = 1;

  constructor(
    private readonly name: string,
    private readonly qtype: string,
  ) {}

  check(t: CheckTarget): Promise<CheckResult> {
    const id = (this.id = (this.id + 1) & 0xffff);
    const type = DNS_TYPES[this.qtype] ?? 1;
    return udpExchange(t, {
      label: 'DNS_CHECK',
      payload: dnsQuery(id, this.name, type),
      onReply: (msg) =>
        dnsAnswers(msg, id, type)
          ? ok
          : failed(`DNS_CHECK ${t.ip}:${t.port}: no ${this.qtype} record for ${this.name}`),
      onSilence: () => failed(`DNS_CHECK ${t.ip}:${t.port}: no answer within ${t.timeoutMs} ms`),
    });
  }
}
