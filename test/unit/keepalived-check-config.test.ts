// checkConfig, what `uvsd -t` calls: errors refuse the file, warnings are what keepalived -t
// would flag too (host checks included), notices what uvs does not act on; it never throws
// and writes nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkConfig } from '../../src/keepalived/check-config.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-kcf-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const VRRP = `vrrp_instance V {
 interface eth7
 virtual_router_id 1
 virtual_ipaddress {
  10.0.0.1/24 dev eth8
 }
 track_interface {
  eth9
 }
}
`;

test('a missing file is an error at line 0, not an exception', () => {
  const c = checkConfig(join(dir, 'nothere.conf'));
  assert.deepEqual(c.errors, [`${join(dir, 'nothere.conf')}:0: cannot read: ENOENT`]);
  assert.equal(c.config, undefined);
});

test('a broken line is an error with its file:line; nothing else is reported', () => {
  const file = write('broken.conf', 'virtual_server 10.0.0.1 80 {\n lb_kind NATT\n}\n');
  assert.deepEqual(checkConfig(file), {
    errors: [`${file}:2: unknown lb_kind "NATT" (expected NAT, DR or TUN)`],
    warnings: [],
    notices: [],
    diagnostics: [],
  });
});

test('interfaces the file names must exist on the host (checked against the given set)', () => {
  const file = write('vrrp.conf', VRRP);
  const c = checkConfig(file, { interfaces: new Set(['lo', 'eth7']) });
  assert.deepEqual(c.errors, []);
  assert.deepEqual(c.warnings, [
    `${file}:5: interface eth8 for ip address 10.0.0.1/24 doesn't exist`,
    `${file}:8: interface eth9 for track_interface of V doesn't exist`,
  ]);
  assert.deepEqual(
    checkConfig(file, { interfaces: new Set(['eth7', 'eth8', 'eth9']) }).warnings,
    [],
  );
});

test('VRRP on loopback is refused as keepalived refuses it', () => {
  const file = write('lo.conf', VRRP.replace('eth7', 'lo'));
  assert.deepEqual(checkConfig(file, { interfaces: new Set(['lo', 'eth8', 'eth9']) }).warnings, [
    `${file}:2: (vrrp_instance V) cannot use a loopback interface (lo) for vrrp`,
  ]);
});

test("scripts found on the host without enable_script_security: keepalived's SECURITY VIOLATION", () => {
  const body = ` lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.0.0.2 80 {\n  MISC_CHECK {\n   misc_path "/bin/sh -c true"\n  }\n }\n}\n`;
  const file = write('misc.conf', `virtual_server 10.0.0.1 80 {\n${body}`);
  assert.deepEqual(checkConfig(file).warnings, [
    `${file}:6: SECURITY VIOLATION - check scripts are being executed but script_security not enabled.`,
  ]);
  const secure = write(
    'secure.conf',
    `global_defs {\n enable_script_security\n}\nvirtual_server 10.0.0.1 80 {\n${body}`,
  );
  assert.deepEqual(checkConfig(secure).warnings, []);
  const absent = write(
    'absent.conf',
    `virtual_server 10.0.0.1 80 {\n${body.replace('/bin/sh', '/nonexistent/sh')}`,
  );
  assert.deepEqual(checkConfig(absent).warnings, [], 'a script not on this host is not run');
});

test('notices are kept apart from warnings', () => {
  const file = write(
    'notice.conf',
    'bfd_instance b {\n}\nvirtual_server 10.0.0.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.0.0.2 80 {\n }\n}\n',
  );
  const c = checkConfig(file);
  assert.deepEqual([c.errors, c.warnings], [[], []]);
  assert.deepEqual(c.notices, [`${file}:1: bfd_instance is not supported by uvs; ignored`]);
});

test('checking writes nothing next to the configuration', () => {
  const before = readdirSync(dir).sort();
  checkConfig(write('quiet.conf', VRRP));
  assert.deepEqual(readdirSync(dir).sort(), [...before, 'quiet.conf'].sort());
});
