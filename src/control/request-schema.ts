// Every control request is checked against the shape of its method's arguments before it
// reaches the director: a request is data from a socket, never trusted to be what the method
// expects (a port sent as "80" would otherwise become a string key). A small schema per
// argument type, no library; the error names the field: `addService: args[0].key.port must be
// an integer from 0 to 65535, not "80"`.
import type { SyncDaemonControl } from '../sync/sync-control.js';
import type { DirectorControl } from './director-control.js';
import type { TraceControl } from './trace-control.js';
import { isIpv4, isIpv6 } from '../packet/addr.js';

/** Every method the control socket serves: the director's, the sync daemons', the trace's. */
export type ControlMethod = keyof DirectorControl | keyof SyncDaemonControl | keyof TraceControl;

export class InvalidRequest extends Error {
  readonly code = 'E_INVALID';
}

/** Checks `value` (at `path`); throws InvalidRequest naming `path` when it does not fit. */
type Schema = (value: unknown, path: string) => void;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function bad(path: string, what: string, v: unknown): never {
  throw new InvalidRequest(`${path} must be ${what}, not ${show(v)}`);
}

const int =
  (min: number, max: number): Schema =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      bad(path, `an integer from ${min} to ${max}`, v);
  };

/** An IPv4 or IPv6 address (uvsd serves both). */
const address: Schema = (v, path) => {
  if (typeof v !== 'string' || (!isIpv4(v) && !isIpv6(v))) bad(path, 'an IPv4 or IPv6 address', v);
};

/** Persistence granularity: a dotted-quad netmask, or an IPv6 prefix length (0-128). */
const netmask: Schema = (v, path) => {
  if (typeof v === 'string' && (isIpv4(v) || (/^\d{1,3}$/.test(v) && Number(v) <= 128))) return;
  bad(path, 'a netmask (a.b.c.d) or an IPv6 prefix length (0-128)', v);
};

const word: Schema = (v, path) => {
  if (typeof v !== 'string' || !/^[a-z0-9_-]{1,32}$/i.test(v)) bad(path, 'a name', v);
};

const oneOf =
  (...values: readonly (string | number)[]): Schema =>
  (v, path) => {
    if (!values.includes(v as string | number))
      bad(path, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
  };

const listOf =
  (item: Schema): Schema =>
  (v, path) => {
    if (!Array.isArray(v)) bad(path, 'a list', v);
    v.forEach((x, i) => item(x, `${path}[${i}]`));
  };

/** An object with exactly these fields; those whose name ends in "?" may be missing. */
const object =
  (fields: Readonly<Record<string, Schema>>): Schema =>
  (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, 'an object', v);
    const o = v as Record<string, unknown>;
    const names = new Map(Object.keys(fields).map((f) => [f.replace(/\?$/, ''), f]));
    for (const k of Object.keys(o))
      if (!names.has(k)) throw new InvalidRequest(`${path}.${k} is not a field of this request`);
    for (const [name, f] of names) {
      if (o[name] === undefined) {
        if (!f.endsWith('?')) throw new InvalidRequest(`${path}.${name} is missing`);
      } else fields[f]!(o[name], `${path}.${name}`);
    }
  };

const UINT32 = 0xffffffff;
const port = int(0, 65535);

const serviceKey: Schema = (v, path) => {
  const kind = (v as { kind?: unknown } | null)?.kind;
  if (kind === 'fwmark')
    return object({ kind: oneOf('fwmark'), fwmark: int(1, UINT32), 'family?': oneOf('inet6') })(
      v,
      path,
    );
  object({ kind: oneOf('addr'), proto: oneOf('tcp', 'udp'), vip: address, port })(v, path);
};

const serviceSpec = object({
  key: serviceKey,
  scheduler: word,
  'persistence?': object({ timeout: int(1, UINT32), netmask }),
  'schedFlags?': listOf(word),
});

const destSpec = object({
  addr: address,
  port,
  method: oneOf(0, 1, 2, 3),
  weight: int(0, 65535),
  upperThreshold: int(0, UINT32),
  lowerThreshold: int(0, UINT32),
});

const timeouts = object({ tcp: int(0, UINT32), tcpFin: int(0, UINT32), udp: int(0, UINT32) });

const text =
  (max: number): Schema =>
  (v, path) => {
    if (typeof v !== 'string' || v.length > max)
      bad(path, `a string of at most ${max} characters`, v);
  };

const syncRole = oneOf('master', 'backup');

const syncDaemonRequest = object({
  state: syncRole,
  mcastIfn: text(15),
  syncId: int(0, 255),
  maxlen: int(0, 65535 - 28),
  group: text(64),
  port,
  ttl: int(0, 255),
});

/** Each method's arguments; a trailing optional argument is marked by `optionalFrom`. */
const ARGS: Record<ControlMethod, { schemas: Schema[]; optionalFrom?: number }> = {
  addService: { schemas: [serviceSpec] },
  editService: { schemas: [serviceSpec] },
  deleteService: { schemas: [serviceKey] },
  clear: { schemas: [] },
  addDest: { schemas: [serviceKey, destSpec] },
  editDest: { schemas: [serviceKey, destSpec] },
  deleteDest: { schemas: [serviceKey, address, port] },
  zero: { schemas: [serviceKey], optionalFrom: 0 },
  setTimeouts: { schemas: [timeouts] },
  timeouts: { schemas: [] },
  services: { schemas: [] },
  connections: { schemas: [] },
  connTableSize: { schemas: [] },
  counters: { schemas: [] },
  startDaemon: { schemas: [syncDaemonRequest] },
  stopDaemon: { schemas: [syncRole] },
  daemons: { schemas: [] },
  syncStatus: { schemas: [] },
  traceStart: { schemas: [serviceKey], optionalFrom: 0 },
  traceRead: { schemas: [int(1, 0x7fffffff)] },
  traceStop: { schemas: [int(1, 0x7fffffff)] },
};

export const CONTROL_METHODS = Object.keys(ARGS) as ControlMethod[];

/** Methods of the connection sync daemons (served by SyncDaemonControl). */
export const SYNC_METHODS: readonly ControlMethod[] = [
  'startDaemon',
  'stopDaemon',
  'daemons',
  'syncStatus',
];

/** Methods of the trace (served by TraceControl). */
export const TRACE_METHODS: readonly ControlMethod[] = ['traceStart', 'traceRead', 'traceStop'];

/** Throws InvalidRequest naming the method and the field when `args` do not fit `method`. */
export function checkArgs(method: ControlMethod, args: readonly unknown[]): void {
  const { schemas, optionalFrom = schemas.length } = ARGS[method];
  if (args.length < optionalFrom || args.length > schemas.length) {
    const n =
      optionalFrom === schemas.length
        ? `${schemas.length}`
        : `${optionalFrom} to ${schemas.length}`;
    throw new InvalidRequest(`${method}: takes ${n} argument(s), not ${args.length}`);
  }
  try {
    args.forEach((a, i) => schemas[i]!(a, `args[${i}]`));
  } catch (err) {
    if (err instanceof InvalidRequest) throw new InvalidRequest(`${method}: ${err.message}`);
    throw err;
  }
}
