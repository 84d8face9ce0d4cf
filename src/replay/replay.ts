// uvs-replay's work: read the director's input capture(s), know its host (given or learnt),
// load the rules, run every frame through the engine in capture order with the capture's
// clock, and write what the director would have sent.
import { basename, extname } from 'node:path';
import { DROP_REASON_NAMES } from '../engine/verdict.js';
import { FileSink } from '../pcap/byte-sink.js';
import {
  CaptureFormatError,
  LinkType,
  linkTypeName,
  recordTimeMs,
  type CaptureRecord,
} from '../pcap/capture.js';
import type { CaptureWriter } from '../pcap/capture-writer.js';
import { PcapWriter } from '../pcap/pcap-writer.js';
import { PcapngWriter } from '../pcap/pcapng-writer.js';
import { readCaptureFile } from '../pcap/read-capture.js';
import { learnHost } from './learn-host.js';
import { ReplayEngine, type ReplayVerdict } from './replay-engine.js';
import { ReplayHost, type Prefix, type Route } from './replay-host.js';
import { loadRules, type RulesSource } from './replay-rules.js';

export interface ReplayInput {
  readonly file: string;
  /** Interface name for a capture of one interface (NAME=FILE on the command line). */
  readonly ifName?: string;
}

export interface ReplayOptions {
  readonly rules: RulesSource;
  readonly inputs: readonly ReplayInput[];
  readonly output: string;
  readonly interfaces: readonly { name: string; mac?: Buffer; addrs: readonly Prefix[] }[];
  readonly neighbours: readonly { ip: number; mac: Buffer }[];
  readonly routes: readonly Route[];
}

export interface ReplaySummary {
  readonly framesRead: number;
  /** Frames a pcapng file marks outbound: the director's output, not its input. */
  readonly skippedOutbound: number;
  /** Frames shorter than on the wire (the capture's snapshot length cut them). */
  readonly cutBySnapLen: number;
  /** Frames whose L4 checksum was partial, and GSO super-frames (the sender's offloads on). */
  readonly partialChecksums: number;
  readonly gsoFrames: number;
  readonly verdicts: Readonly<Record<ReplayVerdict, number>>;
  readonly drops: Readonly<Record<string, number>>;
  readonly written: number;
  readonly host: readonly string[];
  readonly warnings: readonly string[];
}

interface InputFrame {
  readonly ifIndex: number;
  readonly record: CaptureRecord;
  readonly file: string;
  readonly timeMs: number;
}

/** Reads every input and maps its interfaces onto the host's, in capture-time order. */
function readInputs(inputs: readonly ReplayInput[], host: ReplayHost): InputFrame[] {
  const frames: InputFrame[] = [];
  for (const input of inputs) {
    const cap = readCaptureFile(input.file);
    const used = new Set(cap.records.map((r) => r.iface));
    if (input.ifName !== undefined && used.size > 1)
      throw new CaptureFormatError(
        input.file,
        undefined,
        0,
        `${input.ifName}=${input.file}: the file holds frames of ${used.size} interfaces; name them in the capture (pcapng) instead`,
      );
    const stem = basename(input.file, extname(input.file));
    const ifIndexOf = cap.interfaces.map(
      (i, k) =>
        host.addInterface(
          input.ifName ?? i.name ?? (cap.interfaces.length > 1 ? `${stem}#${k}` : stem),
        ).ifIndex,
    );
    for (const r of cap.records) {
      const iface = cap.interfaces[r.iface]!;
      if (iface.linkType !== LinkType.Ethernet)
        throw new CaptureFormatError(
          input.file,
          r.number,
          0,
          `${linkTypeName(iface.linkType)} frames: uvs-replay needs Ethernet frames (capture each interface with -i NAME, not -i any)`,
        );
      frames.push({
        ifIndex: ifIndexOf[r.iface]!,
        record: r,
        file: input.file,
        timeMs: recordTimeMs(r),
      });
    }
  }
  // Stable: frames of one file keep their order; files interleave by time.
  return frames.sort((a, b) => a.timeMs - b.timeMs);
}

function buildHost(opts: ReplayOptions): ReplayHost {
  const host = new ReplayHost();
  for (const i of opts.interfaces) {
    const iface = host.addInterface(i.name);
    if (i.mac) {
      iface.mac = i.mac;
      iface.macSource = 'given';
    }
    iface.addrs.push(...i.addrs);
  }
  for (const n of opts.neighbours) host.neighbours.set(n.ip, { mac: n.mac, ifIndex: undefined });
  host.routes.push(...opts.routes);
  return host;
}

function openOutput(file: string, host: ReplayHost): CaptureWriter {
  const sink = new FileSink(file);
  return extname(file) === '.pcapng'
    ? new PcapngWriter(
        sink,
        host.interfaces.map((i) => ({ name: i.name, ...(i.mac ? { mac: i.mac } : {}) })),
        'uvs-replay',
      )
    : new PcapWriter(sink, { nanosecond: false });
}

