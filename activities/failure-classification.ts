import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { SpecError } from '../domain/sweep-spec';
import { BackendUnavailableError, CheckpointError, DatasetError, TrainConfigError, TrainingDivergedError } from '../training/training-errors';

/*
 * Decides, in one place, whether an activity's error is permanent (retrying cannot help: a
 * bad spec, a missing dataset, a constraint violation) or transient (a connection reset, a
 * deadlock, a server restarting), and turns permanent ones into non-retryable failures.
 */

/**
 * An error that says itself that retrying cannot fix it. Error classes added to activities
 * implement this (`readonly permanent = true`) instead of joining a list somewhere else.
 */
export interface PermanentError extends Error {
  readonly permanent: true;
}

// Error classes of the domain and the training engine: each is raised by bad input or a broken
// setup, and the same call fails the same way on every attempt.
const permanentErrorTypes: readonly (abstract new (...args: never[]) => Error)[] = [
  SpecError,
  TrainConfigError,
  DatasetError,
  BackendUnavailableError,
  CheckpointError,
  TrainingDivergedError,
];

/*
 * SQLSTATE classes (the code's first two characters) that no retry fixes: 22 data exception
 * (a value out of range, bad input syntax), 23 integrity constraint violation, 42 syntax error
 * or undefined table/column. Everything else retries, notably 08 connection exception, 40
 * serialization failure and deadlock, 53 insufficient resources and 57 operator intervention
 * (admin shutdown, crash recovery): the weather a long sweep must ride out.
 */
const permanentSqlClasses = new Set(['22', '23', '42']);

/** The SQLSTATE of a Postgres error, else null. */
export function sqlStateOf(err: unknown): string | null {
  return err instanceof pg.DatabaseError && typeof err.code === 'string' ? err.code : null;
}

/** Whether retrying the call that threw `err` cannot succeed. */
export function isPermanentError(err: unknown): boolean {
  if (err instanceof ApplicationFailure) return err.nonRetryable === true;
  if (!(err instanceof Error)) return false;
  if ((err as Partial<PermanentError>).permanent === true) return true;
  if (permanentErrorTypes.some((type) => err instanceof type)) return true;
  const state = sqlStateOf(err);
  return state !== null && permanentSqlClasses.has(state.slice(0, 2));
}

/** `err`, as a non-retryable ApplicationFailure when it is permanent, else unchanged (Temporal retries it). */
export function classifyFailure(err: unknown): unknown {
  if (!isPermanentError(err) || err instanceof ApplicationFailure) return err;
  const e = err as Error;
  const state = sqlStateOf(e);
  if (state !== null) return ApplicationFailure.create({ message: `${e.message} (SQLSTATE ${state})`, type: 'DatabaseError', nonRetryable: true, details: [{ sqlState: state }], cause: e });
  return ApplicationFailure.create({ message: e.message, type: e.name, nonRetryable: true, cause: e });
}

type Activity = (...args: any[]) => Promise<unknown>;

/**
 * Every activity of `activities`, with its failures classified: a permanent error fails the
 * activity at once (the workflow sees a non-retryable failure after one attempt), a transient
 * one is rethrown for Temporal's retry policy. Workers register only wrapped activities.
 */
export function withFailureClassification<T extends Record<string, Activity>>(activities: T): T {
  const wrapped: Record<string, Activity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        throw classifyFailure(err);
      }
    };
  }
  return wrapped as T;
}
