// What uvsadm says when uvsd cannot take an IPv6 service yet: libipvs's message for
// EAFNOSUPPORT, as ipvsadm prints it on a kernel whose IPVS was built without IPv6.
// uvsd's engine refuses an IPv6 address with a control error naming the address ("invalid
// IPv4 address …"); a `-6` firewall-mark service cannot reach uvsd at all, since the control
// model's fwmark key has no family yet (uvsd would take it for the IPv4 service of that mark).
import { ControlError } from '../engine/model.js';
import { isIpv6 } from '../packet/addr.js';
import { serviceFamily, type Command } from './command.js';

export const AF_NOT_SUPPORTED = 'Operation not supported with specified address family';

/** The addresses a command names (VIP, real server). */
function commandAddresses(cmd: Command): string[] {
  const addrs: string[] = [];
  const key = 'key' in cmd ? cmd.key : 'spec' in cmd ? cmd.spec.key : undefined;
  if (key?.kind === 'addr') addrs.push(key.vip);
  if ('dest' in cmd) addrs.push(cmd.dest.addr);
  if (cmd.kind === 'delete-server') addrs.push(cmd.addr);
  return addrs;
}

/** True when uvsd refused `cmd` because its engine does not take IPv6 addresses yet. */
export function isIpv6Refusal(err: ControlError, cmd: Command): boolean {
  return (
    err.code === 'E_INVALID' &&
    err.message.startsWith('invalid IPv4 address') &&
    commandAddresses(cmd).some(isIpv6)
  );
}

/** A command that would change a `-6` firewall-mark service, which uvsd cannot name yet. */
export function changesIpv6Fwmark(cmd: Command): boolean {
  if (cmd.kind === 'list') return false; // a listing finds no such service: harmless
  const key = 'key' in cmd ? cmd.key : 'spec' in cmd ? cmd.spec.key : undefined;
  return key?.kind === 'fwmark' && serviceFamily(key) === 6;
}
