// Names for addresses and ports, as ipvsadm prints them without -n and accepts them in
// arguments: /etc/hosts and /etc/services only (uvs never asks DNS).
import { readFileSync } from 'node:fs';

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

function load(): Tables {
  if (tables) return tables;
  const hostToAddr = new Map<string, string>();
  const addrToHost = new Map<string, string>();
  for (const line of readLines('/etc/hosts')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!addr || !/^\d+\.\d+\.\d+\.\d+$/.test(addr)) continue;
    for (const n of names) if (!hostToAddr.has(n)) hostToAddr.set(n, addr);
    if (names[0] && !addrToHost.has(addr)) addrToHost.set(addr, names[0]);
  }
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

/** "host:service" as ipvsadm prints without -n (falling back to numbers). */
export function addrPortName(
  addr: string,
  port: number,
  proto: 'tcp' | 'udp',
  numeric: boolean,
): string {
  if (numeric) return `${addr}:${port}`;
  const t = load();
  return `${t.addrToHost.get(addr) ?? addr}:${t.portToService.get(`${port}/${proto}`) ?? port}`;
}
