// uvsd's VRRP against the Debian keepalived package (keepalived -P: VRRP only), on the same
// virtual_router_ids, in both arrangements: each elects the higher priority, and fails over
// both ways when the master's cables are pulled and plugged back. A tshark capture of the
// exchange dissects uvsd's adverts as valid VRRP (checksum good), version 2 and 3.
//
//   client ── lan10 ──┬── eth1 [director1] eth2 ──┬── lan20 ── S1, S2
//                     └── eth1 [director2] eth2 ──┘
//   one of the directors runs uvsd -f, the other keepalived -P, both on the same conf shape
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { captureFile } from '../../src/lab/capture.js';
import { HaLab } from '../../src/lab/ha-lab.js';
import {
  HA_DIRECTORS,
  HA_VIP,
  haKeepalivedConf,
  type HaDirector,
} from '../../src/lab/maquette-ha.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { fromMacPrefix, moreFramesIn } from './helpers/capture-wait.js';
import { tsharkFields } from './helpers/tshark.js';
import { until } from '../helpers/poll.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-kaint-'));
// Built in before(); destroy() is idempotent, safe even when the build failed.
const ha = new HaLab(`uvk2${process.pid.toString(36)}`, dir);
const keepalived = new Map<HaDirector, StartedProcess>();

const TAKEOVER_BOUND = 3000 + ((256 - 100) * 1000) / 256 + 1000;

before(() => {
  ha.build();
});

afterEach(async () => {
  for (const d of HA_DIRECTORS) {
    ha.cables(d, true);
    await ha.stopDirector(d, 'SIGKILL');
    const k = keepalived.get(d);
    if (k && k.child.exitCode === null) {
      const gone = new Promise((r) => k.child.once('exit', r));
      k.child.kill('SIGTERM');
      await gone;
    }
    keepalived.delete(d);
    for (const v of ha.vipsHeld(d))
      ha.lab.run(d, 'ip', ['addr', 'del', `${v}/24`, 'dev', v === HA_VIP ? 'eth1' : 'eth2']);
    ha.lab.run(d, 'nft', ['flush', 'ruleset']);
  }
});

after(() => {
  ha.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** keepalived -P (VRRP only) in `d`, logging to the console, pid files of its own. */
function startKeepalived(d: HaDirector, conf: string): StartedProcess {
  const file = join(dir, `keepalived-real-${d}.conf`);
  writeFileSync(file, conf);
  const p = ha.lab.topo.start(d, 'keepalived', [
    '-P',
    '-n',
    '-l',
    '-f',
    file,
    '-p',
    join(dir, `${d}.pid`),
    '-r',
    join(dir, `${d}-vrrp.pid`),
  ]);
  keepalived.set(d, p);
  return p;
}

/** tshark's verdict on every VRRP frame of a capture: version, source MAC, priority, checksum. */
function dissect(file: string): { version: string; mac: string; prio: string; csum: string }[] {
  const fields = ['vrrp.version', 'eth.src', 'vrrp.prio', 'vrrp.checksum.status', '_ws.malformed'];
  return tsharkFields(file, 'vrrp', fields).map((row) => {
    const [version, mac, prio, csum, malformed] = row;
    assert.ok(!malformed, `tshark: malformed VRRP: ${row.join('\t')}`);
    return { version: version!, mac: mac!, prio: prio!, csum: csum! };
  });
}

/**
 * Waits until the capture holds three more adverts of the master (uvsd's come from the virtual
 * router MAC, keepalived's from its NIC): its steady adverts, for tshark to read.
 */
function letAdvertsCross(file: string, masterIsUvsd: boolean): Promise<void> {
  return moreFramesIn(
    file,
    3,
    (f) => fromMacPrefix(f, '00:00:5e:00:01') === masterIsUvsd,
    "three of the master's adverts in the capture",
  );
}

const arrangements = [
  { name: 'uvsd 150 (v2) over keepalived 100', uvsd: 'director1', version: 2 },
  { name: 'keepalived 150 (v3) over uvsd 100', uvsd: 'director2', version: 3 },
] as const;

for (const a of arrangements) {
  test(`interop, ${a.name}: election, failover both ways, adverts dissected as valid VRRP v${a.version}`, async () => {
    const conf = (priority: number): string =>
      haKeepalivedConf({ priority, version: a.version, vrrpOnly: true });
    const [high, low]: HaDirector[] = ['director1', 'director2'];
    const frames = await captureFile(
      ha.ns('client'),
      'eth0',
      'ip proto 112',
      async (file) => {
        for (const d of [high!, low!]) {
          const prio = d === high ? 150 : 100;
          if (d === a.uvsd) await ha.startDirector(d, conf(prio));
          else startKeepalived(d, conf(prio));
        }
        await ha.waitMaster(high!, 20_000);
        assert.deepEqual(ha.vipsHeld(low!), [], 'the lower priority holds no VIP');
        await letAdvertsCross(file, a.uvsd === high);
        ha.cables(high!, false);
        const took = await ha.waitMaster(low!, 10_000);
        assert.ok(took <= TAKEOVER_BOUND, `${low} took over in ${took} ms`);
        ha.cables(high!, true);
        await ha.waitMaster(high!, 10_000);
        await until(() => ha.vipsHeld(low!).length === 0, {
          what: `${low} gives the VIPs back`,
          timeoutMs: 5000,
          intervalMs: 50,
          lastSeen: () => ha.vipsHeld(low!).join(' '),
        });
        await letAdvertsCross(file, a.uvsd === high);
      },
      dissect,
    );
    // uvsd's adverts come from the virtual router MAC (VRIDs 51, 52), keepalived's from its NIC.
    const uvsd = frames.filter((f) => /^00:00:5e:00:01:3[34]$/.test(f.mac));
    const others = frames.filter((f) => !/^00:00:5e:00:01:/.test(f.mac));
    assert.ok(uvsd.length >= 3, `uvsd adverts seen: ${uvsd.length}`);
    assert.ok(others.length >= 3, `keepalived adverts seen: ${others.length}`);
    for (const f of frames) {
      assert.equal(f.version, String(a.version));
      // Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
      assert.equal(f.csum, '1', `tshark's checksum status of ${JSON.stringify(f)}`);
    }
  });
}
