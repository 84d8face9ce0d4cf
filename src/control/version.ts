// uvs's version, from package.json (one place to change it); every binary's --version prints it.
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // dist/src/control/version.js → the repository's package.json.
  const pkg = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export const UVS_VERSION = readVersion();

/** "uvsd v0.1.0 (uvs, Node.js v20.20.2)": keepalived's -v first line, with uvs's names. */
export function versionLine(program: string): string {
  return `${program} v${UVS_VERSION} (uvs, Node.js ${process.version})\n`;
}
