import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ControlClient, DaemonUnreachableError } from '../../src/control/control-client.js';
import { ControlServer, ControlSocketError } from '../../src/control/control-server.js';
import { ControlError, type ServiceView } from '../../src/engine/model.js';
import { EngineRig } from './fixtures/engine-rig.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-ctl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rawRequest(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\n')) {
        s.end();
        resolve(got.trim());
      }
    });
    s.on('error', reject);
    s.write(line + '\n');
  });
}

test('requests reach the director; refusals come back as ControlError with their code', async () => {
  const path = join(dir, 'a.sock');
  const server = new ControlServer(new EngineRig().director);
  await server.listen(path);
  const client = new ControlClient(path);
  await client.connect();
  try {
    const key = { kind: 'addr', proto: 'tcp', vip: '10.0.0.1', port: 80 };
    await client.call('addService', { key, scheduler: 'rr' });
    const services = await client.call<ServiceView[]>('services');
    assert.equal(services[0]?.scheduler, 'rr');
    await assert.rejects(
      client.call('addService', { key, scheduler: 'rr' }),
      (e: unknown) => e instanceof ControlError && e.code === 'E_SERVICE_EXISTS',
    );
  } finally {
    client.close();
    server.close();
  }
});

test('a malformed request gets an error answer and the server keeps serving', async () => {
  const path = join(dir, 'b.sock');
  const server = new ControlServer(new EngineRig().director);
  await server.listen(path);
  try {
    assert.match(await rawRequest(path, 'not json'), /"ok":false.*not valid JSON/);
    assert.match(await rawRequest(path, '{"id":1,"method":"rm -rf","args":[]}'), /unknown method/);
    assert.match(
      await rawRequest(
        path,
        '{"id":2,"method":"addService","args":[{"key":{"kind":"addr","proto":"tcp","vip":"999.1.1.1","port":80},"scheduler":"rr"}]}',
      ),
      /"ok":false.*invalid IPv4 address/,
    );
    assert.match(
      await rawRequest(path, '{"id":3,"method":"connTableSize","args":[]}'),
      /"ok":true,"result":4096/,
    );
  } finally {
    server.close();
  }
});

test('a stale socket file of a killed uvsd is replaced; a live one is refused', async () => {
  const path = join(dir, 'c.sock');
  writeFileSync(path, ''); // a leftover file nobody listens on
  const first = new ControlServer(new EngineRig().director);
  await first.listen(path);
  try {
    const second = new ControlServer(new EngineRig().director);
    await assert.rejects(
      second.listen(path),
      (e: unknown) => e instanceof ControlSocketError && /already answers/.test(e.message),
    );
  } finally {
    first.close();
  }
});

test('a client without a daemon gets a clear error naming the socket', async () => {
  const client = new ControlClient(join(dir, 'none.sock'));
  await assert.rejects(
    client.connect(),
    (e: unknown) =>
      e instanceof DaemonUnreachableError && /none\.sock.*is uvsd running/.test(e.message),
  );
});
