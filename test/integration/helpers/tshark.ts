// tshark's reading of a capture, for the tests that check what left the director against an
// independent dissector.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/**
 * The `fields` tshark reads in each frame of `file` that matches the display filter `filter`:
 * one row per frame, one string per field (a field repeated in a frame, as an inner and outer
 * header's, is its values joined by commas).
 */
export function tsharkFields(file: string, filter: string, fields: readonly string[]): string[][] {
  const r = spawnSync(
    'tshark',
    ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}
