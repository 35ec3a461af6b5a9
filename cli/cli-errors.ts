import { CommanderError } from 'commander';
import { ConfigError } from '../config';
import { DatabaseUnreachableError } from '../db/connect';
import { SpecError } from '../domain/sweep-spec';
import { GrafanaPushError } from '../infra/grafana/push-dashboards';
import { TemporalUnreachableError } from '../infra/temporal/connect';
import { TemporalCliMissingError } from '../infra/temporal/temporal-cli';
import { BackendUnavailableError, DatasetError, TrainConfigError } from '../training/training-errors';

/** Bad input from the person at the keyboard: exit code 2, nothing started. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

// Settings, files and services named by the person running the command: fixing them is on
// their side. Classes, not names, so a renamed or new error class cannot slip out of the list unnoticed.
const userFacingErrorTypes: readonly (abstract new (...args: never[]) => Error)[] = [
  UsageError,
  SpecError,
  ConfigError,
  TrainConfigError,
  CommanderError,
  BackendUnavailableError,
  DatasetError,
  TemporalCliMissingError,
  TemporalUnreachableError,
  DatabaseUnreachableError,
  GrafanaPushError,
];

/** Whether `err` is the user's to fix (a spec, a flag, a setting, a service they named). */
export function isUserFacingError(err: unknown): boolean {
  return userFacingErrorTypes.some((type) => err instanceof type);
}

/** 2 for bad input (spec, flags, settings), 1 for everything else. */
export function exitCodeFor(err: unknown): number {
  return isUserFacingError(err) ? 2 : 1;
}
