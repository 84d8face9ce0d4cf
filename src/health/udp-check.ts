// UDP_CHECK: a datagram (payload) to the server; down when an ICMP port unreachable comes
// back, or, with require_reply, when no matching reply comes within connect_timeout.
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';
import { udpExchange } from './udp-exchange.js';

export class UdpCheck implements Checker {
  readonly type = 'UDP_CHECK';

  constructor(
    private readonly payload: string,
    private readonly requireReply?: string,
  ) {}

  check(t: CheckTarget): Promise<CheckResult> {
    const expected = this.requireReply;
    return udpExchange(t, {
      label: 'UDP_CHECK',
      payload: Buffer.from(this.payload),
      onReply: (msg) =>
        expected === undefined || msg.toString().includes(expected)
          ? ok
          : failed(`UDP_CHECK ${t.ip}:${t.port}: unexpected reply`),
      // Silence is up unless a reply is required: a closed port would have answered ICMP.
      onSilence: () =>
        expected !== undefined
          ? failed(`UDP_CHECK ${t.ip}:${t.port}: no reply within ${t.timeoutMs} ms`)
          : ok,
    });
  }
}
