import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { FinalizeSweepResult, PendingRun, RegisterReplicateSweepResult, ReplicateRoundResult, TrainRunResult } from '../../activities/index';
import { expandRuns } from '../../domain/grid-expansion';
import type { RunPlan } from '../../domain/run-identity';
import type { SweepSpec } from '../../domain/sweep-spec';
import { pauseSignal, progressQuery, resumeSignal } from '../../workflows/sweep-messages';
import type { SweepSummary } from '../../workflows/sweep-state';
import { sweepWorkflowType } from '../../workflows/workflow-types';
import { runFakeWorker, startDevServerStack, type DevServerStack } from './fake-sweep-worker';

/*
 * Control flow of adaptive-seed rounds with FAKE activities: they keep the sweep in memory,
 * record every call, add the runs a scripted decision asks for, and let the test decide when
 * each training run finishes. The workflow and the Temporal dev server are real. Real training
 * and Postgres are in sweep-adaptive-seeds.test.ts.
 */

type Call = { activity: string; round?: number; runId?: string; afterOrdinal?: number };

interface Script {
  /** Seeds each decision adds to every configuration; a decision past the end adds nothing. */
  rounds: number[][];
  /** Runs a decision adds that are already trained (another sweep trained them). */
  alreadyTrained?: boolean;
}

function fakeRounds(script: Script) {
  const calls: Call[] = [];
  const runs: (RunPlan & { ordinal: number; trained: boolean })[] = [];
  const gates = new Map<string, () => void>();
  let open = false;
  const started = (): string[] => calls.flatMap((c) => (c.activity === 'trainRun' ? [c.runId!] : []));
  const add = (plans: RunPlan[], trained: boolean): void => {
    for (const p of plans) runs.push({ ...p, ordinal: runs.length, trained });
  };
  const activities = {
    async registerReplicateSweep({ spec }: { spec: SweepSpec }): Promise<RegisterReplicateSweepResult> {
      calls.push({ activity: 'registerReplicateSweep' });
      add(expandRuns(spec), false);
      return { trials: runs.length, runs: runs.length, reused: 0, round: 0 };
    },
    async nextPendingRuns({ afterOrdinal, limit }: { afterOrdinal: number; limit: number }): Promise<PendingRun[]> {
      calls.push({ activity: 'nextPendingRuns', afterOrdinal });
      return runs.filter((r) => r.ordinal > afterOrdinal && !r.trained).slice(0, limit).map(({ trained: _t, ...r }) => r);
    },
    async replicateRound({ spec, round }: { spec: SweepSpec; round: number }): Promise<ReplicateRoundResult> {
      calls.push({ activity: 'replicateRound', round });
      const seeds = script.rounds[round - 1] ?? [];
      const added = seeds.length === 0 ? [] : expandRuns({ ...spec, seeds });
      add(added, script.alreadyTrained ?? false);
      const status = added.length > 0 ? 'unresolved' : 'stopped-at-cap';
      return {
        round: added.length > 0 ? round : round - 1,
        added: added.length,
        reused: script.alreadyTrained ? added.length : 0,
        runs: runs.length,
        trials: runs.length,
        fixedRuns: 20,
        comparisons: [{ id: 'dropout1=0.5 vs dropout1=0', status, n: 0, configSeeds: 0, otherSeeds: 0, mean: null, low: null, high: null, halfWidth: null, pAnytime: null }],
      };
    },
    async trainRun({ run }: { run: RunPlan }): Promise<TrainRunResult> {
      calls.push({ activity: 'trainRun', runId: run.runId });
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 200);
      try {
        if (!open) {
          await Promise.race([
            new Promise<void>((resolve) => gates.set(run.runId, resolve)),
            new Promise<never>((_, reject) => ctx.cancellationSignal.addEventListener('abort', () => reject(new CancelledFailure('run cancelled')))),
          ]);
        }
      } catch (err) {
        calls.push({ activity: 'trainRunCancelled', runId: run.runId });
        throw err;
      } finally {
        clearInterval(beat);
      }
      const r = runs.find((x) => x.runId === run.runId);
      if (r) r.trained = true;
      return { runId: run.runId, outcome: 'trained', epochsTrained: run.maxEpochs, testAcc: 0.8, divergedAtEpoch: null };
    },
    async finalizeSweep({ status }: { status: string }): Promise<FinalizeSweepResult> {
      calls.push({ activity: `finalizeSweep ${status}` });
      return { dashboards: [], completed: runs.filter((r) => r.trained).length, failed: 0, cancelled: 0, diverged: 0, best: null };
    },
  };
  return {
    calls,
    activities,
    started,
    release: (count: number): void => {
      for (const [id, resolve] of [...gates].slice(0, count)) {
        gates.delete(id);
        resolve();
      }
    },
    releaseAll: (): void => {
      open = true;
      for (const resolve of gates.values()) resolve();
      gates.clear();
    },
    waitingRuns: (): number => gates.size,
  };
}

