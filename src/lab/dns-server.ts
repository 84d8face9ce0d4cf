// A minimal authoritative DNS server for the lab's DNS_CHECK: A records from a table,
// NXDOMAIN for other names (RFC 1035 message format).
import { createSocket, type Socket } from 'node:dgram';
import { parseIpv4 } from '../packet/addr.js';

function readName(msg: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  let o = off;
  while (o < msg.length && msg[o] !== 0) {
    const len = msg[o]!;
    labels.push(msg.toString('ascii', o + 1, o + 1 + len));
    o += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: o + 1 };
}

/** The answer to one query (pure): the question echoed, an A record when known. */
export function dnsAnswer(query: Buffer, records: ReadonlyMap<string, string>): Buffer | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const { name, end } = readName(query, 12);
  if (end + 4 > query.length) return undefined;
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const addr = records.get(name);
  const answer = addr && qtype === 1 ? Buffer.alloc(16) : Buffer.alloc(0);
  if (answer.length > 0) {
    answer.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    answer.writeUInt16BE(1, 2);
    answer.writeUInt16BE(1, 4);
    answer.writeUInt32BE(60, 6);
    answer.writeUInt16BE(4, 10);
    answer.writeUInt32BE(parseIpv4(addr!), 12);
  }
  const head = Buffer.alloc(12);
  head.writeUInt16BE(query.readUInt16BE(0), 0);
  head.writeUInt16BE(0x8400 | (addr ? 0 : 3), 2); // response, authoritative, NXDOMAIN if unknown
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answer.length > 0 ? 1 : 0, 6);
  return Buffer.concat([head, question, answer]);
}

export function serveDns(
  port: number,
  records: ReadonlyMap<string, string>,
  host = '0.0.0.0',
): Promise<Socket> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const a = dnsAnswer(msg, records);
    if (a) sock.send(a, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => resolve(sock));
  });
}
