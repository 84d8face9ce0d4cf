// routing: no balancer; the client reaches S1 itself through the router. The ceiling.
import { serverAddr } from '../bench-maquette.js';
import { PATH_WORKLOADS } from '../report/workloads.js';
import type { BenchPath, PathEnv, PathRun } from './path.js';

export const routingPath: BenchPath = {
  name: 'routing',
  label: 'routing',
  workloads: PATH_WORKLOADS,
  setupEstimateS: 0.5,
  setUp(env: PathEnv): Promise<PathRun> {
    env.offloads.apply('default');
    return Promise.resolve({
      id: { path: 'routing', io: null, workers: null },
      target: serverAddr(1),
    });
  },
  tearDown(): Promise<void> {
    return Promise.resolve();
  },
};
