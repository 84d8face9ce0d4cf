// Writes every binary's man page into the folder given (npm run build: dist/man/man1, man8),
// and uvsadm's bash completion beside them (dist/man/../completion/uvsadm).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandDoc } from './command-doc.js';
import { manPage } from './man-page.js';
import { UVS_GENHASH_DOC } from './uvs-genhash-doc.js';
import { UVS_LAB_DOC } from './uvs-lab-doc.js';
import { UVS_REPLAY_DOC } from './uvs-replay-doc.js';
import { UVS_TUN_ENDPOINT_DOC } from './uvs-tun-endpoint-doc.js';
import { UVSADM_DOC } from './uvsadm-doc.js';
import { uvsadmCompletion } from './uvsadm-completion.js';
import { UVSD_DOC } from './uvsd-doc.js';

export const ALL_DOCS: readonly CommandDoc[] = [
  UVSD_DOC,
  UVSADM_DOC,
  UVS_LAB_DOC,
  UVS_TUN_ENDPOINT_DOC,
  UVS_GENHASH_DOC,
  UVS_REPLAY_DOC,
];

const out = process.argv[2];
if (out !== undefined) {
  for (const doc of ALL_DOCS) {
    const dir = join(out, `man${doc.section}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${doc.name}.${doc.section}`), manPage(doc));
  }
  const completion = join(dirname(out), 'completion');
  mkdirSync(completion, { recursive: true });
  writeFileSync(join(completion, 'uvsadm'), uvsadmCompletion());
}
