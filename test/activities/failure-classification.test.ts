import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { classifyFailure, isPermanentError, withFailureClassification } from '../../activities/failure-classification';
import { SpecError } from '../../domain/sweep-spec';
import { DatasetError } from '../../training/training-errors';

/** An error as node-postgres raises it for a server error with this SQLSTATE. */
function postgresError(code: string, message = `server error ${code}`): pg.DatabaseError {
  const err = new pg.DatabaseError(message, message.length, 'error');
  err.code = code;
  return err;
}

test('isPermanentError calls data, integrity and syntax SQL errors permanent and connection, deadlock, resource and shutdown errors transient', () => {
  const permanent = ['22P02', '22003', '23505', '23503', '42P01', '42703', '42601'];
  const transient = ['08006', '08001', '40001', '40P01', '53300', '53100', '57P01', '57P03'];
  assert.deepEqual(permanent.filter((c) => !isPermanentError(postgresError(c))), []);
  assert.deepEqual(transient.filter((c) => isPermanentError(postgresError(c))), []);
});

test('isPermanentError knows the domain and training error classes, errors marked permanent, and nothing else', () => {
  assert.equal(isPermanentError(new SpecError('grid', 'grid must be an object, got null')), true);
  assert.equal(isPermanentError(new DatasetError('train-images-idx3-ubyte.gz is truncated', 'train-images-idx3-ubyte.gz')), true);
  assert.equal(isPermanentError(Object.assign(new Error('no such model'), { permanent: true as const })), true);
  assert.equal(isPermanentError(ApplicationFailure.nonRetryable('bad', 'Bad')), true);
  assert.equal(isPermanentError(ApplicationFailure.retryable('later', 'Later')), false);
  assert.equal(isPermanentError(new Error('socket hang up')), false);
  // Only node-postgres errors carry a SQLSTATE: a look-alike code on another error says nothing.
  assert.equal(isPermanentError(Object.assign(new Error('EEXIST'), { code: '23505' })), false);
  assert.equal(isPermanentError('a string'), false);
});

test('classifyFailure turns a permanent SQL error into a non-retryable DatabaseError naming its SQLSTATE', () => {
  const failure = classifyFailure(postgresError('23505', 'duplicate key value violates unique constraint "runs_pkey"'));
  assert.ok(failure instanceof ApplicationFailure);
  assert.equal(failure.nonRetryable, true);
  assert.equal(failure.type, 'DatabaseError');
  assert.equal(failure.message, 'duplicate key value violates unique constraint "runs_pkey" (SQLSTATE 23505)');
  assert.deepEqual(failure.details, [{ sqlState: '23505' }]);
});

test('classifyFailure keeps the class name of a permanent regsweep error as the failure type', () => {
  const failure = classifyFailure(new SpecError('seeds', 'seeds must be a non-empty array, got []'));
  assert.ok(failure instanceof ApplicationFailure);
  assert.deepEqual([failure.type, failure.nonRetryable, failure.message], ['SpecError', true, 'seeds must be a non-empty array, got []']);
});

test('classifyFailure returns transient errors and existing failures unchanged', () => {
  const deadlock = postgresError('40P01');
  assert.equal(classifyFailure(deadlock), deadlock);
  const retryable = ApplicationFailure.retryable('worker stopping', 'WorkerShutdown');
  assert.equal(classifyFailure(retryable), retryable);
});

test('withFailureClassification keeps names and results, and classifies what each activity throws', async () => {
  const wrapped = withFailureClassification({
    ok: async (x: number) => x + 1,
    broken: async () => {
      throw postgresError('42P01', 'relation "sweeps" does not exist');
    },
    flaky: async () => {
      throw postgresError('08006', 'connection terminated unexpectedly');
    },
  });
  assert.deepEqual(Object.keys(wrapped), ['ok', 'broken', 'flaky']);
  assert.equal(await wrapped.ok(41), 42);
  await assert.rejects(wrapped.broken(), (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && err.type === 'DatabaseError');
  await assert.rejects(wrapped.flaky(), (err: unknown) => err instanceof pg.DatabaseError && err.code === '08006');
});
