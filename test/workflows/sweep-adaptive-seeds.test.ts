import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { validateSpec } from '../../domain/spec-validation';
import { progressQuery } from '../../workflows/sweep-messages';
import type { SweepSummary } from '../../workflows/sweep-state';
import { sweepTaskQueue } from '../../workflows/task-queues';
import { sweepWorkflowType } from '../../workflows/workflow-types';
import { waitFor } from '../helpers/fault-helpers';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';

/*
 * Adaptive seeds end to end: the real Temporal dev server, real Postgres, real worker processes
 * and real training (a 784-128-128-10 MLP on 3,000 Fashion-MNIST images for 3 epochs, about two
 * seconds a run). Against no regularization, weight decay 0.5 holds the net at chance (10%) (a
 * clearly different pair), and dropout1 = 0.0001 changes test accuracy by tenths of a point at
 * most (a near-identical pair). Each sweep trains 16 runs where 5 seeds everywhere would be 20.
 *
 * The same sweep runs twice, in two databases with a stack each: once untouched, once with its
 * orchestration worker SIGKILLed after the first decision, while the second round trains, and
 * with a history limit low enough that it continues as new on the way. The two must end with
 * the same runs, metrics and decisions.
 */
const spec = validateSpec({
  name: 'adaptive-e2e',
  grid: { dropout1: [0, 0.0001], dropout2: [0], weightDecay: [0, 0.5], epochs: [3] },
  seeds: [1, 2, 3],
  train: { lr: 0.1, batchSize: 16, hidden: [128, 128], trainSubset: 3000 },
  maxParallel: 2,
  orchestration: { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 1, retryMaxSeconds: 2 },
  replicate: { epochs: 3, compare: 'vs-control', target: { decide: true, alpha: 0.05 }, minSeeds: 3, maxSeeds: 5, seedsPerRound: 1, maxRuns: 20 },
});
const near = 'dropout1=0.0001 weightDecay=0 vs dropout1=0 weightDecay=0';
const clear = 'dropout1=0 weightDecay=0.5 vs dropout1=0 weightDecay=0';
const both = 'dropout1=0.0001 weightDecay=0.5 vs dropout1=0 weightDecay=0';

interface Side {
  database: TestDatabase;
  stack: TestStack;
  handle: DatabaseHandle;
}
const sides: Side[] = [];

async function openSide(roles: ('orchestrate' | 'train')[], dynamicConfig?: Record<string, number>): Promise<Side> {
  const database = await createTestDatabase();
  const side = { database, stack: await startTestStack(database.url, roles, { dynamicConfig }), handle: openDatabase(database.url) };
  sides.push(side);
  return side;
}

let reference: Side;

before(async () => {
  reference = await openSide(['orchestrate', 'train']);
});

after(async () => {
  for (const s of sides) {
    await s.handle.close();
    await s.stack.stop();
    await s.database.drop();
  }
});

async function launch(side: Side, id: string) {
  return side.stack.client.workflow.start(sweepWorkflowType, { workflowId: id, taskQueue: sweepTaskQueue, args: [spec] });
}

/** Seeds of each configuration's runs in the sweep, by configuration. */
async function seedsByConfig(side: Side, id: string): Promise<Record<string, number[]>> {
  const rows = await side.handle.db
    .selectFrom('sweep_runs as sr')
    .innerJoin('runs as r', 'r.id', 'sr.run_id')
    .select(['r.dropout1', 'r.weight_decay', 'r.seed'])
    .where('sr.sweep_id', '=', id)
    .orderBy('r.seed')
    .execute();
  const out: Record<string, number[]> = {};
  for (const r of rows) (out[`d1=${r.dropout1} wd=${r.weight_decay}`] ??= []).push(r.seed);
  return out;
}

/** Everything the sweep decided and measured, minus timing: what must not depend on how it got there. */
async function outcome(side: Side, id: string) {
  const metrics = await side.handle.db
    .selectFrom('sweep_runs as sr')
    .innerJoin('epoch_metrics as m', 'm.run_id', 'sr.run_id')
    .select(['sr.run_id', 'm.epoch', 'm.test_acc', 'm.train_loss'])
    .where('sr.sweep_id', '=', id)
    // By run, not by ordinal: a relaunch links the runs in grid order, where the rounds appended them.
    .orderBy('sr.run_id')
    .orderBy('m.epoch')
    .execute();
  const comparisons = await side.handle.db
    .selectFrom('replicate_comparisons')
    .select(['comparison_id', 'status', 'n', 'config_seeds', 'other_seeds', 'mean', 'ci_low', 'ci_high', 'p_anytime', 'round'])
    .where('sweep_id', '=', id)
    .orderBy('ordinal')
    .execute();
  return { metrics, comparisons };
}

let referenceOutcome: Awaited<ReturnType<typeof outcome>>;

