// The results as an SVG chart (pure, no dependency): one panel per workload with its own
// scale, one horizontal bar per path, one colour per path across panels, a legend on top.
import { pathKey, pathLabel, type BenchResult, type PathId } from './result.js';
import { inWorkloadOrder, workloadSpec } from './workloads.js';

const PALETTE = [
  '#2e7d32',
  '#7b1fa2',
  '#00838f',
  '#c62828',
  '#6d4c41',
  '#ad1457',
  '#558b2f',
  '#4527a0',
  '#00695c',
  '#ef6c00',
];
const FIXED: Readonly<Record<string, string>> = {
  routing: '#9e9e9e',
  'kernel-nat': '#1565c0',
  'kernel-ipvs': '#1565c0',
  haproxy: '#f9a825',
  engine: '#37474f',
};

const PANEL_W = 470;
const LABEL_W = 170;
const BAR_H = 16;
const GAP = 4;
const COLS = 2;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Colour of each path, fixed for the reference paths and from a palette for the others. */
export function pathColours(paths: readonly PathId[]): Map<string, string> {
  const colours = new Map<string, string>();
  let next = 0;
  for (const p of paths) {
    const k = pathKey(p);
    if (colours.has(k)) continue;
    colours.set(k, FIXED[p.path] ?? PALETTE[next++ % PALETTE.length]!);
  }
  return colours;
}

export function formatValue(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function renderSvg(results: readonly BenchResult[], title: string): string {
  const workloads = inWorkloadOrder(results.map((r) => r.workload)).filter(
    (w) => w !== 'latency-p99-us',
  );
  const colours = pathColours(results);
  const legendRows = Math.ceil(colours.size / 3);
  const top = 40 + legendRows * 18 + 10;
  const panels = workloads.map((w) => results.filter((r) => r.workload === w));
  const heights = panels.map((p) => 34 + p.length * (BAR_H + GAP));
  const rowHeights: number[] = [];
  for (let i = 0; i < heights.length; i += COLS)
    rowHeights.push(Math.max(...heights.slice(i, i + COLS)));
  const width = COLS * PANEL_W + 20;
  const height = top + rowHeights.reduce((a, b) => a + b + 16, 0) + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  [...colours.entries()].forEach(([key, colour], i) => {
    const x = 10 + (i % 3) * 310;
    const y = 40 + Math.floor(i / 3) * 18;
    const p = results.find((r) => pathKey(r) === key)!;
    out.push(
      `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${x + 17}" y="${y}">${escapeXml(pathLabel(p))}</text>`,
    );
  });
  let y = top;
  panels.forEach((rows, i) => {
    const x = 10 + (i % COLS) * PANEL_W;
    out.push(...panel(rows, workloads[i]!, x, y, colours));
    if (i % COLS === COLS - 1 || i === panels.length - 1)
      y += rowHeights[Math.floor(i / COLS)]! + 16;
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function panel(
  rows: readonly BenchResult[],
  workload: string,
  x: number,
  y: number,
  colours: ReadonlyMap<string, string>,
): string[] {
  const spec = workloadSpec(workload);
  const max = Math.max(0, ...rows.map((r) => Math.abs(r.value ?? 0)));
  const barMax = PANEL_W - LABEL_W - 70;
  const out = [
    `<text x="${x}" y="${y + 14}" font-weight="bold">${escapeXml(spec.title)}</text>`,
    `<text x="${x}" y="${y + 27}" fill="#666">${escapeXml(`${spec.unit}, ${spec.better} is better`)}</text>`,
  ];
  rows.forEach((r, k) => {
    const by = y + 34 + k * (BAR_H + GAP);
    out.push(
      `<text x="${x + LABEL_W - 6}" y="${by + BAR_H - 4}" text-anchor="end">${escapeXml(pathLabel(r))}</text>`,
    );
    if (r.value === null) {
      out.push(`<text x="${x + LABEL_W}" y="${by + BAR_H - 4}" fill="#999">not available</text>`);
      return;
    }
    const w = max > 0 ? Math.max(1, (Math.abs(r.value) / max) * barMax) : 1;
    out.push(
      `<rect x="${x + LABEL_W}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colours.get(pathKey(r)) ?? '#000'}"/>`,
      `<text x="${(x + LABEL_W + w + 4).toFixed(1)}" y="${by + BAR_H - 4}">${escapeXml(formatValue(r.value))}</text>`,
    );
  });
  return out;
}
