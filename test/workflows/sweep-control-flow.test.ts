import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { pauseSignal, progressQuery, resumeSignal } from '../../workflows/sweep-messages';
import type { SweepSummary } from '../../workflows/sweep-state';
import { createFakeSweep, fakeTestAcc, runFakeWorker, startDevServerStack, type DevServerStack, type FakeCall } from './fake-sweep-worker';
import { sweepWorkflowType } from '../../workflows/workflow-types';

/*
 * The sweep workflow's control flow, pinned by the activity calls it makes. The workflow and
 * the Temporal dev server are real; the activities are fakes that record their calls and
 * finish a run only when the test releases it, so nothing here depends on how long training takes.
 */
let stack: DevServerStack;

before(async () => {
  // A small history threshold: the server suggests continue-as-new after about 100 events,
  // which the 40-run sweep below passes and the shorter sweeps do not.
  stack = await startDevServerStack({ 'limit.historyCount.suggestContinueAsNew': 100 });
});

after(async () => {
  await stack?.stop();
});

const specOn = (name: string, queue: string, grid: { dropout1: number[]; dropout2: number[] }, maxParallel: number) => ({
  name,
  grid: { ...grid, weightDecay: [0], epochs: [1] },
  seeds: [1, 2],
  maxParallel,
  orchestration: { heartbeatTimeoutSeconds: 10, retryInitialSeconds: 1, retryMaxSeconds: 2, trainTaskQueue: queue },
});

const runIdsInOrder = (spec: unknown): string[] => expandRuns(validateSpec(spec)).map((r) => r.runId);
// Runs scheduled in one workflow task reach the worker in any order, so calls are compared by ordinal.
const trainedOrdinals = (calls: FakeCall[]): number[] => calls.flatMap((c) => (c.activity === 'trainRun' ? [c.ordinal] : [])).sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a paused sweep lets in-flight runs finish, starts none until resumed, then trains the rest', { timeout: 120_000 }, async () => {
  const queue = 'pause';
  const fake = createFakeSweep({ gated: true });
  const worker = await runFakeWorker(stack.server.address, queue, fake.activities);
  try {
    const spec = specOn('pause', queue, { dropout1: [0, 0.5], dropout2: [0.5] }, 2);
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'pause', taskQueue: queue, args: [spec] });
    const [first, second] = await fake.trainRunsStarted(2);
    // The signal is in the history before either completion, so the workflow sees the pause first.
    await wf.signal(pauseSignal);
    fake.release(first!);
    fake.release(second!);
    const paused = await until(async () => {
      const p = await wf.query(progressQuery);
      return p.done === 2 ? p : undefined;
    });
    assert.deepEqual({ ...paused, best: null }, { total: 4, done: 2, running: 0, failed: 0, paused: true, best: null });
    assert.deepEqual(trainedOrdinals(fake.calls), [0, 1], 'no run started while paused');

    await wf.signal(resumeSignal);
    fake.releaseAll();
    const summary = (await wf.result()) as SweepSummary;
    assert.deepEqual([summary.runs, summary.trained, summary.failed, summary.continuedAsNew], [4, 4, 0, 0]);
    const ids = runIdsInOrder(spec);
    assert.deepEqual(trainedOrdinals(fake.calls), range(4), 'every run once');
    assert.deepEqual(fake.calls.filter((c) => c.activity === 'trainRun').map((c) => c.runId).sort(), [...ids].sort());
    const final = await wf.query(progressQuery);
    assert.deepEqual(final.best, { runId: ids[3], testAcc: fakeTestAcc(3) }, 'the best run by test accuracy');
    assert.deepEqual(fake.calls.at(-1), { activity: 'finalizeSweep', sweepId: 'pause', status: 'completed' });
  } finally {
    fake.releaseAll();
    await worker.stop();
  }
});

test('a cancelled sweep cancels its in-flight run, waits for it, starts nothing else and finalizes as cancelled', { timeout: 120_000 }, async () => {
  const queue = 'cancel';
  const fake = createFakeSweep({ gated: true });
  const worker = await runFakeWorker(stack.server.address, queue, fake.activities);
  try {
    const spec = specOn('cancel', queue, { dropout1: [0, 0.5], dropout2: [0.5] }, 1);
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'cancel', taskQueue: queue, args: [spec] });
    const [running] = await fake.trainRunsStarted(1);
    await wf.cancel();
    const err = await wf.result().then(
      () => assert.fail('a cancelled sweep completed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof CancelledFailure);
    // WAIT_CANCELLATION_COMPLETED: the run acknowledges its cancellation before the sweep is finalized.
    assert.deepEqual(
      fake.calls.map((c) => c.activity),
      ['registerSweep', 'nextPendingRuns', 'trainRun', 'trainRunCancelled', 'finalizeSweep'],
    );
    assert.deepEqual(fake.calls.slice(2, 4).map((c) => ('runId' in c ? c.runId : null)), [running, running]);
    assert.deepEqual(fake.calls.at(-1), { activity: 'finalizeSweep', sweepId: 'cancel', status: 'cancelled' });
  } finally {
    fake.releaseAll();
    await worker.stop();
  }
});

test('a sweep continues as new when the server suggests it, carrying its cursor, and trains every run once', { timeout: 120_000 }, async () => {
  const queue = 'continue-as-new';
  const fake = createFakeSweep();
  const worker = await runFakeWorker(stack.server.address, queue, fake.activities);
  try {
    const spec = specOn('can', queue, { dropout1: [0, 0.1, 0.2, 0.3, 0.4], dropout2: [0, 0.1, 0.2, 0.3] }, 2);
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'can', taskQueue: queue, args: [spec] });
    const summary = (await wf.result()) as SweepSummary;
    assert.ok(summary.continuedAsNew >= 1, `continued as new ${summary.continuedAsNew} times`);
    assert.deepEqual([summary.runs, summary.trained, summary.failed], [40, 40, 0]);
    assert.deepEqual(trainedOrdinals(fake.calls), range(40), 'every run once across executions');
    assert.equal(fake.calls.filter((c) => c.activity === 'registerSweep').length, 1, 'registered by the first execution only');

    // Each execution pages on from the cursor it was handed: the last run its predecessor started.
    // An execution drains its runs before continuing, so all of those are recorded before its successor's first page.
    const firstPages = new Map<string, { afterOrdinal: number; lastStarted: number }>();
    fake.calls.forEach((c, i) => {
      if (c.activity !== 'nextPendingRuns' || firstPages.has(c.execution)) return;
      firstPages.set(c.execution, { afterOrdinal: c.afterOrdinal, lastStarted: Math.max(-1, ...trainedOrdinals(fake.calls.slice(0, i))) });
    });
    assert.equal(firstPages.size, summary.continuedAsNew + 1, 'every execution pages');
    assert.deepEqual(
      [...firstPages.values()].map((p) => p.afterOrdinal),
      [...firstPages.values()].map((p) => p.lastStarted),
    );
    const lastPage = fake.calls.filter((c) => c.activity === 'nextPendingRuns').at(-1);
    assert.deepEqual(lastPage?.returned, [], 'the sweep ends on an empty page');
  } finally {
    await worker.stop();
  }
});
