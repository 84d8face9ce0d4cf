// The error of a configuration that does not read: its file, line and reason.

export class ConfigError extends Error {
  readonly code = 'E_CONFIG_SYNTAX';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}
