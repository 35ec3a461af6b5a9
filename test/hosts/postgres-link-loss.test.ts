import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { expandRuns } from '../../domain/grid-expansion';
import { validateSpec } from '../../domain/spec-validation';
import { sweepTaskQueue } from '../../workflows/task-queues';
import type { SweepSummary } from '../../workflows/sweep-state';
import { waitFor } from '../helpers/fault-helpers';
import { netnsUnavailable, startHosts, type CutMode, type HostsCluster } from '../helpers/netns-hosts';
import { assertMatchesUninterrupted as assertMatchesUninterruptedRun, epochsOf as epochsOfRun, lockHolders, watchRun } from '../helpers/netns-run-checks';

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

const epochs = 12;
const specFor = (name: string, seed: number) =>
  validateSpec({
    name,
    grid: { dropout1: [0.2], dropout2: [0.5], weightDecay: [0.0001], epochs: [epochs] },
    seeds: [seed],
    train: { lr: 0.5, batchSize: 64, hidden: [64, 64], trainSubset: 2000 },
    maxParallel: 1,
    // A 5 s heartbeat timeout lets the server give up on a cut-off attempt within seconds while
    // staying clear of a slow minibatch on a loaded 2-core machine (heartbeats come every
    // minibatch, at most one a second).
    orchestration: { heartbeatTimeoutSeconds: 5, retryInitialSeconds: 1, retryMaxSeconds: 2, maxAttempts: 10 },
  });

const epochsOf = (runId: string) => epochsOfRun(handle.db, runId);
const assertMatchesUninterrupted = (runId: string, spec: ReturnType<typeof specFor>) => assertMatchesUninterruptedRun(handle.db, runId, spec, epochs);

interface Outage {
  mode: CutMode;
  /** When the link comes back: once the retry has started on the other host, or after a fixed time. */
  restore: 'after-retry-starts' | { afterMs: number };
}

/** Cuts the Postgres link of the host training the run after epoch 3, restores it as `outage` says, and waits for the sweep. */
async function cutMidRun(t: TestContext, name: string, seed: number, outage: Outage) {
  const spec = specFor(name, seed);
  const runId = expandRuns(spec)[0]!.runId;
  // Both hosts poll; the cut goes to whichever took the run, the other is where it should go.
  const workers = await Promise.all(cluster.hosts.map((host) => cluster.startWorker(host, 'train')));
  const wf = await cluster.client.workflow.start('sweep', { workflowId: name, taskQueue: sweepTaskQueue, args: [spec] });
  // Raced against timers below; a sweep terminated as stuck rejects it, which is reported otherwise.
  const result = wf.result() as Promise<SweepSummary>;
  result.catch(() => undefined);
  const rows = await waitFor(
    'epoch 3',
    async () => {
      const r = await epochsOf(runId);
      return r.length >= 3 ? r : undefined;
    },
    90_000,
  );
  const index = workers.findIndex((w) => w.identity === rows[0]!.worker);
  assert.ok(index >= 0, `epoch 1 written by a known worker, got ${rows[0]!.worker}`);
  const cutHost = cluster.hosts[index]!;
  const [cutWorker, otherWorker] = [workers[index]!, workers[1 - index]!];
  const transitions = watchRun(handle.db, runId);
  cluster.cut(cutHost, 'postgres', outage.mode);
  const cutAt = Date.now();
  const seconds = () => Math.round((Date.now() - cutAt) / 1000);
  t.diagnostic(`cut ${cutHost.name}'s Postgres link (${outage.mode}) after epoch ${(await epochsOf(runId)).length}`);

  const pendingActivities = async () =>
    (await wf.describe()).raw.pendingActivities?.map((a) => ({ attempt: a.attempt, worker: a.lastWorkerIdentity, failure: a.lastFailure?.message })) ?? [];
  let completedWhileCut = false;
  if (outage.restore === 'after-retry-starts') {
    await waitFor(
      'the retry on the other host',
      async () => ((await pendingActivities()).some((a) => a.worker === otherWorker.identity) ? true : undefined),
      60_000,
    );
  } else {
    const timer = new AbortController();
    completedWhileCut = await Promise.race([result.then(() => true), sleep(outage.restore.afterMs, false, { signal: timer.signal }).catch(() => false)]);
    timer.abort();
  }
  const whileCut = {
    seconds: seconds(),
    completedWhileCut,
    run: await handle.db.selectFrom('runs').select(['status', 'attempts', 'worker', 'epochs_done', 'error']).where('id', '=', runId).executeTakeFirstOrThrow(),
    pending: await pendingActivities(),
    advisoryLockHeldBy: await lockHolders(handle.db),
  };
  t.diagnostic(`while cut: ${JSON.stringify(whileCut)}`);
  cluster.restore(cutHost, 'postgres');
  t.diagnostic(`restored after ${seconds()} s`);
  // Bounded: a run that does not finish within 60 s of the link's return is stuck; the sweep is
  // then terminated (after the evidence is taken) so that the test ends.
  const timer = new AbortController();
  const summary = await Promise.race([result, sleep(60_000, null, { signal: timer.signal }).catch(() => null)]);
  timer.abort();
  if (summary === null) {
    const orphans = await sql<{ pid: number; client: string; state: string; backend_start: Date }>`
      select a.pid, host(a.client_addr) as client, a.state, a.backend_start from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted`.execute(handle.db);
    const sockets = cluster.sockets(cutHost, 'postgres');
    t.diagnostic(
      `stuck 60 s after the restore: advisory lock held by ${JSON.stringify(orphans.rows)}; the cut host's open connections to Postgres: ${JSON.stringify(sockets)}; pending ${JSON.stringify(await pendingActivities())}`,
    );
    await wf.terminate('stuck in a multi-host test');
  }
  const final = await handle.db.selectFrom('runs').select(['status', 'attempts', 'worker', 'error']).where('id', '=', runId).executeTakeFirstOrThrow();
  t.diagnostic(
    `${summary ? 'finished' : 'terminated'} ${seconds()} s after the cut: run ${JSON.stringify(final)}, epochs written by ${JSON.stringify((await epochsOf(runId)).map((r) => r.worker))}`,
  );
  t.diagnostic(
    `the run's row from the cut on (status, attempts, worker, epochs_done, lease): ${JSON.stringify((await transitions.stop()).map((s) => `${Math.round((s.at - cutAt) / 100) / 10} s ${s.state}`))}`,
  );
  // Stopped here so that their output is complete.
  await Promise.all(workers.map(async (w) => w.child.kill('SIGTERM') && (await w.exited)));
  for (const [what, w] of [
    ['cut', cutWorker],
    ['other', otherWorker],
  ] as const) {
    t.diagnostic(`${what} host's worker ${w.identity} stderr: ${JSON.stringify(w.stderr)} stdout: ${JSON.stringify(w.stdout.slice(1))}`);
  }
  return { spec, runId, summary, whileCut, cutWorker, otherWorker };
}

