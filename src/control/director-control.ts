// What the control socket can ask of the director. The daemon implements it over the engine;
// uvsadm (and the keepalived layer) call it. Every method throws ControlError on refusal and
// changes nothing in that case. Requests from the socket are validated against
// request-schema.ts before they reach it.
import type {
  ConnView,
  DestSpec,
  ServiceKey,
  ServiceSpec,
  ServiceView,
  TimeoutsView,
} from '../engine/model.js';

export interface DirectorControl {
  addService(spec: ServiceSpec): void;
  editService(spec: ServiceSpec): void;
  deleteService(key: ServiceKey): void;
  clear(): void;
  addDest(key: ServiceKey, dest: DestSpec): void;
  editDest(key: ServiceKey, dest: DestSpec): void;
  deleteDest(key: ServiceKey, addr: string, port: number): void;
  zero(key?: ServiceKey): void;
  setTimeouts(t: TimeoutsView): void;
  timeouts(): TimeoutsView;
  services(): readonly ServiceView[];
  connections(): readonly ConnView[];
  /** Connection-table size printed in ipvsadm's banner "(size=4096)". */
  connTableSize(): number;
  /** Frame counters: handled, forwarded, dropped by reason (drop.<reason>), io backend. */
  counters(): Readonly<Record<string, number>>;
}
