// uvsadm's AsyncControl over an in-process DirectorControl, so that the ipvsadm command
// layer (-R restore included) drives a director that has no control socket.
import type { DirectorControl } from '../control/director-control.js';
import type { AsyncControl } from '../ipvsadm/execute.js';

function lift<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) => {
    try {
      return Promise.resolve(f(...args));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
}

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
