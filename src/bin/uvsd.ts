#!/usr/bin/env node
// uvsd — the uvs director daemon. Thin: options, objects, start, signals.
// First import: from here on SIGUSR1 is uvsd's, never Node's inspector (see signals.ts).
import '../daemon/signals.js';
import { ControlServer } from '../control/control-server.js';
import { groupId } from '../control/socket-access.js';
import { defaultSocketPath } from '../control/socket-path.js';
import { Daemon } from '../daemon/daemon.js';
import type { EngineShared } from '../engine/engine-shared.js';
import { adoptConnections } from '../daemon/conn-adoption.js';
import { engineSyncTable } from '../daemon/sync-wiring.js';
import { connTablePath, openConnTable } from '../daemon/conn-table-file.js';
import { DirectorTrace } from '../daemon/director-trace.js';
import { createSyncDaemons, readVrrp, startVrrp } from '../daemon/ha.js';
import { GatedHost, VipGate } from '../daemon/vrrp-wiring.js';
import { engineNow } from '../daemon/engine-clock.js';
import { parseDaemonOptions, type DaemonOptions } from '../daemon/options.js';
import { InlineForwarding, WorkerForwarding, type Forwarding } from '../daemon/forwarding.js';
import { DEFAULT_RING_V2, DEFAULT_RING_V3 } from '../io/afpacket/ring-config.js';
import { KeepalivedRunner } from '../keepalived/keepalived-runner.js';
import { currentServed, servedInterfaces } from '../daemon/served-interfaces.js';
import { PcapBackend } from '../io/pcap-backend.js';
import { createMetricsRegistry, serveMetrics } from '../metrics/metrics.js';
import { FwmarkTap, TAP_CAPTURE_IF } from '../net/fwmark-tap.js';
import { InterfaceTable } from '../net/interfaces.js';
import { startWebView } from '../web/web-server.js';
// keepalived's daemon conventions.
import { ConfigStore } from '../daemon/config-store.js';
import { answerAndExit, claimNamespace, serveDumpSignals } from '../daemon/daemon-conventions.js';
import { installLastResort } from '../daemon/last-resort.js';
import { Logger } from '../daemon/log.js';
import { rulesPath } from '../daemon/runtime-paths.js';
import { SavedRules } from '../daemon/saved-rules.js';
import type { SyncDaemonControl } from '../control/protocol.js';

let log = (msg: string): void => void process.stderr.write(`${msg}\n`);
let logger: Logger | undefined;

function makeForwarding(
  opts: DaemonOptions,
  shared: EngineShared,
  ifaces: InterfaceTable,
): Forwarding {
  if (opts.io === 'pcap') {
    const io = new PcapBackend(
      (name) => ifaces.named(name),
      new Map([[TAP_CAPTURE_IF, FwmarkTap.captureFilter()]]),
    );
    return new InlineForwarding(io, shared);
  }
  const fault = process.env['UVS_TEST_WORKER_FAULT_FILE'];
  return new WorkerForwarding(shared, {
    workers: opts.workers,
    ring: opts.ring === 'v3' ? DEFAULT_RING_V3 : DEFAULT_RING_V2,
    spinUs: opts.busyPollUs,
    qdiscBypass: opts.qdiscBypass,
    log,
    ...(fault !== undefined ? { faultFile: fault } : {}),
  });
}

/** -v and -t answer and exit; then the log and the last-resort handler. */
function startLogging(opts: DaemonOptions): Logger {
  const answer = answerAndExit(opts);
  if (answer) {
    process.stdout.write(answer.stdout);
    process.stderr.write(answer.stderr);
    process.exit(answer.exitCode);
  }
  const l = new Logger({
    console: opts.logConsole || opts.logFacility === undefined,
    detail: opts.logDetail,
    ...(opts.logFacility !== undefined ? { facility: opts.logFacility } : {}),
    ...(opts.syslogSocket !== undefined ? { syslogSocket: opts.syslogSocket } : {}),
  });
  log = l.info;
  installLastResort(l.error, (code) => void l.close().finally(() => process.exit(code)));
  return l;
}

/** The host, the connection table and the forwarding, wired into a Daemon (not started). */
async function buildDaemon(opts: DaemonOptions) {
  const tap = await FwmarkTap.create().catch((err: Error) => {
    log(`uvsd: no firewall-mark services (${err.message})`);
    return undefined;
  });
  process.on('exit', () => tap?.close());
  const ifaces = new InterfaceTable();
  await ifaces.refresh();
  let served = await servedInterfaces(ifaces, opts.interfaces, log, opts.io === 'afpacket');
  // The table of a previous uvsd in this namespace is kept until the configuration is back.
  const shared = openConnTable(opts.connTableSize, engineNow(), opts.restore, log);
  const forwarding = makeForwarding(opts, shared, ifaces);
  // A VRRP backup's VIPs are the master's: the engine neither answers ARP for them nor serves
  // them (ha.ts).
  const gate = new VipGate();
  const host = new GatedHost(
    gate,
    forwarding.sender,
    () => served,
    opts.kernelGuard,
    tap,
    shared.neighbours,
    shared.neighbours6,
  );
  // Whatever happens from here, the guard must not outlive uvsd.
  process.on('exit', () => host.close());
  const daemon = new Daemon(shared, host, forwarding, log);
  daemon.setDefense(opts.defense);
  gate.onChange(() => daemon.configChanged());
  if (tap) daemon.setMarkInterface(ifaces.named(TAP_CAPTURE_IF)?.ifIndex ?? -1);
  const toServe = (): string[] => (tap ? [...served, TAP_CAPTURE_IF] : served);
  // Interfaces that come and go (AF_PACKET: libpcap's set is fixed at start).
  if (opts.io === 'afpacket')
    daemon.followInterfaces(() => {
      served = currentServed(host.interfaces, opts.interfaces);
      return toServe();
    });
  return { ifaces, shared, forwarding, gate, host, daemon, toServe };
}

