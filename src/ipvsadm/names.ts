// Names for addresses and ports, as ipvsadm prints them without -n and accepts them in
// arguments: /etc/hosts and /etc/services only (uvs never asks DNS). Names resolve to IPv4
// addresses only (ipvsadm's host_to_addr); IPv6 addresses are named from /etc/hosts too
// (gethostbyaddr), and printed in brackets as ipvsadm's addrport_to_anyname does.
import { readFileSync } from 'node:fs';
import { canonicalIpv6, isIpv6 } from '../packet/addr.js';

interface Tables {
  readonly hostToAddr: Map<string, string>;
  readonly addrToHost: Map<string, string>;
  readonly serviceToPort: Map<string, number>;
  readonly portToService: Map<string, string>;
}

let tables: Tables | undefined;

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** The name ↔ address tables of /etc/hosts text (pure, for tests). */
export function parseHosts(lines: readonly string[]): {
  hostToAddr: Map<string, string>;
  addrToHost: Map<string, string>;
} {
  const hostToAddr = new Map<string, string>();
  const addrToHost = new Map<string, string>();
  for (const line of lines) {
    const [text, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (text && isIpv6(text)) {
      const addr = canonicalIpv6(text);
      if (names[0] && !addrToHost.has(addr)) addrToHost.set(addr, names[0]);
      continue;
    }
    const addr = text;
    if (!addr || !/^\d+\.\d+\.\d+\.\d+$/.test(addr)) continue;
    for (const n of names) if (!hostToAddr.has(n)) hostToAddr.set(n, addr);
    if (names[0] && !addrToHost.has(addr)) addrToHost.set(addr, names[0]);
  }
  return { hostToAddr, addrToHost };
}

function load(): Tables {
  if (tables) return tables;
  const { hostToAddr, addrToHost } = parseHosts(readLines('/etc/hosts'));
  const serviceToPort = new Map<string, number>();
  const portToService = new Map<string, string>();
  for (const line of readLines('/etc/services')) {
    const [name, portProto, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    const m = portProto ? /^(\d+)\/(tcp|udp)$/.exec(portProto) : null;
    if (!name || !m) continue;
    const key = `${m[1]}/${m[2]}`;
    for (const n of [name, ...aliases])
      if (!serviceToPort.has(`${n}/${m[2]}`)) serviceToPort.set(`${n}/${m[2]}`, Number(m[1]));
    if (!portToService.has(key)) portToService.set(key, name);
  }
  tables = { hostToAddr, addrToHost, serviceToPort, portToService };
  return tables;
}

export function hostAddress(name: string): string | undefined {
  return load().hostToAddr.get(name);
}

export function servicePort(name: string, proto: 'tcp' | 'udp'): number | undefined {
  return load().serviceToPort.get(`${name}/${proto}`);
}

/**
 * "host:service" as ipvsadm prints without -n (falling back to numbers), "addr:port" with -n;
 * an IPv6 host in brackets: "[2001:db8::1]:80", "[ip6-localhost]:http".
 */
export function addrPortName(
  addr: string,
  port: number,
  proto: 'tcp' | 'udp',
  numeric: boolean,
): string {
  const v6 = isIpv6(addr);
  const text = v6 ? canonicalIpv6(addr) : addr;
  const [open, close] = v6 ? ['[', ']'] : ['', ''];
  if (numeric) return `${open}${text}${close}:${port}`;
  const t = load();
  const host = t.addrToHost.get(text) ?? text;
  return `${open}${host}${close}:${t.portToService.get(`${port}/${proto}`) ?? port}`;
}
