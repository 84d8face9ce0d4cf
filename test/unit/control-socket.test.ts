import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ControlClient, DaemonUnreachableError } from '../../src/control/control-client.js';
import { ControlServer, ControlSocketError } from '../../src/control/control-server.js';
import { ControlError } from '../../src/control/control-error.js';
import type { ServiceView } from '../../src/engine/model.js';
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
      /"ok":false,"code":"E_INVALID".*args\[0\]\.key\.vip must be an IPv4 or IPv6 address/,
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

/** One request's answer, decoded. */
async function ask(
  path: string,
  method: string,
  args: unknown[],
): Promise<Record<string, unknown>> {
  return JSON.parse(await rawRequest(path, JSON.stringify({ id: 7, method, args }))) as Record<
    string,
    unknown
  >;
}

const KEY = { kind: 'addr', proto: 'tcp', vip: '10.0.0.1', port: 80 };
const DEST = {
  addr: '10.0.1.1',
  port: 80,
  method: 0,
  weight: 1,
  upperThreshold: 0,
  lowerThreshold: 0,
};

test('every request is validated: E_INVALID names the field, and nothing changes', async () => {
  const path = join(dir, 'v.sock');
  const director = new EngineRig().director;
  const server = new ControlServer(director);
  await server.listen(path);
  try {
    const rows: { args: unknown[]; method: string; expect: RegExp }[] = [
      {
        method: 'addService',
        args: [{ key: { ...KEY, port: '80' }, scheduler: 'rr' }],
        expect: /^addService: args\[0\]\.key\.port must be an integer from 0 to 65535, not "80"$/,
      },
      {
        method: 'addService',
        args: [{ key: KEY, scheduler: 'rr', weight: 3 }],
        expect: /^addService: args\[0\]\.weight is not a field of this request$/,
      },
      {
        method: 'addService',
        args: [{ key: { kind: 'fwmark', fwmark: 0 }, scheduler: 'rr' }],
        expect: /args\[0\]\.key\.fwmark must be an integer from 1 to 4294967295, not 0/,
      },
      { method: 'addService', args: [], expect: /^addService: takes 1 argument\(s\), not 0$/ },
      {
        method: 'addDest',
        args: [KEY, { ...DEST, weight: -1 }],
        expect: /^addDest: args\[1\]\.weight must be an integer from 0 to 65535, not -1$/,
      },
      {
        method: 'addDest',
        args: [KEY, { ...DEST, method: 'nat' }],
        expect: /args\[1\]\.method must be one of 0, 1, 2, 3, not "nat"/,
      },
      { method: 'deleteDest', args: [KEY, '10.0.1.1'], expect: /takes 3 argument\(s\), not 2/ },
      { method: 'setTimeouts', args: [{ tcp: 1, tcpFin: 1 }], expect: /args\[0\]\.udp is missing/ },
      { method: 'zero', args: [KEY, KEY], expect: /^zero: takes 0 to 1 argument\(s\), not 2$/ },
      {
        method: 'editService',
        args: [{ key: KEY, scheduler: 'rr', persistence: { timeout: 300, netmask: 'x' } }],
        expect:
          /args\[0\]\.persistence\.netmask must be a netmask \(a\.b\.c\.d\) or an IPv6 prefix length/,
      },
    ];
    for (const r of rows) {
      const answer = await ask(path, r.method, r.args);
      assert.equal(answer['code'], 'E_INVALID', JSON.stringify(answer));
      assert.match(String(answer['message']), r.expect);
    }
    assert.deepEqual(director.services(), [], 'nothing was applied');
    assert.equal((await ask(path, 'addService', [{ key: KEY, scheduler: 'rr' }]))['ok'], true);
    assert.equal((await ask(path, 'addDest', [KEY, DEST]))['ok'], true);
    assert.equal((await ask(path, 'zero', []))['ok'], true);
  } finally {
    server.close();
  }
});

test('a failure inside uvsd is E_INTERNAL, not E_INVALID, and is logged', async () => {
  const path = join(dir, 'i.sock');
  const director = new EngineRig().director;
  const broken = Object.create(director) as typeof director;
  broken.services = () => {
    throw new TypeError('the table is gone');
  };
  const logged: string[] = [];
  const server = new ControlServer(
    broken,
    async () => {},
    (m) => logged.push(m),
  );
  await server.listen(path);
  try {
    const answer = await ask(path, 'services', []);
    assert.equal(answer['code'], 'E_INTERNAL');
    assert.equal(answer['message'], 'internal error: the table is gone');
    assert.match(
      logged.join('\n'),
      /control request services failed: TypeError: the table is gone/,
    );
  } finally {
    server.close();
  }
});
