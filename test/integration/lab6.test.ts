// The course's maquettes in IPv6 (uvs-lab nat6, dr6) build, the course's uvsadm commands run in
// IPv6 syntax, uvsd forwards through [VIP]:80 (pages alternate; in DR the replies bypass the
// director and only the director advertises the VIP), and teardown leaves no namespace behind.
//
//   nat6: client 2001:db8:10::1 ── lan10 ── [director ::254 + VIP ::23 | 2001:db8:20::254] ── lan20 ── S1 ::1, S2 ::2
//   dr6:  client ── lan10 ── router ── lan20 ── director ::253 + VIP 2001:db8:20::23, S1, S2 (VIP on lo)
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Lab } from '../../src/lab/lab.js';
import type { Maquette } from '../../src/lab/maquette.js';
import { DR6_MAQUETTE, NAT6_MAQUETTE } from '../../src/lab/maquette6.js';
import { checkMaquette6 } from '../../src/lab/maquette6-check.js';
import { namespacesWithPrefix } from '../../src/lab/topology.js';

const labs: Lab[] = [];
after(() => {
  for (const lab of labs) lab.destroy();
});

async function buildAndCheck(m: Maquette, tag: string) {
  const prefix = `uvt${process.pid.toString(36)}${tag}`;
  const lab = new Lab(m, prefix);
  labs.push(lab);
  lab.build();
  lab.startDirector();
  lab.configure();
  const r = await checkMaquette6(lab, 4);
  assert.ok(r.ok, r.report);
  assert.match(r.report, /Je suis le serveur 1/);
  assert.match(r.report, /Je suis le serveur 2/);
  assert.match(
    r.report,
    new RegExp(`TCP +[0-9:]+ +[A-Z_]+ +\\[2001:db8:10::1\\]:\\d+ +\\[${m.vip}\\]:80`),
  );
  lab.destroy();
  assert.deepEqual(namespacesWithPrefix(prefix), [], 'teardown is clean');
}

test('uvs-lab nat6 --check: pages through [VIP] alternate, -Lnc lists IPv6 connections, torn down cleanly', async () => {
  await buildAndCheck(NAT6_MAQUETTE, 'n6');
});

test('uvs-lab dr6 --check: pages alternate, replies bypass the director, only it advertises the VIP', async () => {
  await buildAndCheck(DR6_MAQUETTE, 'd6');
});
