// The async callbacks audited for issue 11 (a throw there used to stop uvsd or uvsadm): a
// truncated DNS answer, a control socket peer that does not speak the protocol, an answer that
// cannot be serialised, and an `ip monitor` that dies.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ControlClient } from '../../src/control/control-client.js';
import { ControlServer } from '../../src/control/control-server.js';
import { dnsAnswers, dnsQuery } from '../../src/health/dns-check.js';
import { LinkWatch } from '../../src/net/link-watch.js';
import { EngineRig } from './fixtures/engine-rig.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-callbacks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a DNS answer cut short is no answer, and reading it never throws', () => {
  const q = dnsQuery(7, 'www.example.test', 1);
  const answer = Buffer.concat([
    q,
    Buffer.from([0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1]),
  ]);
  answer.writeUInt16BE(0x8180, 2); // a response, no error
  answer.writeUInt16BE(1, 6); // one answer
  assert.equal(dnsAnswers(answer, 7, 1), true);
  for (let len = 12; len < answer.length - 6; len++)
    assert.equal(dnsAnswers(answer.subarray(0, len), 7, 1), false, `cut at ${len}`);
  answer.writeUInt16BE(40, 6); // claims 40 answers, holds one of another type
  answer.writeUInt16BE(28, q.length + 2);
  assert.equal(dnsAnswers(answer, 7, 1), false);
});

test('uvsadm facing a socket that does not speak the protocol gets an error, not a crash', async () => {
  const path = join(dir, 'garbage.sock');
  const server = createServer((s) => s.on('data', () => s.write('HTTP/1.1 400 Bad Request\n')));
  await new Promise<void>((r) => server.listen(path, r));
  const client = new ControlClient(path);
  try {
    await client.connect();
    await assert.rejects(client.call('services'), /answered something that is not uvsd's protocol/);
  } finally {
    client.close();
    server.close();
  }
});

test('an answer that cannot be serialised drops that connection; the server keeps serving', async () => {
  const path = join(dir, 'bigint.sock');
  const director = new EngineRig().director;
  const odd = Object.create(director) as typeof director;
  odd.counters = () => ({ weird: 1n as unknown as number });
  const logged: string[] = [];
  const server = new ControlServer(
    odd,
    async () => {},
    (m) => logged.push(m),
  );
  await server.listen(path);
  try {
    const closed = await new Promise<boolean>((resolve) => {
      const s = createConnection(path);
      s.on('close', () => resolve(true));
      s.write('{"id":1,"method":"counters","args":[]}\n');
    });
    assert.ok(closed);
    assert.match(
      logged.join('\n'),
      /cannot answer a request: TypeError: Do not know how to serialize a BigInt/,
    );
    const client = new ControlClient(path);
    await client.connect();
    assert.equal(await client.call<number>('connTableSize'), 4096);
    client.close();
  } finally {
    server.close();
  }
});

test('an ip monitor that dies is started again, and a change is signalled', async () => {
  let changes = 0;
  const logged: string[] = [];
  const watch = new LinkWatch(
    () => changes++,
    (m) => logged.push(m),
  );
  watch.start();
  try {
    const child = (watch as unknown as { child: { pid: number } }).child;
    await new Promise((r) => setTimeout(r, 200));
    process.kill(child.pid, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (changes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(changes, 1);
    assert.match(logged.join('\n'), /ip monitor stopped \(SIGKILL\), starting it again/);
    const again = (watch as unknown as { child: { pid: number } }).child;
    assert.notEqual(again.pid, child.pid);
  } finally {
    watch.close();
  }
});