/** The engine loaded with the rules, on the host given and learnt from the frames. */
async function prepare(
  opts: ReplayOptions,
): Promise<{ host: ReplayHost; frames: InputFrame[]; engine: ReplayEngine; warnings: string[] }> {
  const host = buildHost(opts);
  const frames = readInputs(opts.inputs, host);
  const engine = new ReplayEngine(host, () => host.facts(), frames[0]?.timeMs ?? 0, host.mtu);
  const warnings = await loadRules(engine.director, opts.rules);
  // MACs from pcapng's if_MACaddr first, then learning.
  learnHost(
    host,
    frames.map((f) => ({ ifIndex: f.ifIndex, data: f.record.data })),
    engine.vips(),
  );
  warnings.push(...engine.placeRealServers((a) => host.place(a)));
  for (const i of host.interfaces)
    if (!i.mac)
      warnings.push(
        `interface ${i.name}: the director's MAC is unknown (give --interface ${i.name}=MAC)`,
      );
  return { host, frames, engine, warnings };
}

/** What runFrames counts (the summary's frame counts). */
interface FrameCounts {
  verdicts: Record<ReplayVerdict, number>;
  skippedOutbound: number;
  cutBySnapLen: number;
  partialChecksums: number;
  gsoFrames: number;
  written: number;
}

/** Every inbound frame through the engine on the capture's clock; what it sends into `out`. */
function runFrames(
  frames: readonly InputFrame[],
  engine: ReplayEngine,
  out: CaptureWriter,
): FrameCounts {
  const n: FrameCounts = {
    verdicts: { forward: 0, reply: 0, drop: 0, 'not-ours': 0 },
    skippedOutbound: 0,
    cutBySnapLen: 0,
    partialChecksums: 0,
    gsoFrames: 0,
    written: 0,
  };
  let lastTick = frames[0]?.timeMs ?? 0;
  for (const f of frames) {
    if (f.record.direction === 'out') {
      n.skippedOutbound++;
      continue;
    }
    if (f.record.data.length < f.record.origLen) n.cutBySnapLen++;
    if (f.timeMs - lastTick >= 1000) {
      engine.tick(f.timeMs);
      lastTick = f.timeMs;
    }
    const r = engine.process(f.record.data, f.ifIndex, f.timeMs);
    n.verdicts[r.verdict]++;
    if (r.hints.partial) n.partialChecksums++;
    if (r.hints.gso) n.gsoFrames++;
    for (const o of r.out) {
      out.write({
        data: o.frame,
        iface: o.ifIndex - 1,
        tsSec: f.record.tsSec,
        tsNsec: f.record.tsNsec,
        direction: 'out',
      });
      n.written++;
    }
  }
  return n;
}

export async function replay(opts: ReplayOptions): Promise<ReplaySummary> {
  const { host, frames, engine, warnings } = await prepare(opts);
  const out = openOutput(opts.output, host);
  let counts: FrameCounts;
  try {
    counts = runFrames(frames, engine, out);
  } finally {
    out.close();
  }
  const counters = engine.counters();
  const drops: Record<string, number> = {};
  for (const name of DROP_REASON_NAMES)
    if ((counters[`drop.${name}`] ?? 0) > 0) drops[name] = counters[`drop.${name}`]!;
  return { framesRead: frames.length, ...counts, drops, host: host.describe(), warnings };
}

/** The summary as uvs-replay prints it. */
export function formatSummary(
  s: ReplaySummary,
  opts: Pick<ReplayOptions, 'inputs' | 'output'>,
): string {
  const row = (name: string, n: number, extra = ''): string =>
    `  ${name.padEnd(12)}${String(n).padStart(8)}${extra}`;
  const drops = Object.entries(s.drops)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `${s.framesRead} frames from ${opts.inputs.map((i) => i.file).join(', ')}`,
    ...s.host.map((l) => `  ${l}`),
    ...(s.skippedOutbound > 0
      ? [row('outbound', s.skippedOutbound, '  (marked outbound in the capture: skipped)')]
      : []),
    row('forwarded', s.verdicts.forward),
    row('replied', s.verdicts.reply),
    row('dropped', s.verdicts.drop, drops ? `  (${drops})` : ''),
    row('not ours', s.verdicts['not-ours']),
    ...(s.partialChecksums + s.gsoFrames > 0
      ? [
          `  offloads: ${s.partialChecksums} frame(s) with a partial checksum, ${s.gsoFrames} GSO super-frame(s), replayed as the kernel hands them to uvsd (virtio_net_hdr)`,
        ]
      : []),
    ...(s.cutBySnapLen > 0
      ? [`  ${s.cutBySnapLen} frame(s) were cut by the capture's snapshot length`]
      : []),
    `${opts.output}: ${s.written} frames`,
    '',
  ].join('\n');
}
