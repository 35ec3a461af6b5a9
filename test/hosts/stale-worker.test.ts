import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { sweepTaskQueue } from '../../workflows/task-queues';
import type { SweepSummary } from '../../workflows/sweep-state';
import { waitFor } from '../helpers/fault-helpers';
import { netnsUnavailable, startHosts, type HostWorker, type HostsCluster, type LinkTarget } from '../helpers/netns-hosts';
import { assertMatchesUninterrupted, epochsOf, watchRun } from '../helpers/netns-run-checks';

/*
 * Stale workers: a host whose attempt Temporal gave up while the host could still reach Postgres
 * (its Temporal link cut), or that comes back after its run was given to another host (both
 * links cut, then restored). The retry takes the run's lease while it waits for the run's
 * advisory lock; the stale attempt's next write is refused, it stops and releases the lock, and
 * the retry resumes from the last checkpoint the stale attempt saved before the fence.
 */

const skip = netnsUnavailable();
let cluster: HostsCluster;
let handle: DatabaseHandle;

before(async () => {
  if (skip) return;
  cluster = await startHosts(['host-a', 'host-b']);
  handle = openDatabase(cluster.databaseUrl);
  await cluster.startWorker(null, 'orchestrate');
});

after(async () => {
  await handle?.close();
  await cluster?.stop();
});

// Long enough (about 0.8 s an epoch here, 20 s a run) that the run is still training when the
// retry starts, some 6 s after the cut.
const epochs = 24;
const specFor = (name: string, seed: number, runEpochs = epochs) =>
  validateSpec({
    name,
    grid: { dropout1: [0.2], dropout2: [0.5], weightDecay: [0.0001], epochs: [runEpochs] },
    seeds: [seed],
    train: { lr: 0.5, batchSize: 64, hidden: [256, 256], trainSubset: 40000 },
    maxParallel: 1,
    // As in postgres-link-loss.test.ts: a cut-off attempt is given up within seconds.
    orchestration: { heartbeatTimeoutSeconds: 5, retryInitialSeconds: 1, retryMaxSeconds: 2, maxAttempts: 10 },
  });

/** The worker's lines that say a write of its attempt was refused because a newer attempt owns the run. */
const refusedWrites = (w: HostWorker) => [...w.stderr, ...w.stdout].filter((l) => /regsweep worker: run \S+: attempt \d+ stopped: .*database refused/.test(l));

/**
 * Starts a worker on both hosts and a one-run sweep, cuts `target` of the host that trains the run
 * after epoch 3 (packets dropped), restores it once the retry on the other host has taken the run's
 * lease (`restoreAfterLease`) or once the sweep is over, and checks the run's rows.
 */
