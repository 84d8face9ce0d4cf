// keepalived.conf → KeepalivedConfig. The top-level keywords form a table as keepalived's
// install_keyword_root does; each block has its own table (virtual-server-reader,
// checker-reader, global-reader, vrrp-*-reader). The whole file is read before anything is
// applied: a broken line changes nothing. global_defs is read first, wherever it stands.
import type { GlobalDefs } from './global-model.js';
import { readGlobalDefs } from './global-reader.js';
import { readGroup } from './group-reader.js';
import type { InterfaceUse } from './ip-address-reader.js';
import { accepted, keywordTable, readBlock, set, unsupported, type Keyword } from './keywords.js';
import { ConfigError, lexConfig, lexConfigText, type LexOptions } from './lexer.js';
import type {
  GroupMember,
  InterfaceRef,
  KeepalivedConfig,
  SslSpec,
  VirtualServerSpec,
} from './model.js';
import { omit, Reader, type Draft } from './reader.js';
import { parseTree, type Statement } from './tree.js';
import { validateVirtualServer, type VirtualServerFacts } from './lvs-validate.js';
import { readVirtualServer } from './virtual-server-reader.js';
import { readInstance, type InstanceDraft } from './vrrp-instance-reader.js';
import type { IpAddressSpec, RouteSpec, RuleSpec, VrrpScriptSpec } from './vrrp-model.js';
import {
  readStaticAddresses,
  readStaticRoutes,
  readStaticRules,
  readSyncGroup,
  readVrrpScript,
  type SyncGroupDraft,
} from './vrrp-reader.js';
import { finishVrrp } from './vrrp-validate.js';

/** Everything read from the top level, before the cross-block checks. */
interface RootDraft {
  readonly global: GlobalDefs;
  readonly virtualServers: { spec: VirtualServerSpec; facts: VirtualServerFacts }[];
  readonly groups: Map<string, GroupMember[]>;
  ssl?: SslSpec;
  netNamespace?: string;
  readonly scripts: Map<string, VrrpScriptSpec & { readonly s: Statement }>;
  readonly usedScripts: Set<string>;
  readonly instances: { s: Statement; d: InstanceDraft }[];
  readonly syncGroups: { s: Statement; d: SyncGroupDraft }[];
  readonly staticIpAddresses: IpAddressSpec[];
  readonly staticRoutes: RouteSpec[];
  readonly staticRules: RuleSpec[];
  readonly interfaceRefs: InterfaceRef[];
  readonly useInterface: InterfaceUse;
}

const SSL_TABLE = keywordTable<Draft<SslSpec>>({
  password: set('password', (r, s) => r.arg(s)),
  ca: set('ca', (r, s) => r.arg(s)),
  certificate: set('certificate', (r, s) => r.arg(s)),
  key: set('key', (r, s) => r.arg(s)),
});

const named = (r: Reader, s: Statement, what: string, taken: boolean): boolean => {
  if (s.args.length !== 1) r.fail(s, `${what} must have a name`);
  if (taken) r.warnBlock(s, `${what} ${s.args[0]!} already defined; this one is ignored`);
  return !taken;
};

const block = (apply: Keyword<RootDraft>['apply']): Keyword<RootDraft> => ({
  form: 'block',
  apply,
});

const ROOT_TABLE = keywordTable<RootDraft>({
  global_defs: { form: 'block', args: [0, 0], apply: () => undefined },
  virtual_server: block((d, s, r) => d.virtualServers.push(readVirtualServer(r, s))),
  virtual_server_group: block((d, s, r) => d.groups.set(r.arg(s), readGroup(r, s))),
  SSL: block((d, s, r) => {
    const ssl: Draft<SslSpec> = {};
    readBlock(r, SSL_TABLE, r.block(s), ssl, 'SSL');
    d.ssl = Object.freeze(ssl);
  }),
  vrrp_script: block((d, s, r) => {
    if (!named(r, s, 'vrrp_script', d.scripts.has(s.args[0] ?? ''))) return;
    const script = readVrrpScript(r, s);
    if (script) d.scripts.set(script.name, { ...script, s });
  }),
  vrrp_instance: block((d, s, r) => {
    if (
      !named(
        r,
        s,
        'vrrp instance',
        d.instances.some((i) => i.d.name === s.args[0]),
      )
    )
      return;
    d.instances.push({ s, d: readInstance(r, s, d) });
  }),
  vrrp_sync_group: block((d, s, r) => {
    if (
      !named(
        r,
        s,
        'vrrp sync group',
        d.syncGroups.some((g) => g.d.name === s.args[0]),
      )
    )
      return;
    d.syncGroups.push({ s, d: readSyncGroup(r, s, d) });
  }),
  static_ipaddress: block((d, s, r) =>
    d.staticIpAddresses.push(...readStaticAddresses(r, s, d.useInterface)),
  ),
  static_routes: block((d, s, r) => d.staticRoutes.push(...readStaticRoutes(r, s, d.useInterface))),
  static_rules: block((d, s, r) => d.staticRules.push(...readStaticRules(r, s, d.useInterface))),
  track_group: unsupported('block'),
  garp_group: unsupported('block'),
  linkbeat_interfaces: unsupported('block'),
  interface_up_down_delays: unsupported('block'),
  vrrp_track_process: unsupported('block'),
  vrrp_track_file: unsupported('block'),
  track_file: unsupported('block'),
  bfd_instance: unsupported('block'),
  net_namespace: {
    args: [1, 1],
    apply: (d, s, r) => {
      r.notice(s, 'net_namespace is not applied by uvs (run uvsd in the namespace); ignored');
      d.netNamespace = r.arg(s);
    },
  },
  net_namespace_ipvs: unsupported('line'),
  namespace_with_ipsets: accepted('line'),
  use_pid_dir: accepted('line'),
  instance: accepted('line'),
  child_wait_time: accepted('line'),
  linkbeat_use_polling: accepted('line'),
});

