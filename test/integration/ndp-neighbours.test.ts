// uvs's userspace neighbour discovery against a real kernel: it resolves a real server's MAC
// by solicitation, and it answers the real server's solicitation for a VIP that only uvs
// holds, so that the server's kernel puts the director's MAC in its neighbour table.
//
//   director (runs NdpNeighbours over libpcap; no VIP on its kernel) ── lan ── rs (a kernel)
//   eth0 2001:db8:20::fe/64                                                   eth0 2001:db8:20::11/64
//   VIP 2001:db8:20::100 (answered by uvs only)
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { nsExec } from '../../src/lab/shell.js';
import { Topology } from '../../src/lab/topology.js';

const NDP_PEER = fileURLToPath(new URL('./fixtures/ndp-peer.js', import.meta.url));
const VIP = '2001:db8:20::100';
const topo = new Topology(`uvt${process.pid.toString(36)}nd`);
let peer: ChildProcess | undefined;
let output = '';

const macOf = (host: string): string =>
  (
    JSON.parse(nsExec(topo.ns(host), 'ip', ['-j', 'link', 'show', 'eth0'])) as { address: string }[]
  )[0]!.address;

async function waitFor(what: RegExp, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what.test(output)) {
    if (Date.now() > deadline) throw new Error(`no ${what} from ndp-peer: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  topo.create();
  topo.addLan('lan');
  topo.addHost('director');
  topo.addHost('rs');
  topo.plug('director', 'eth0', 'lan', ['2001:db8:20::fe/64']);
  topo.plug('rs', 'eth0', 'lan', ['2001:db8:20::11/64']);
  peer = spawn(
    'ip',
    [
      'netns',
      'exec',
      topo.ns('director'),
      process.execPath,
      NDP_PEER,
      'eth0',
      '2001:db8:20::11',
      VIP,
      '20000',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  peer.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  peer.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(/ready/, 15_000);
});

after(() => {
  if (peer?.exitCode === null) peer.kill('SIGTERM');
  topo.destroy();
});

test("a real server's MAC is resolved by solicitation and learnt from the kernel's advertisement", async () => {
  await waitFor(/resolved /, 10_000);
  assert.equal(/resolved (\S+)/.exec(output)?.[1], macOf('rs'));
});

test("uvs answers the real server's solicitation for a VIP it holds: the kernel learns the director's MAC", async () => {
  // The echo request needs the VIP's MAC first; nobody answers the echo itself.
  spawnSync('ip', ['netns', 'exec', topo.ns('rs'), 'ping', '-6', '-c', '1', '-W', '1', VIP]);
  await waitFor(/answered/, 5000);
  const neigh = JSON.parse(nsExec(topo.ns('rs'), 'ip', ['-j', '-6', 'neigh', 'show', VIP])) as {
    lladdr?: string;
  }[];
  assert.equal(neigh[0]?.lladdr, macOf('director'));
});
