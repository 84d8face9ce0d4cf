// The control protocol: one JSON object per line each way over a Unix stream socket.
// A request names a DirectorControl method and its arguments; the response carries the
// result or the ControlError's code and message.
import type { SyncDaemonControl } from '../sync/sync-control.js';
import type { DirectorControl } from './director-control.js';
import {
  checkArgs,
  CONTROL_METHODS,
  InvalidRequest,
  SYNC_METHODS,
  TRACE_METHODS,
  type ControlMethod,
} from './request-schema.js';
import type { TraceControl } from './trace-control.js';

export type { ControlMethod, DirectorControl, SyncDaemonControl, TraceControl };
export { CONTROL_METHODS, SYNC_METHODS, TRACE_METHODS };

export interface ControlRequest {
  readonly id: number;
  readonly method: ControlMethod;
  readonly args: readonly unknown[];
}

export type ControlResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

/**
 * Validates a decoded request line, its method's arguments included; returns an error message
 * naming the field when it is not a request uvsd can carry out.
 */
export function checkRequest(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'request is not a JSON object';
  const r = value as Record<string, unknown>;
  if (typeof r['id'] !== 'number') return 'request has no numeric "id"';
  if (typeof r['method'] !== 'string' || !CONTROL_METHODS.includes(r['method'] as ControlMethod)) {
    return `unknown method ${JSON.stringify(r['method'])}`;
  }
  if (!Array.isArray(r['args'])) return 'request has no "args" array';
  try {
    checkArgs(r['method'] as ControlMethod, r['args'] as unknown[]);
  } catch (err) {
    if (err instanceof InvalidRequest) return err.message;
    throw err;
  }
  return undefined;
}
