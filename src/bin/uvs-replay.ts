#!/usr/bin/env node
// uvs-replay — runs the uvs engine on a capture of a director's input, offline and without
// privileges, and writes what the director would have sent. Thin: options, replay, summary.
import { versionLine } from '../control/version.js';
import { formatSummary, replay } from '../replay/replay.js';
import { parseReplayOptions, replayUsage } from '../replay/replay-options.js';

async function main(): Promise<number> {
  if (process.argv.slice(2).includes('--version')) {
    process.stdout.write(versionLine('uvs-replay'));
    return 0;
  }
  const opts = parseReplayOptions(process.argv.slice(2));
  if (opts === 'help') {
    process.stdout.write(replayUsage());
    return 0;
  }
  const summary = await replay(opts);
  for (const w of summary.warnings) process.stderr.write(`uvs-replay: warning: ${w}\n`);
  process.stdout.write(formatSummary(summary, opts));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error & { code?: string }) => {
    process.stderr.write(`uvs-replay: ${err.message}\n`);
    if (err.code === 'E_USAGE')
      process.stderr.write('Try `uvs-replay --help` for more information.\n');
    process.exit(err.code === 'E_USAGE' ? 2 : 1);
  },
);
