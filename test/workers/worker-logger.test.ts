import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWorthShowing } from '../../workers/worker-logger';

test('the worker logger drops only the notice that an activities-only worker polls no workflow tasks', () => {
  assert.equal(isWorthShowing({ message: 'No workflows registered, not polling for workflow tasks' }), false);
  assert.equal(isWorthShowing({ message: 'Activity failed' }), true);
  assert.equal(isWorthShowing({ message: 'Worker failed: No workflows registered, not polling for workflow tasks' }), true);
});
