import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { validateSpec } from '../../domain/spec-validation';
import { sweepTaskQueue } from '../../workflows/task-queues';
import type { SweepSummary } from '../../workflows/sweep-state';
import { netnsUnavailable, startHosts, type HostsCluster } from '../helpers/netns-hosts';

const skip = netnsUnavailable();
let cluster: HostsCluster;
let handle: DatabaseHandle;

before(async () => {
  if (skip) return;
  cluster = await startHosts(['host-a', 'host-b', 'host-c']);
  handle = openDatabase(cluster.databaseUrl);
  await cluster.startWorker(null, 'orchestrate');
  await Promise.all(cluster.hosts.map((host) => cluster.startWorker(host, 'train')));
});

after(async () => {
  await handle?.close();
  await cluster?.stop();
});

// Six small runs, three at a time: each of the three hosts (one run at a time each) takes one
// of the first three. A few epochs of 500 images keep the whole sweep well under two minutes.
const spec = validateSpec({
  name: 'three-hosts',
  grid: { dropout1: [0.1, 0.3, 0.5], dropout2: [0.2], weightDecay: [0], epochs: [3] },
  seeds: [1, 2],
  train: { lr: 0.5, batchSize: 64, hidden: [16, 16], trainSubset: 500 },
  maxParallel: 3,
  orchestration: { heartbeatTimeoutSeconds: 10, retryInitialSeconds: 1, retryMaxSeconds: 2 },
});

test(
  'a sweep spread over three worker hosts trains every run once, on every host, with every epoch once',
  { skip: skip ?? false, timeout: 180_000 },
  async () => {
    const summary = (await cluster.client.workflow.execute('sweep', { workflowId: 'three-hosts', taskQueue: sweepTaskQueue, args: [spec] })) as SweepSummary;
    assert.equal(summary.runs, 6);
    assert.equal(summary.trials, 6);
    assert.equal(summary.trained, 6);
    assert.equal(summary.completed, 6);
    assert.equal(summary.failed, 0);
    assert.equal(summary.reused, 0);

    const runs = await handle.db.selectFrom('runs').select(['id', 'status', 'attempts', 'worker', 'epochs_done']).execute();
    assert.equal(runs.length, 6);
    for (const run of runs)
      assert.deepEqual({ status: run.status, attempts: run.attempts, epochs: run.epochs_done }, { status: 'completed', attempts: 1, epochs: 3 }, run.id);
    const identities = new Map(cluster.hosts.flatMap((h) => h.workers.map((w) => [w.identity, h.name] as const)));
    const hostOf = (worker: string | null) => identities.get(worker ?? '') ?? `unknown worker ${worker}`;
    assert.deepEqual(new Set(runs.map((r) => hostOf(r.worker))), new Set(['host-a', 'host-b', 'host-c']), 'each host trained at least one run');

    const epochs = await handle.db.selectFrom('epoch_metrics').select(['run_id', 'epoch', 'worker']).orderBy('run_id').orderBy('epoch').execute();
    for (const run of runs) {
      const own = epochs.filter((e) => e.run_id === run.id);
      assert.deepEqual(
        own.map((e) => e.epoch),
        [1, 2, 3],
        `every epoch of ${run.id} exactly once`,
      );
      assert.ok(
        own.every((e) => e.worker === run.worker),
        `${run.id}: every epoch written by the worker that trained the run`,
      );
    }

    // The best configuration is the largest test accuracy averaged over the two seeds.
    const trials = await handle.db.selectFrom('trial_results').select(['dropout1', 'test_acc']).where('sweep_id', '=', 'three-hosts').execute();
    const means = [0.1, 0.3, 0.5].map((d) => {
      const accs = trials.filter((t) => t.dropout1 === d).map((t) => t.test_acc!);
      return { dropout1: d, testAcc: accs.reduce((a, b) => a + b, 0) / accs.length, seeds: accs.length };
    });
    const best = means.reduce((a, b) => (b.testAcc > a.testAcc ? b : a));
    assert.ok(summary.best, 'a best configuration');
    assert.deepEqual(
      { dropout1: summary.best.dropout1, seeds: summary.best.seeds, epochs: summary.best.epochs },
      { dropout1: best.dropout1, seeds: 2, epochs: 3 },
    );
    assert.ok(Math.abs(summary.best.testAcc - best.testAcc) < 1e-9, `best test accuracy ${summary.best.testAcc} vs ${best.testAcc}`);
  },
);