/** The control socket's server: uvsadm's requests, the sync daemons and trace sessions. */
function controlServer(
  daemon: Daemon,
  forwarding: Forwarding,
  ifaces: InterfaceTable,
  rules: SavedRules | undefined,
  sync: SyncDaemonControl,
): { control: ControlServer; trace: DirectorTrace } {
  const trace = new DirectorTrace(
    daemon.serviceTable,
    () => forwarding.threads,
    (rings) => forwarding.setTrace(rings),
    (ifIndex) => ifaces.get(ifIndex)?.name ?? `if${ifIndex}`,
    engineNow,
  );
  const control = new ControlServer(
    rules?.watching() ?? daemon.director,
    () => daemon.settled(),
    (m) => log(m),
    (m) => logger?.detail(m),
  );
  control.serveSync(sync);
  control.serveTrace({
    traceStart: (key) => trace.start(key),
    traceRead: (session) => trace.read(session),
    traceStop: (session) => trace.stop(session),
  });
  return { control, trace };
}

/** SIGTERM and SIGINT: `close` what runs, then exit 0 (once, whatever comes twice). */
function onStopSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void close()
      .then(() => logger?.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The start line: what is served, how, and where uvsadm reaches it. */
function servingLine(
  served: readonly string[],
  io: string,
  opts: DaemonOptions,
  socket: string,
): string {
  const ifNames = served.filter((n) => n !== TAP_CAPTURE_IF).join(', ');
  const workers = opts.io === 'afpacket' ? `, ${opts.workers} worker(s)` : '';
  const metrics = opts.metrics ? `, metrics on ${opts.metrics}` : '';
  return `uvsd: serving ${ifNames} (io ${io}${workers}), control socket ${socket}${metrics}`;
}

async function main(): Promise<void> {
  const opts = parseDaemonOptions(process.argv.slice(2));
  logger = startLogging(opts);
  // The namespace is claimed before anything touches the host.
  const socket = opts.socket ?? defaultSocketPath();
  const socketGid = opts.socketGroup !== undefined ? groupId(opts.socketGroup) : undefined;
  const claim = claimNamespace(socket, opts.pidFile);
  process.on('exit', () => claim.release());
  // The VRRP part of a keepalived.conf is read first: a broken one starts nothing.
  const vrrpConfig = opts.configFile !== undefined ? readVrrp(opts.configFile, log) : undefined;
  const { ifaces, shared, forwarding, gate, host, daemon, toServe } = await buildDaemon(opts);
  // Rules kept across restarts (not with -f), restored through uvsadm -R.
  const rules =
    opts.configFile === undefined
      ? new SavedRules(new ConfigStore(rulesPath(opts.stateDir)), daemon.director, log)
      : undefined;
  const keepalived =
    opts.configFile !== undefined
      ? new KeepalivedRunner(opts.configFile, daemon.director, (m) => log(`uvsd: ${m}`))
      : undefined;
  // The configuration first, then the previous uvsd's connections bound to it, then frames:
  // a connection that was established before a restart goes on after it.
  if (rules && opts.restore) await rules.restore();
  keepalived?.load();
  if (shared.found) {
    const kept = adoptConnections(shared, daemon.serviceTable, engineNow());
    log(`uvsd: took over ${kept} connection(s) from the previous uvsd (${connTablePath()})`);
  }
  // Frames flow before uvsadm can reach uvsd: a service configured is a service served.
  await daemon.start(toServe());
  const ha = { director: daemon.director, host, gate, kernelGuard: opts.kernelGuard, log };
  const syncTable = engineSyncTable(shared, daemon, host);
  const sync = createSyncDaemons(ha, syncTable);
  const { control, trace } = controlServer(daemon, forwarding, ifaces, rules, sync);
  await control.listen(socket, socketGid);
  const vrrp = vrrpConfig ? await startVrrp(vrrpConfig, ha, sync, keepalived) : undefined;
  process.on('exit', () => vrrp?.exit());
  serveDumpSignals(daemon.director, keepalived, socket, log); // SIGUSR1/SIGUSR2
  const metrics =
    opts.metrics !== undefined
      ? await serveMetrics(createMetricsRegistry(daemon.director), opts.metrics, (m) => log(m))
      : undefined;
  const web =
    opts.web !== undefined ? await startWebView(opts.web, daemon.director, keepalived) : undefined;

  onStopSignals(() => {
    // A master's priority 0 advert goes before anything closes: the backup takes over at once.
    vrrp?.shutdown();
    for (const part of [control, metrics, web, sync, syncTable, trace]) part?.close();
    keepalived?.stop();
    return daemon.close();
  });
  process.on('SIGHUP', () =>
    keepalived ? keepalived.reload() : log('uvsd: SIGHUP: nothing to reload (no -f configuration)'),
  );
  log(servingLine(toServe(), forwarding.name, opts, socket));
}

main().catch(async (err: Error & { code?: string }) => {
  (logger?.error ?? log)(`uvsd: ${err.message}`);
  await logger?.close();
  process.exit(err.code === 'E_USAGE' ? 2 : 1);
});
