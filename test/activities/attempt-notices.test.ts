import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptAbandonedError, StaleAttemptError, attemptEndNotice, lostDatabaseConnection } from '../../activities/run-attempt';
import { formatEntry } from '../../workers/worker-logger';

/* The one line a worker prints when an attempt ends because it lost the database or its run. */

const socketError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall, errno: -110 });

test('attemptEndNotice names the run and why its attempt ended, for a lost connection, a refused write and a given-up attempt only', () => {
  assert.equal(
    attemptEndNotice('run-1', socketError('ETIMEDOUT', 'read')),
    'regsweep worker: run run-1: lost its database connection (ETIMEDOUT on read); Temporal gives the run to another attempt, here or on another worker',
  );
  assert.equal(
    attemptEndNotice('run-1', new Error('Connection terminated unexpectedly')),
    'regsweep worker: run run-1: lost its database connection (Connection terminated unexpectedly); Temporal gives the run to another attempt, here or on another worker',
  );
  const lease = { runId: 'run-1', owner: 'wf/3', attempt: 1 };
  assert.equal(
    attemptEndNotice('run-1', new StaleAttemptError(lease, 'epoch 5', { ...lease, attempt: 2 })),
    "regsweep worker: run run-1: attempt 1 stopped: Temporal gave the run to another attempt and the database refused this one's epoch 5; it writes nothing more",
  );
  assert.equal(
    attemptEndNotice('run-1', new AttemptAbandonedError('run-1', 'timed out')),
    'regsweep worker: run run-1: Temporal gave up this attempt (timed out); it records nothing, and its retry carries on from the last checkpoint',
  );
  // When its last database write stalled, that is what stopped the heartbeats: the line says so.
  assert.equal(
    attemptEndNotice('run-1', new AttemptAbandonedError('run-1', 'not found', { what: 'epoch 5', seconds: 7.14 })),
    'regsweep worker: run run-1: Temporal gave up this attempt (not found after its database write of epoch 5 stalled for 7.1 s); it records nothing, and its retry carries on from the last checkpoint',
  );
  assert.equal(attemptEndNotice('run-1', new Error('dataset missing')), null);
  assert.equal(lostDatabaseConnection(new Error('duplicate key value')), null);
});

test('the worker logger prints its own notices without the activity metadata, and other entries with it', () => {
  const timestampNanos = 1_764_550_000_000n * 1_000_000n;
  const meta = { activityId: '3', workflowType: 'sweep' };
  assert.equal(
    formatEntry({ timestampNanos, level: 'WARN', message: 'regsweep worker: run run-1: lost its database connection (ECONNRESET)', meta }),
    '2025-12-01T00:46:40.000Z [WARN] regsweep worker: run run-1: lost its database connection (ECONNRESET)',
  );
  assert.equal(
    formatEntry({ timestampNanos, level: 'WARN', message: 'Activity failed', meta }),
    '2025-12-01T00:46:40.000Z [WARN] Activity failed {"activityId":"3","workflowType":"sweep"}',
  );
});