test('an adaptive sweep resolves a clearly different pair in its first round and runs a near-identical pair to maxSeeds', { timeout: 400_000 }, async () => {
  const wf = await launch(reference, 'adaptive');
  const summary = (await wf.result()) as SweepSummary;
  assert.deepEqual(summary.replicate, { rounds: 2, runs: 16, fixedRuns: 20, saved: 4, resolved: 2, unresolved: 0, stoppedAtCap: 1 });
  assert.deepEqual({ runs: summary.runs, trained: summary.trained, reused: summary.reused, failed: summary.failed }, { runs: 16, trained: 16, reused: 0, failed: 0 });

  // The weight-decay configurations kept the spec's three seeds: decided on the first look.
  assert.deepEqual(await seedsByConfig(reference, 'adaptive'), {
    'd1=0 wd=0': [1, 2, 3, 4, 5],
    'd1=0.0001 wd=0': [1, 2, 3, 4, 5],
    'd1=0 wd=0.5': [1, 2, 3],
    'd1=0.0001 wd=0.5': [1, 2, 3],
  });
  const progress = await wf.query(progressQuery);
  assert.ok(progress.replicate, 'the progress query reports the rounds');
  assert.equal(progress.replicate.finished, true);
  assert.equal(progress.total, 16);
  const byId = new Map(progress.replicate.comparisons.map((c) => [c.id, c]));
  assert.deepEqual([...byId.keys()].sort(), [both, clear, near].sort());
  for (const id of [clear, both]) {
    const c = byId.get(id)!;
    assert.equal(c.status, 'resolved', id);
    assert.equal(c.n, 3, `${id} needed no seed beyond the first three`);
    assert.ok(c.mean !== null && c.mean < -0.4 && c.high !== null && c.high < 0, `${id}: ${c.mean} in ${c.low} to ${c.high}, below 0`);
  }
  const nearResult = byId.get(near)!;
  assert.deepEqual({ status: nearResult.status, n: nearResult.n, configSeeds: nearResult.configSeeds, otherSeeds: nearResult.otherSeeds }, { status: 'stopped-at-cap', n: 5, configSeeds: 5, otherSeeds: 5 });
  assert.ok(nearResult.low !== null && nearResult.high !== null && nearResult.low < 0 && nearResult.high > 0, `near pair's interval ${nearResult.low} to ${nearResult.high} straddles 0`);

  referenceOutcome = await outcome(reference, 'adaptive');
  assert.equal(referenceOutcome.metrics.length, 16 * 3, 'every run trained every epoch exactly once');
  assert.deepEqual(
    referenceOutcome.comparisons.map((c) => ({ id: c.comparison_id, status: c.status, n: c.n, round: c.round })),
    progress.replicate.comparisons.map((c) => ({ id: c.id, status: c.status, n: c.n, round: 2 })),
    'Postgres holds what the progress query reports',
  );
});

test('relaunching a finished adaptive sweep trains nothing and decides the same', { timeout: 240_000 }, async () => {
  const before = await reference.handle.db.selectFrom('epoch_metrics').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const summary = (await (await launch(reference, 'adaptive')).result()) as SweepSummary;
  assert.deepEqual({ runs: summary.runs, trained: summary.trained, reused: summary.reused }, { runs: 16, trained: 0, reused: 16 });
  assert.deepEqual(summary.replicate, { rounds: 2, runs: 16, fixedRuns: 20, saved: 4, resolved: 2, unresolved: 0, stoppedAtCap: 1 });
  const afterCount = await reference.handle.db.selectFrom('epoch_metrics').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  assert.equal(afterCount.n, before.n, 'no epoch was trained again');
  assert.deepEqual(await outcome(reference, 'adaptive'), referenceOutcome);

  // regsweep status reads the same decisions from Postgres: the rounds, the runs saved, each comparison.
  const { stdout } = await promisify(execFile)(process.execPath, [path.resolve('bin/regsweep.mjs'), 'status', 'adaptive'], {
    env: { ...reference.stack.env, DATABASE_URL: reference.database.url },
  });
  assert.match(stdout, /^sweep adaptive: COMPLETED/m);
  assert.match(stdout, /^Seeds chosen while the sweep ran: test accuracy at 3 epochs, each configuration against the control, .* Finished after round 2: 16 runs, where 5 seeds for every one of the 4 configurations would take 20 \(4 saved\); 2 resolved, 0 unresolved, 1 stopped at a cap\.$/m);
  assert.match(stdout, new RegExp(`^  ${near}: stopped at a cap \\(not resolved with this budget\\) on 5 paired seeds \\(5 and 5 seeds trained\\): `, 'm'));
  assert.match(stdout, new RegExp(`^  ${clear}: resolved on 3 paired seeds \\(3 and 5 seeds trained\\): −\\d+\\.\\d\\d points, anytime-valid 98\\.3% interval `, 'm'));
});

test('killing the orchestration worker between rounds and continuing as new change nothing in the result', { timeout: 400_000 }, async () => {
  // The server suggests continue-as-new after about 60 events; the untouched sweep's history has over 100.
  const side = await openSide(['train'], { 'limit.historyCount.suggestContinueAsNew': 60 });
  let orchestrator: ChildProcess = await side.stack.addWorker(['--role', 'orchestrate']);
  const wf = await launch(side, 'adaptive');
  // After the first decision, while its round trains: only training activities are in flight,
  // so the kill loses no record activity to its five-minute timeout.
  await waitFor(
    'the second round training',
    async () => {
      const p = await wf.query(progressQuery);
      return p.replicate && p.replicate.round >= 1 && p.running > 0 ? p : undefined;
    },
    300_000,
  );
  orchestrator.kill('SIGKILL');
  await once(orchestrator, 'exit');
  orchestrator = await side.stack.addWorker(['--role', 'orchestrate']);
  const summary = (await wf.result()) as SweepSummary;
  assert.deepEqual(summary.replicate, { rounds: 2, runs: 16, fixedRuns: 20, saved: 4, resolved: 2, unresolved: 0, stoppedAtCap: 1 });
  assert.equal(summary.trained, 16);
  assert.ok(summary.continuedAsNew >= 1, `continued as new ${summary.continuedAsNew} times`);
  assert.deepEqual(await outcome(side, 'adaptive'), referenceOutcome, 'same runs, same metrics, same decisions as the untouched sweep');
});
