import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { sweepWorkflowBundle } from './fake-sweep-worker';
import { readHistoryFile } from './history-file';

/*
 * Sweeps run for days, so a worker with new workflow code takes over executions that older
 * code started: it replays their history and must issue the same commands. These histories
 * were recorded from the sweep workflow (with fake activities; see record-sweep-histories.ts)
 * and are replayed against the current code, so a change that would break running sweeps
 * fails here instead of in someone's cluster.
 */
const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const histories = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('the saved histories cover pause and resume, cancellation, both sides of continue-as-new, and launch options', () => {
  assert.deepEqual(histories, [
    'sweep-cancelled.json',
    'sweep-continue-as-new-first.json',
    'sweep-continue-as-new-last.json',
    'sweep-launch-options-first.json',
    'sweep-launch-options-last.json',
    'sweep-pause-resume.json',
  ]);
});

for (const file of histories) {
  test(`the current sweep workflow replays ${file} without nondeterminism`, { timeout: 120_000 }, async () => {
    await Worker.runReplayHistory({ workflowBundle: await sweepWorkflowBundle() }, readHistoryFile(`${dir}${file}`), file);
  });
}

test('replay fails on a history whose commands the current workflow does not issue', { timeout: 120_000 }, async () => {
  // The check above is only worth something if replay notices a difference: drop the
  // registerSweep activity from a history, and the replayed workflow's first command no longer matches.
  const history = readHistoryFile(`${dir}sweep-pause-resume.json`);
  for (const e of history.events ?? []) {
    const type = e.activityTaskScheduledEventAttributes?.activityType;
    if (type?.name === 'registerSweep') type.name = 'registerSweepRenamed';
  }
  await assert.rejects(Worker.runReplayHistory({ workflowBundle: await sweepWorkflowBundle() }, history, 'tampered'), DeterminismViolationError);
});
