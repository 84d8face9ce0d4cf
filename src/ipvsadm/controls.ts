// The AsyncControl that uvsadm's execute() drives, over either a director: the one of the
// running uvsd through its control socket, or one in this process (uvsd restoring its saved
// rules, uvs-replay, tests). In-process refusals (ControlError) become rejections, as they do
// over the socket.
import type { ControlClient } from '../control/control-client.js';
import type { DirectorControl } from '../control/director-control.js';
import type { AsyncControl } from './execute.js';

/** uvsd's director, through its control socket. */
export function socketControl(client: ControlClient): AsyncControl {
  const call =
    <T>(method: Parameters<ControlClient['call']>[0]) =>
    (...args: unknown[]): Promise<T> =>
      client.call<T>(method, ...args);
  return {
    addService: call('addService'),
    editService: call('editService'),
    deleteService: call('deleteService'),
    clear: call('clear'),
    addDest: call('addDest'),
    editDest: call('editDest'),
    deleteDest: call('deleteDest'),
    zero: call('zero'),
    setTimeouts: call('setTimeouts'),
    timeouts: call('timeouts'),
    services: call('services'),
    connections: call('connections'),
    connTableSize: call('connTableSize'),
    startDaemon: call('startDaemon'),
    stopDaemon: call('stopDaemon'),
    daemons: call('daemons'),
  };
}

function lift<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) => {
    try {
      return Promise.resolve(f(...args));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
}

/** A director in this process. */
export function localControl(d: DirectorControl): AsyncControl {
  return {
    addService: lift((s) => d.addService(s)),
    editService: lift((s) => d.editService(s)),
    deleteService: lift((k) => d.deleteService(k)),
    clear: lift(() => d.clear()),
    addDest: lift((k, dest) => d.addDest(k, dest)),
    editDest: lift((k, dest) => d.editDest(k, dest)),
    deleteDest: lift((k, a, p) => d.deleteDest(k, a, p)),
    zero: lift((k) => (k ? d.zero(k) : d.zero())),
    setTimeouts: lift((t) => d.setTimeouts(t)),
    timeouts: lift(() => d.timeouts()),
    services: lift(() => d.services()),
    connections: lift(() => d.connections()),
    connTableSize: lift(() => d.connTableSize()),
  };
}