let cutOffOutput: string[] | null = null;

test(
  "a run whose host's Postgres link goes down mid-run completes after the link is back, with every epoch once and identical metrics",
  { skip: skip ?? false, timeout: 240_000 },
  async (t) => {
    const { spec, runId, summary, cutWorker } = await cutMidRun(t, 'pg-link-down', 21, { mode: 'down', restore: 'after-retry-starts' });
    cutOffOutput = [...cutWorker.stderr, ...cutWorker.stdout.slice(1)];
    assert.ok(summary, 'the sweep finished');
    assert.equal(summary.completed, 1);
    assert.equal(summary.failed, 0);
    await assertMatchesUninterrupted(runId, spec);
  },
);

test('the worker cut off from Postgres mid-run says so in one line', { skip: skip ?? false }, () => {
  assert.ok(cutOffOutput, 'the link-down test ran');
  const lines = cutOffOutput.filter((l) => /postgres|database/i.test(l));
  assert.equal(lines.length, 1, `one line about the lost database link, got ${JSON.stringify(cutOffOutput)}`);
  // Its own sentence, not Temporal's JSON entry.
  assert.match(lines[0]!, /^\S+ \[WARN\] regsweep worker: run run-[0-9a-f]+: [^{]+$/);
});

test(
  "a run whose host's Postgres link silently drops every packet moves to another host and completes while the link stays cut",
  {
    skip: skip ?? false,
    timeout: 240_000,
  },
  async (t) => {
    const { spec, runId, summary, whileCut } = await cutMidRun(t, 'pg-link-drop', 22, { mode: 'drop', restore: { afterMs: 60_000 } });
    assert.ok(whileCut.completedWhileCut, `completed while the link was cut: ${JSON.stringify(whileCut)}`);
    assert.ok(summary, 'the sweep finished after the link was back');
    assert.equal(summary.completed, 1);
    assert.equal(summary.failed, 0);
    await assertMatchesUninterrupted(runId, spec);
  },
);
