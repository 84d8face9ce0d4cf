// The long fuzz run: as many fuzzed frames as asked through the engine (the unit test runs a
// million with one seed), with progress, for several seeds. Not part of npm test.
//   node dist/bench/fuzz-engine.js [--frames 20000000] [--seed 1] [--seeds 1]
import { readBenchArgs } from './bench-args.js';
import { fuzzEngine } from './fuzz/engine-fuzz.js';

const opt = readBenchArgs(
  'usage: node dist/bench/fuzz-engine.js [--frames N] [--seed S] [--seeds K]\n\n' +
    'Random and mutated frames through the engine (seeds S … S+K-1): it must never throw, never\n' +
    'send outside its buffers, and still forward afterwards.',
  ['--frames', '--seed', '--seeds'],
);
const frames = opt.number('--frames', 20_000_000, 1, 1e10);
const first = opt.number('--seed', 1, 0, 2 ** 32 - 1);
const seeds = opt.number('--seeds', 1, 1, 1000);

for (let seed = first; seed < first + seeds; seed++) {
  const t0 = performance.now();
  const result = fuzzEngine(frames, seed, (done) => {
    process.stderr.write(
      `\rseed ${seed}: ${done.toLocaleString('en')} / ${frames.toLocaleString('en')} frames`,
    );
  });
  const s = (performance.now() - t0) / 1000;
  process.stderr.write('\n');
  process.stdout.write(
    `seed ${seed}: ${frames} frames in ${s.toFixed(1)} s, ${JSON.stringify(result.verdicts)}, ${result.sent} sent, ` +
      `${result.connections} connections at the end, still forwards: ${result.stillForwards}\n`,
  );
  if (!result.stillForwards) process.exitCode = 1;
}
