import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { validateSpec } from '../../domain/spec-validation';
import { sweepTaskQueue } from '../../workflows/task-queues';
import type { SweepSummary } from '../../workflows/sweep-state';
import { waitFor } from '../helpers/fault-helpers';
import { netnsUnavailable, startHosts, type HostsCluster } from '../helpers/netns-hosts';

const skip = netnsUnavailable();
let cluster: HostsCluster;
let handle: DatabaseHandle;

before(async () => {
  if (skip) return;
  cluster = await startHosts(['orchestrator', 'host-a', 'host-b']);
  handle = openDatabase(cluster.databaseUrl);
  const [orchestrator, ...trainers] = cluster.hosts;
  await cluster.startWorker(orchestrator!, 'orchestrate');
  await Promise.all(trainers.map((host) => cluster.startWorker(host, 'train')));
});

after(async () => {
  await handle?.close();
  await cluster?.stop();
});

// Six runs, two at a time, long enough that the partition falls in the middle of the sweep.
const spec = validateSpec({
  name: 'orchestrator-partition',
  grid: { dropout1: [0.1, 0.3, 0.5], dropout2: [0.2], weightDecay: [0], epochs: [4] },
  seeds: [1, 2],
  train: { lr: 0.5, batchSize: 64, hidden: [32, 32], trainSubset: 1000 },
  maxParallel: 2,
  orchestration: { heartbeatTimeoutSeconds: 10, retryInitialSeconds: 1, retryMaxSeconds: 2 },
});

test(
  'a sweep whose orchestration host is partitioned for 20 s completes once it is back, with no run trained twice',
  { skip: skip ?? false, timeout: 240_000 },
  async (t) => {
    const wf = await cluster.client.workflow.start('sweep', { workflowId: 'orchestrator-partition', taskQueue: sweepTaskQueue, args: [spec] });
    await waitFor(
      'the first completed run',
      async () => ((await handle.db.selectFrom('runs').select('id').where('status', '=', 'completed').execute()).length >= 1 ? true : undefined),
      90_000,
    );
    const orchestrator = cluster.hosts[0]!;
    // Longer than the workflow task timeout (10 s): the workflow's tasks time out on the cut-off worker.
    cluster.cut(orchestrator, 'both', 'drop');
    const cutAt = Date.now();
    await sleep(20_000);
    const during = await handle.db
      .selectFrom('runs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    t.diagnostic(`runs by status after 20 s cut off: ${JSON.stringify(during)}`);
    cluster.restore(orchestrator, 'both');
    const summary = (await wf.result()) as SweepSummary;
    t.diagnostic(
      `finished ${Math.round((Date.now() - cutAt) / 1000)} s after the cut; orchestrator stderr: ${JSON.stringify(orchestrator.workers[0]!.stderr)}`,
    );

    assert.equal(summary.runs, 6);
    assert.equal(summary.completed, 6);
    assert.equal(summary.failed, 0);
    assert.equal(summary.trained + summary.reused, 6);
    const runs = await handle.db.selectFrom('runs').select(['id', 'status', 'attempts']).execute();
    assert.deepEqual(
      runs.map((r) => [r.status, r.attempts]),
      runs.map(() => ['completed', 1]),
      'every run completed, each trained by one attempt',
    );
    const epochs = await handle.db.selectFrom('epoch_metrics').select(['run_id', 'epoch']).execute();
    for (const run of runs) {
      assert.deepEqual(
        epochs
          .filter((e) => e.run_id === run.id)
          .map((e) => e.epoch)
          .sort(),
        [1, 2, 3, 4],
        `every epoch of ${run.id} exactly once`,
      );
    }
  },
);
