#!/usr/bin/env node
// uvsd — the uvs director daemon. Thin: options, objects, start, signals.
import { ControlServer } from '../control/control-server.js';
import { defaultSocketPath } from '../control/socket-path.js';
import { Daemon } from '../daemon/daemon.js';
import { engineNow } from '../daemon/engine-clock.js';
import { EngineShared } from '../engine/engine-shared.js';
import { Host } from '../daemon/host.js';
import { parseDaemonOptions } from '../daemon/options.js';
import { KeepalivedRunner } from '../keepalived/keepalived-runner.js';
import { servedInterfaces } from '../daemon/served-interfaces.js';
import { PcapBackend } from '../io/pcap-backend.js';
import { createMetricsRegistry, serveMetrics } from '../metrics/metrics.js';
import { FwmarkTap, TAP_IF } from '../net/fwmark-tap.js';
import { InterfaceTable } from '../net/interfaces.js';

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

async function main(): Promise<void> {
  const opts = parseDaemonOptions(process.argv.slice(2));
  const tap = await FwmarkTap.create().catch((err: Error) => {
    log(`uvsd: no firewall-mark services (${err.message})`);
    return undefined;
  });
  process.on('exit', () => tap?.close());
  const ifaces = new InterfaceTable();
  await ifaces.refresh();
  const served = await servedInterfaces(ifaces, opts.interfaces, log);
  const io = new PcapBackend(
    (name) => ifaces.named(name),
    new Map([[TAP_IF, FwmarkTap.captureFilter()]]),
  );
  const shared = EngineShared.create(opts.connTableSize, engineNow());
  const host = new Host(io, () => served, opts.kernelGuard, tap, shared.neighbours);
  // Whatever happens from here, the guard must not outlive uvsd.
  process.on('exit', () => host.close());
  const daemon = new Daemon(shared, host, io, log);
  if (tap) daemon.setMarkInterface(ifaces.named(TAP_IF)?.ifIndex ?? -1);
  // Frames flow before uvsadm can reach uvsd: a service configured is a service served.
  await daemon.start(tap ? [...served, TAP_IF] : served);
  const control = new ControlServer(daemon.director, () => daemon.settled());
  const socket = opts.socket ?? defaultSocketPath();
  await control.listen(socket);
  const keepalived =
    opts.configFile !== undefined
      ? new KeepalivedRunner(opts.configFile, daemon.director, (m) => log(`uvsd: ${m}`))
      : undefined;
  keepalived?.load();
  const metrics =
    opts.metrics !== undefined
      ? await serveMetrics(createMetricsRegistry(daemon.director), opts.metrics)
      : undefined;

  let stopping = false;
  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    control.close();
    metrics?.close();
    keepalived?.stop();
    void daemon.close().finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  process.on('SIGHUP', () =>
    keepalived ? keepalived.reload() : log('uvsd: SIGHUP: nothing to reload (no -f configuration)'),
  );

  log(
    `uvsd: serving ${served.join(', ')} (io ${io.name}), control socket ${socket}${opts.metrics ? `, metrics on ${opts.metrics}` : ''}`,
  );
}

main().catch((err: Error & { code?: string }) => {
  log(`uvsd: ${err.message}`);
  process.exit(err.code === 'E_USAGE' ? 2 : 1);
});
