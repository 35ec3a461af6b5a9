/** Bad input from the person at the keyboard: exit code 2, nothing started. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

// Settings, files and services named by the person running the command: fixing them is on their side.
const inputErrorNames = new Set([
  'UsageError',
  'SpecError',
  'ConfigError',
  'TrainConfigError',
  'CommanderError',
  'BackendUnavailableError',
  'DatasetError',
  'TemporalCliMissingError',
  'TemporalUnreachableError',
  'DatabaseUnreachableError',
  'GrafanaPushError',
]);

/** 2 for bad input (spec, flags, settings), 1 for everything else. */
export function exitCodeFor(err: unknown): number {
  return err instanceof Error && inputErrorNames.has(err.name) ? 2 : 1;
}
