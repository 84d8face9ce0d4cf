// uvsd -f keepalived.conf in IPv6: keepalived's own IPv6 sample applied, and an IPv6 NAT
// maquette under keepalived — a virtual_server_group with an IPv6 range (2001:db8:10::23-24:
// ::24 is on no kernel interface, so uvsd answers neighbour solicitations for it), TCP_CHECK
// over IPv6 taking a stopped server out.
//
//   client 2001:db8:10::1 ── lan10 ── eth1 [director: uvsd -f] eth2 ── lan20 ──┬── S1 2001:db8:20::1
//                  VIPs 2001:db8:10::23 (kernel) and ::24 (uvsd only)          └── S2 2001:db8:20::2
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Lab } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { NAT6_MAQUETTE } from '../../src/lab/maquette6.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { count, fetchPages } from './helpers/nat-lab.js';

const SAMPLE = '/usr/share/doc/keepalived/samples/keepalived.conf.IPv6';
const dir = mkdtempSync(join(tmpdir(), 'uvs-ka6-'));
const conf = join(dir, 'keepalived.conf');
const lab = new Lab(NAT6_MAQUETTE, `uvk6${process.pid.toString(36)}`);
let uvsd: StartedProcess | undefined;

/** Waits (bounded) until `uvsadm -Sn` satisfies `ok`; returns it. */
function untilRules(what: string, ok: (rules: string) => boolean, seconds: number) {
  let rules = '';
  return until(
    () => {
      rules = lab.uvsadm(['-Sn']).stdout;
      return ok(rules) && rules;
    },
    { what, timeoutMs: seconds * 1000, intervalMs: 200, lastSeen: () => rules },
  );
}

function startUvsd(text: string): void {
  writeFileSync(conf, text);
  uvsd = lab.startDirector(['-f', conf]);
}

async function stopUvsd(): Promise<void> {
  const p = uvsd;
  uvsd = undefined;
  if (!p || p.child.exitCode !== null) return;
  p.child.kill('SIGTERM');
  await new Promise((r) => p.child.once('exit', r));
}

before(() => {
  lab.build();
});

after(() => {
  lab.destroy();
  rmSync(dir, { recursive: true, force: true });
});

test(
  "keepalived's IPv6 sample is accepted and applied: its IPv6 persistent virtual server as ipvsadm -S prints it",
  { skip: !existsSync(SAMPLE) },
  async () => {
    startUvsd(readFileSync(SAMPLE, 'utf8'));
    // Its real server starts up (no alpha) until SMTP_CHECK, which cannot reach ae00::10, says
    // otherwise: the service itself stays.
    await untilRules(
      'the IPv6 virtual server of the sample',
      (r) => r.startsWith('-A -t [ae00::1]:80 -s rr -p 50\n'),
      10,
    );
    await stopUvsd();
  },
);

test('an IPv6 NAT maquette under keepalived: a group range of VIPs, both forwarding, TCP_CHECK over IPv6', async () => {
  startUvsd(`global_defs {
    router_id UVS_KA6
}

virtual_server_group WEB6 {
    2001:db8:10::23-24 80
}

virtual_server group WEB6 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP

    real_server 2001:db8:20::1 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
    real_server 2001:db8:20::2 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
`);
  const rules = await untilRules(
    'both VIPs of the range with both real servers',
    (r) =>
      (r.match(/-a -t \[2001:db8:10::2[34]\]:80 -r \[2001:db8:20::[12]\]:80 -m -w 1/g) ?? [])
        .length === 4,
    10,
  );
  assert.match(rules, /^-A -t \[2001:db8:10::23\]:80 -s rr$/m);
  assert.match(rules, /^-A -t \[2001:db8:10::24\]:80 -s rr$/m);
  // uvsd's packet sockets receive the VIPs' solicited-node groups (a NIC filters multicast).
  let groups = '';
  await until(
    () => {
      groups = lab.run('director', 'ip', ['maddr', 'show', 'dev', 'eth1']).stdout;
      return /link {2}33:33:ff:00:00:24/.test(groups);
    },
    { what: "::24's solicited-node group on eth1", timeoutMs: 5000, lastSeen: () => groups },
  );
  // ::23 is on the director's eth1 (the kernel advertises it); ::24 on nothing: uvsd answers.
  for (const vip of ['2001:db8:10::23', '2001:db8:10::24']) {
    lab.run('client', 'ip', ['-6', 'neigh', 'flush', 'to', vip]);
    assert.deepEqual(
      fetchPages(lab, 4, `http://[${vip}]/`),
      [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2],
      vip,
    );
  }
  await lab.stopWebServer('s1');
  await untilRules('S1 out of both services', (r) => !r.includes('[2001:db8:20::1]'), 10);
  const pages = fetchPages(lab, 4, 'http://[2001:db8:10::24]/');
  assert.equal(count(pages, PAGE_S2), 4);
  await stopUvsd();
});
