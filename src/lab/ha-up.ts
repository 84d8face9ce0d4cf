// `uvs-lab ha [--check]`: the pair of directors built under the lab's prefix, each uvsd
// running its keepalived.conf (written to /run/uvs-lab/keepalived-directorN.conf).
import { checkHa } from './ha-check.js';
import { HaLab } from './ha-lab.js';
import { HA_MAQUETTE, haKeepalivedConf } from './maquette-ha.js';

export interface LabState {
  readonly prefix: string;
  readonly logDir: string;
  readonly progress: (msg: string) => void;
  /** The maquette running now (its description), if any. */
  readonly running: () => string | undefined;
  readonly anyUp: () => boolean;
  readonly down: () => void;
  readonly markUp: (description: string) => void;
}

export async function upHa(argv: { check: boolean; rebuild: boolean }, s: LabState): Promise<void> {
  const ha = new HaLab(s.prefix, s.logDir, {
    detached: true,
    logDir: s.logDir,
    progress: s.progress,
  });
  const running = s.running();
  if (
    argv.rebuild ||
    (running !== undefined && running !== HA_MAQUETTE.description) ||
    (running === undefined && s.anyUp())
  )
    s.down();
  if (!s.anyUp()) {
    try {
      ha.build();
      s.progress(
        `uvsd -f ${ha.confPath('director1')} (priority 150), ${ha.confPath('director2')} (priority 100)`,
      );
      await ha.startDirector('director1', haKeepalivedConf({ priority: 150 }));
      await ha.startDirector('director2', haKeepalivedConf({ priority: 100 }));
    } catch (err) {
      s.progress(`failed: ${(err as Error).message}; removing the half-built maquette`);
      s.down();
      throw err;
    }
    s.markUp(HA_MAQUETTE.description);
    s.progress(
      `maquette up: ip netns exec ${s.prefix}-director1 node dist/src/bin/uvsadm.js -Ln; logs in ${s.logDir}`,
    );
  } else {
    s.progress('maquette already up (use --rebuild to start over)');
  }
  if (argv.check) {
    const r = await checkHa(ha);
    process.stdout.write(`${r.report}\n`);
    if (!r.ok) process.exitCode = 1;
  }
}