function rootDraft(global: GlobalDefs): RootDraft {
  const interfaceRefs: InterfaceRef[] = [];
  return {
    global,
    virtualServers: [],
    groups: new Map(),
    scripts: new Map(),
    usedScripts: new Set(),
    instances: [],
    syncGroups: [],
    staticIpAddresses: [],
    staticRoutes: [],
    staticRules: [],
    interfaceRefs,
    useInterface: (s, name, what) => {
      interfaceRefs.push({ name, file: s.file, line: s.line, what });
      return name;
    },
  };
}

/** Group references resolved, then keepalived's whole-file checks of each virtual server. */
function virtualServers(r: Reader, d: RootDraft): VirtualServerSpec[] {
  for (const { spec: vs } of d.virtualServers) {
    if (vs.key.kind === 'group' && !d.groups.has(vs.key.name))
      throw new ConfigError(
        vs.where.file,
        vs.where.line,
        `virtual_server group "${vs.key.name}" is not defined`,
      );
  }
  return d.virtualServers.flatMap(
    ({ spec, facts }) => validateVirtualServer(r, spec, facts, d.groups) ?? [],
  );
}

function interpret(statements: readonly Statement[]): KeepalivedConfig {
  const r = new Reader();
  const globalBlocks = statements.filter((s) => s.keyword === 'global_defs');
  const { defs, syncIdSet } = readGlobalDefs(r, globalBlocks);
  const d = rootDraft(defs);
  readBlock(r, ROOT_TABLE, statements, d, '');
  const lvs = virtualServers(r, d);
  const syncWhere = globalBlocks
    .flatMap((b) => b.children ?? [])
    .find((k) => k.keyword === 'lvs_sync_daemon');
  const statics = {
    staticIpAddresses: Object.freeze(d.staticIpAddresses),
    staticRoutes: Object.freeze(d.staticRoutes),
    staticRules: Object.freeze(d.staticRules),
  };
  const { vrrp, lvsSyncDaemon } = finishVrrp(r, { ...d, statics }, defs, syncIdSet, syncWhere);
  const rest = omit(defs, 'lvsSyncDaemon');
  const diagnostics = [...r.diagnostics].sort((a, b) => (a.file === b.file ? a.line - b.line : 0));
  return Object.freeze({
    virtualServers: Object.freeze(lvs),
    groups: d.groups,
    ...(defs.routerId !== undefined ? { routerId: defs.routerId } : {}),
    global: Object.freeze({ ...rest, ...(lvsSyncDaemon ? { lvsSyncDaemon } : {}) }),
    vrrp,
    ...(d.ssl ? { ssl: d.ssl } : {}),
    interfaceRefs: Object.freeze(d.interfaceRefs),
    ...(d.netNamespace !== undefined ? { netNamespace: d.netNamespace } : {}),
    warnings: Object.freeze(diagnostics.map((g) => `${g.file}:${g.line}: ${g.message}`)),
    diagnostics: Object.freeze(diagnostics),
  });
}

export function readKeepalivedConfig(file: string, opts: LexOptions = {}): KeepalivedConfig {
  return interpret(parseTree(lexConfig(file, opts)));
}

export function parseKeepalivedText(
  text: string,
  file = 'keepalived.conf',
  opts: LexOptions = {},
): KeepalivedConfig {
  return interpret(parseTree(lexConfigText(text, file, opts)));
}

export { ConfigError };
