// The course's maquettes in IPv6 (uvs-lab nat6, dr6) build, their real servers answer by
// their IPv6 addresses from the director and, routed, from the client, uvsd runs in the
// IPv6-only director (and refuses IPv6 services until its engine forwards them), and
// teardown leaves no namespace behind.
//
//   nat6: client 2001:db8:10::1 ── lan10 ── [director ::254 + VIP ::23 | 2001:db8:20::254] ── lan20 ── S1 ::1, S2 ::2
//   dr6:  client ── lan10 ── router ── lan20 ── director ::253 + VIP 2001:db8:20::23, S1, S2 (VIP on lo)
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Lab } from '../../src/lab/lab.js';
import type { Maquette } from '../../src/lab/maquette.js';
import {
  DR6_COMMANDS,
  DR6_MAQUETTE,
  NAT6_COMMANDS,
  NAT6_MAQUETTE,
} from '../../src/lab/maquette6.js';
import { checkMaquette6 } from '../../src/lab/maquette6-check.js';
import { namespacesWithPrefix } from '../../src/lab/topology.js';

const labs: Lab[] = [];
after(() => {
  for (const lab of labs) lab.destroy();
});

async function buildAndCheck(m: Maquette, commands: readonly (readonly string[])[], tag: string) {
  const prefix = `uvt${process.pid.toString(36)}${tag}`;
  const lab = new Lab(m, prefix);
  labs.push(lab);
  lab.build();
  lab.startDirector();
  const r = await checkMaquette6(lab, 2);
  assert.ok(r.ok, r.report);
  assert.match(r.report, /Je suis le serveur 1/);
  assert.match(r.report, /Je suis le serveur 2/);
  const refused = lab.uvsadm(commands[0]!);
  assert.deepEqual(
    { code: refused.code, err: refused.stderr },
    { code: 255, err: 'Operation not supported with specified address family\n' },
  );
  assert.equal(lab.uvsadm(['-Ln']).code, 0, 'uvsd still answers');
  lab.destroy();
  assert.deepEqual(namespacesWithPrefix(prefix), [], 'teardown is clean');
}

test('uvs-lab nat6: built, servers answer over IPv6, torn down cleanly', async () => {
  await buildAndCheck(NAT6_MAQUETTE, NAT6_COMMANDS, 'n6');
});

test('uvs-lab dr6: built, servers answer over IPv6, torn down cleanly', async () => {
  await buildAndCheck(DR6_MAQUETTE, DR6_COMMANDS, 'd6');
});