async function staleAttempt(t: TestContext, name: string, seed: number, target: LinkTarget, restoreAfterLease: boolean) {
  const spec = specFor(name, seed);
  const runId = expandRuns(spec)[0]!.runId;
  const workers = await Promise.all(cluster.hosts.map((host) => cluster.startWorker(host, 'train')));
  const wf = await cluster.client.workflow.start('sweep', { workflowId: name, taskQueue: sweepTaskQueue, args: [spec] });
  const result = wf.result() as Promise<SweepSummary>;
  result.catch(() => undefined);
  const early = await waitFor(
    'epoch 3',
    async () => {
      const r = await epochsOf(handle.db, runId);
      return r.length >= 3 ? r : undefined;
    },
    90_000,
  );
  const index = workers.findIndex((w) => w.identity === early[0]!.worker);
  assert.ok(index >= 0, `epoch 1 written by a known worker, got ${early[0]!.worker}`);
  const cutHost = cluster.hosts[index]!;
  const [cutWorker, otherWorker] = [workers[index]!, workers[1 - index]!];
  const watch = watchRun(handle.db, runId);
  cluster.cut(cutHost, target, 'drop');
  const cutAt = Date.now();
  const since = (at: number) => Math.round((at - cutAt) / 100) / 10;

  // The retry moves the lease to attempt 2 while the stale attempt still holds the advisory lock.
  const leaseMoved = await waitFor('the retry to take the run’s lease', async () => watch.samples.find((s) => s.leaseAttempt === 2), 30_000).catch(
    async (err: Error) => {
      cluster.restore(cutHost, target);
      const pending = (await wf.describe()).raw.pendingActivities?.map((a) => ({
        attempt: a.attempt,
        worker: a.lastWorkerIdentity,
        failure: a.lastFailure?.message,
      }));
      const seen = (await watch.stop()).map((s) => `${since(s.at)} s ${s.state}`);
      throw new Error(
        `${err.message}: the run's row went ${JSON.stringify(seen)}; pending ${JSON.stringify(pending)}; cut worker said ${JSON.stringify(cutWorker.stderr)}`,
      );
    },
  );
  // Written before the lease moved, and none after: nothing of the stale attempt can change this.
  const fencedAfter = (await handle.db.selectFrom('runs').select('epochs_done').where('id', '=', runId).executeTakeFirstOrThrow()).epochs_done;
  t.diagnostic(
    `${cutHost.name}'s ${target} link cut after epoch ${early.length}; the retry took the lease ${since(leaseMoved.at)} s later, after epoch ${fencedAfter}`,
  );
  if (restoreAfterLease) cluster.restore(cutHost, target);

  const timer = new AbortController();
  const summary = await Promise.race([result, sleep(90_000, null, { signal: timer.signal }).catch(() => null)]);
  timer.abort();
  if (summary === null) await wf.terminate('stuck in a multi-host test');
  if (!restoreAfterLease) cluster.restore(cutHost, target);
  const samples = await watch.stop();
  const claimed = samples.find((s) => s.worker === otherWorker.identity);
  t.diagnostic(`the run's row from the cut on: ${JSON.stringify(samples.map((s) => `${since(s.at)} s ${s.state}`))}`);
  t.diagnostic(`cut host's worker said: ${JSON.stringify([...cutWorker.stderr, ...cutWorker.stdout.slice(1)])}`);
  assert.ok(summary, 'the sweep finished');
  assert.ok(claimed, 'the other host claimed the run');
  t.diagnostic(`the other host claimed the run ${since(claimed.at)} s after the cut, ${since(claimed.at) - since(leaseMoved.at)} s after it took the lease`);

  assert.deepEqual(
    { completed: summary.completed, failed: summary.failed, trained: summary.trained, reused: summary.reused },
    { completed: 1, failed: 0, trained: 1, reused: 0 },
  );
  assert.ok(
    summary.best && Math.abs(summary.best.testAcc - (await epochsOf(handle.db, runId)).at(-1)!.test_acc!) < 1e-12,
    'the summary reports the last epoch',
  );
  await assertMatchesUninterrupted(handle.db, runId, spec, epochs);
  const rows = await epochsOf(handle.db, runId);
  assert.deepEqual(
    rows.map((r) => r.worker),
    rows.map((r) => (r.epoch <= fencedAfter ? cutWorker.identity : otherWorker.identity)),
    `epochs 1..${fencedAfter} from the stale attempt, written before the fence; every later one from the retry`,
  );
  const checkpoint = await handle.db.selectFrom('checkpoints').select('epoch').where('run_id', '=', runId).executeTakeFirstOrThrow();
  assert.equal(checkpoint.epoch, epochs, 'the last checkpoint is the retry’s last epoch');
  const run = await handle.db
    .selectFrom('runs')
    .select(['status', 'attempts', 'worker', 'epochs_done', 'lease_attempt'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(run, { status: 'completed', attempts: 2, worker: otherWorker.identity, epochs_done: epochs, lease_attempt: 2 });
  return { cutWorker, otherWorker, leaseMoved, claimed, cutAt };
}

test(
  "a worker whose Temporal link is cut mid-run stops at its next write once the retry took the run, and the retry gets the run's lock then",
  { skip: skip ?? false, timeout: 240_000 },
  async (t) => {
    const { cutWorker, otherWorker, leaseMoved, claimed } = await staleAttempt(t, 'stale-temporal-cut', 31, 'temporal', false);
    // The stale attempt kept Postgres: its next epoch write was refused, it said so once and released the lock.
    assert.equal(refusedWrites(cutWorker).length, 1, `one refused write: ${JSON.stringify(cutWorker.stderr)}`);
    // An epoch here takes well under 10 s, so the retry waited at most about one epoch for the lock.
    assert.ok(claimed.at - leaseMoved.at < 10_000, `the retry claimed the run ${claimed.at - leaseMoved.at} ms after taking the lease`);
    assert.equal(cutWorker.child.exitCode, null, 'the cut-off worker is still running');
    // Stopped so that the next test's run goes to its own workers.
    await Promise.all([cutWorker, otherWorker].map(async (w) => w.child.kill('SIGTERM') && (await w.exited)));
  },
);

test(
  'a worker cut off from both Temporal and Postgres mid-run has its late write refused when it comes back, and then trains another run',
  { skip: skip ?? false, timeout: 300_000 },
  async (t) => {
    const { cutWorker, otherWorker } = await staleAttempt(t, 'stale-both-cut', 32, 'both', true);
    // Back before its connection to Postgres gave up, the stale attempt delivered the write it had
    // pending; the database refused it and nothing of it survives (checked above).
    assert.equal(refusedWrites(cutWorker).length, 1, `one refused write: ${JSON.stringify(cutWorker.stderr)}`);

    // The worker is healthy: with the other host's worker gone, it trains the next sweep's run.
    otherWorker.child.kill('SIGTERM');
    await otherWorker.exited;
    const next = specFor('after-the-cut', 33, 3);
    const summary = (await cluster.client.workflow.execute('sweep', { workflowId: 'after-the-cut', taskQueue: sweepTaskQueue, args: [next] })) as SweepSummary;
    assert.deepEqual({ completed: summary.completed, failed: summary.failed }, { completed: 1, failed: 0 });
    const run = await handle.db
      .selectFrom('runs')
      .select(['status', 'attempts', 'worker'])
      .where('id', '=', expandRuns(next)[0]!.runId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(run, { status: 'completed', attempts: 1, worker: cutWorker.identity });
  },
);
