// The control protocol: one JSON object per line each way over a Unix stream socket.
// A request names a DirectorControl method and its arguments; the response carries the
// result or the ControlError's code and message.
import type { DirectorControl } from '../engine/model.js';
import type { SyncDaemonControl } from '../sync/sync-control.js';

export type { SyncDaemonControl };

export type ControlMethod = keyof DirectorControl | keyof SyncDaemonControl;

export const SYNC_METHODS: readonly (keyof SyncDaemonControl)[] = [
  'startDaemon',
  'stopDaemon',
  'daemons',
  'syncStatus',
];

export const CONTROL_METHODS: readonly ControlMethod[] = [
  'addService',
  'editService',
  'deleteService',
  'clear',
  'addDest',
  'editDest',
  'deleteDest',
  'zero',
  'setTimeouts',
  'timeouts',
  'services',
  'connections',
  'connTableSize',
  'counters',
  'startDaemon',
  'stopDaemon',
  'daemons',
  'syncStatus',
];

export interface ControlRequest {
  readonly id: number;
  readonly method: ControlMethod;
  readonly args: readonly unknown[];
}

export type ControlResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

/** Validates a decoded request line; returns an error message when it is not one. */
export function checkRequest(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'request is not a JSON object';
  const r = value as Record<string, unknown>;
  if (typeof r['id'] !== 'number') return 'request has no numeric "id"';
  if (typeof r['method'] !== 'string' || !CONTROL_METHODS.includes(r['method'] as ControlMethod)) {
    return `unknown method ${JSON.stringify(r['method'])}`;
  }
  if (!Array.isArray(r['args'])) return 'request has no "args" array';
  return undefined;
}