let stack: DevServerStack;

before(async () => {
  stack = await startDevServerStack();
});

after(async () => {
  await stack?.stop();
});

const specOn = (name: string, queue: string) => ({
  name,
  grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0], epochs: [1] },
  seeds: [1, 2],
  train: { hidden: [16, 16], trainSubset: 1000 },
  maxParallel: 4,
  orchestration: { trainTaskQueue: queue, heartbeatTimeoutSeconds: 5, retryInitialSeconds: 1, retryMaxSeconds: 1 },
  replicate: { epochs: 1, compare: 'vs-control', target: { decide: true, alpha: 0.05 }, minSeeds: 2, maxSeeds: 5, seedsPerRound: 1, maxRuns: 20 },
});

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('a decision waits for every run of its round, and a paused sweep starts no run of the next round', { timeout: 120_000 }, async () => {
  const queue = 'rounds-pause';
  const fake = fakeRounds({ rounds: [[3]] });
  const worker = await runFakeWorker(stack.server.address, queue, fake.activities);
  try {
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'rounds-pause', taskQueue: queue, args: [specOn('rounds-pause', queue)] });
    await until('the four runs of the first seeds', () => fake.waitingRuns() === 4);
    fake.release(3);
    await sleep(1000);
    assert.equal(fake.calls.filter((c) => c.activity === 'replicateRound').length, 0, 'no decision while a run of the round is in flight');
    await wf.signal(pauseSignal);
    fake.release(1);
    await until('the first decision', () => fake.calls.some((c) => c.activity === 'replicateRound'));
    await sleep(1000);
    assert.equal(fake.started().length, 4, 'paused: the round the decision added does not start');
    const progress = await wf.query(progressQuery);
    assert.deepEqual({ paused: progress.paused, total: progress.total, round: progress.replicate?.round }, { paused: true, total: 6, round: 1 });
    await wf.signal(resumeSignal);
    await until('the second round', () => fake.started().length === 6);
    fake.releaseAll();
    const summary = (await wf.result()) as SweepSummary;
    assert.deepEqual(summary.replicate, { rounds: 1, runs: 6, fixedRuns: 10, saved: 4, resolved: 0, unresolved: 0, stoppedAtCap: 1 });
    assert.deepEqual(
      fake.calls.filter((c) => c.activity !== 'trainRun').map((c) => `${c.activity}${c.round === undefined ? '' : ` ${c.round}`}${c.afterOrdinal === undefined ? '' : ` after ${c.afterOrdinal}`}`),
      [
        'registerReplicateSweep',
        'nextPendingRuns after -1',
        'nextPendingRuns after 3',
        'replicateRound 1',
        'nextPendingRuns after 3',
        'nextPendingRuns after 5',
        'replicateRound 2',
        'finalizeSweep completed',
      ],
    );
  } finally {
    await worker.stop();
  }
});

test('cancelling an adaptive sweep while a round trains cancels its runs and decides nothing more', { timeout: 120_000 }, async () => {
  const queue = 'rounds-cancel';
  const fake = fakeRounds({ rounds: [[3], [4]] });
  const worker = await runFakeWorker(stack.server.address, queue, fake.activities);
  try {
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'rounds-cancel', taskQueue: queue, args: [specOn('rounds-cancel', queue)] });
    await until('the four runs of the first seeds', () => fake.waitingRuns() === 4);
    fake.release(4);
    await until('the second round training', () => fake.waitingRuns() === 2);
    await wf.cancel();
    await assert.rejects(wf.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    assert.deepEqual(fake.calls.filter((c) => c.activity === 'replicateRound').map((c) => c.round), [1]);
    assert.equal(fake.calls.filter((c) => c.activity === 'trainRunCancelled').length, 2);
    assert.equal(fake.calls.at(-1)?.activity, 'finalizeSweep cancelled');
  } finally {
    await worker.stop();
  }
});

test('a decision whose runs were already trained is followed at once by the next decision', { timeout: 120_000 }, async () => {
  const queue = 'rounds-reused';
  const fake = fakeRounds({ rounds: [[3], [4]], alreadyTrained: true });
  fake.releaseAll();
  const worker = await runFakeWorker(stack.server.address, queue, fake.activities);
  try {
    const wf = await stack.client.workflow.start(sweepWorkflowType, { workflowId: 'rounds-reused', taskQueue: queue, args: [specOn('rounds-reused', queue)] });
    const summary = (await wf.result()) as SweepSummary;
    assert.deepEqual({ runs: summary.runs, trained: summary.trained, reused: summary.reused }, { runs: 8, trained: 4, reused: 4 });
    assert.deepEqual(fake.calls.filter((c) => c.activity === 'replicateRound').map((c) => c.round), [1, 2, 3]);
    assert.equal(summary.replicate?.rounds, 2);
  } finally {
    await worker.stop();
  }
});
