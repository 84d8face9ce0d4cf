// The url block of HTTP_GET and SSL_GET: path, digest, status_code (codes and ranges, as
// keepalived 2 reads `status_code 200-299 302 400-499`), virtualhost.
import type { StatusRange, UrlSpec } from '../health/checker-spec.js';
import { keywordTable, readBlock, set, unsupported } from './keywords.js';
import type { Draft, Reader } from './reader.js';
import type { Statement } from './tree.js';

/** keepalived's HTTP_STATUS_CODE_MIN and _MAX. */
const STATUS_MIN = 100;
const STATUS_MAX = 599;

interface UrlDraft extends Omit<Draft<UrlSpec>, 'path'> {
  path?: string;
  ranges: StatusRange[];
}

function statusRange(r: Reader, s: Statement, word: string): StatusRange {
  const m = /^(\d+)(?:-(\d+))?$/.exec(word);
  const first = Number(m?.[1]);
  const last = m?.[2] !== undefined ? Number(m[2]) : first;
  if (!m || first < STATUS_MIN || last > STATUS_MAX || first > last)
    r.fail(
      s,
      `status_code: "${word}" is not a status code or range from ${STATUS_MIN} to ${STATUS_MAX}`,
    );
  return [first, last];
}

function digest(r: Reader, s: Statement): string {
  const d = r.arg(s).toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(d))
    r.fail(s, `digest "${r.arg(s)}" is not an MD5 digest (32 hex digits)`);
  return d;
}

const URL_TABLE = keywordTable<UrlDraft>({
  path: set('path', (r, s) => r.arg(s)),
  digest: set('digest', digest),
  status_code: {
    args: [1, Infinity],
    apply: (d, s, r) => d.ranges.push(...s.args.map((w) => statusRange(r, s, w))),
  },
  virtualhost: set('virtualhost', (r, s) => r.arg(s)),
  regex: unsupported('line'),
  regex_no_match: unsupported('line'),
  regex_options: unsupported('line'),
  regex_min_offset: unsupported('line'),
  regex_max_offset: unsupported('line'),
  regex_stack: unsupported('line'),
});

export function readUrl(r: Reader, s: Statement): UrlSpec {
  const d: UrlDraft = { ranges: [] };
  readBlock(r, URL_TABLE, r.block(s), d, 'url');
  const { ranges, path, ...url } = d;
  if (path === undefined) r.fail(s, 'url needs a path');
  const only = ranges.length === 1 && ranges[0]![0] === ranges[0]![1] ? ranges[0]![0] : undefined;
  return Object.freeze({
    path,
    ...url,
    ...(only !== undefined ? { statusCode: only } : {}),
    ...(ranges.length > 0 ? { statusCodes: Object.freeze(ranges) } : {}),
  });
}
