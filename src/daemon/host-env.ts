// The engine's view of the host's neighbours, over HostServices. Called per frame: lookups only.
import type { EngineEnv } from '../engine/engine-env.js';
import type { HostServices } from './host-services.js';

export class HostEnv implements EngineEnv {
  constructor(private readonly host: HostServices) {}

  neighbourMac(ip: number): Buffer | undefined {
    return this.host.neighbours.lookup(ip);
  }

  requestNeighbour(ip: number, ifIndex: number): void {
    this.host.neighbours.request(ip, ifIndex);
  }
}
