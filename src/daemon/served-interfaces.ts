// Which interfaces uvsd serves: every interface of the namespace but lo (as ip_vs does), or
// those named with -i. With libpcap (which sees neither GSO fields nor partial checksums), their
// receive offloads that merge frames are turned off; AF_PACKET takes merged frames whole.
import type { InterfaceTable } from '../net/interfaces.js';
import { fixReceiveOffloads } from '../net/offloads.js';

/** Interfaces uvs creates for itself (mark tap, TUN endpoint): never served. */
const UVS_OWN = ['uvsfwm', 'uvstun'];

export class InterfaceChoiceError extends Error {
  readonly code = 'E_INTERFACE';
}

/** Interfaces served when no -i names them: Ethernet ones, not loopback, not uvs's own. */
function eligible(ifaces: InterfaceTable): string[] {
  return ifaces
    .all()
    .filter(
      (i) =>
        !i.loopback && i.mac.some((b) => b !== 0) && !UVS_OWN.some((p) => i.name.startsWith(p)),
    )
    .map((i) => i.name);
}

/**
 * What to serve now that the host changed: the -i interfaces that exist (one re-created comes
 * back), or every eligible one (one created later is served, one removed is not).
 */
export function currentServed(ifaces: InterfaceTable, requested: readonly string[]): string[] {
  if (requested.length === 0) return eligible(ifaces);
  return requested.filter((n) => {
    const i = ifaces.named(n);
    return i !== undefined && !i.loopback;
  });
}

export async function servedInterfaces(
  ifaces: InterfaceTable,
  requested: readonly string[],
  warn: (msg: string) => void,
  mergedFramesOk: boolean,
): Promise<string[]> {
  let names: string[];
  if (requested.length > 0) {
    for (const n of requested) {
      const i = ifaces.named(n);
      if (!i)
        throw new InterfaceChoiceError(`-i ${n}: no such interface in this network namespace`);
      if (i.loopback)
        throw new InterfaceChoiceError(`-i ${n}: uvsd does not serve the loopback interface`);
    }
    names = [...requested];
  } else {
    names = eligible(ifaces);
    if (names.length === 0)
      throw new InterfaceChoiceError('no Ethernet interface to serve in this network namespace');
  }
  if (mergedFramesOk) return names;
  // libpcap cannot open an interface that is down; AF_PACKET (the default) can, and serves it
  // once it comes up.
  names = names.filter((n) => {
    if (ifaces.named(n)?.up !== false) return true;
    warn(
      `uvsd: ${n} is down: --io pcap cannot capture on it, it is not served (--io afpacket would)`,
    );
    return false;
  });
  for (const n of names) {
    const changed = await fixReceiveOffloads(n);
    if (changed.length > 0)
      warn(`uvsd: ${n}: turned off ${changed.join(', ')} (merged frames could not be re-sent)`);
  }
  return names;
}
