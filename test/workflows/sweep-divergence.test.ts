import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import type { SweepSummary } from '../../workflows/sweep-state';
import { divergingAt, divergingConfig, divergingMessage } from '../helpers/diverging-run';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestStack, type TestStack } from '../helpers/temporal-stack';
import { sweepTaskQueue } from '../../workflows/task-queues';
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandContext } from '../../cli/command-context';
import { printResults } from '../../cli/commands/results-command';
import { loadConfig } from '../../config';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { writeReport } from '../../report/write-report';
import { dataPanels } from '../grafana/dashboard-panels';
import { interpolateGrafanaSql } from '../helpers/grafana-interpolation';
import { sweepWorkflowType } from '../../workflows/workflow-types';

let database: TestDatabase;
let stack: TestStack;
let handle: DatabaseHandle;

before(async () => {
  database = await createTestDatabase();
  // wasm: the backend on which divergingConfig's epoch and batch of divergence were found.
  stack = await startTestStack(database.url, ['orchestrate', 'train'], { env: { REGSWEEP_BACKEND: 'wasm' } });
  handle = openDatabase(database.url);
});

after(async () => {
  await handle?.close();
  await stack?.stop();
  await database?.drop();
});

test('a run that diverges ends as diverged at its epoch, once, and the sweep completes and counts it', { timeout: 240_000 }, async () => {
  const { lr, batchSize, hidden, trainSubset, seed } = divergingConfig;
  const spec = {
    name: 'diverge',
    // epochs 1 is before the divergence (a valid result), 4 after it.
    grid: { dropout1: [0], dropout2: [0], weightDecay: [0], epochs: [1, 4] },
    seeds: [seed],
    train: { lr, batchSize, hidden, trainSubset },
    maxParallel: 1,
    orchestration: { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 1, retryMaxSeconds: 2 },
  };
  const run = () => stack.client.workflow.start(sweepWorkflowType, { workflowId: 'diverge', taskQueue: sweepTaskQueue, args: [spec] }).then((wf) => wf.result());
  const summary = (await run()) as SweepSummary;
  assert.deepEqual([summary.trained, summary.diverged, summary.failed, summary.completed], [1, 1, 0, 0]);

  const runRow = await handle.db.selectFrom('runs').selectAll().executeTakeFirstOrThrow();
  assert.deepEqual([runRow.status, runRow.diverged_at_epoch, runRow.epochs_done, runRow.attempts], ['diverged', divergingAt.epoch, divergingAt.epoch - 1, 1]);
  assert.match(runRow.error ?? '', divergingMessage);
  const epochs = await handle.db.selectFrom('epoch_metrics').select(['epoch', 'diverged', 'test_acc']).orderBy('epoch').execute();
  assert.deepEqual(epochs.map((e) => [e.epoch, e.diverged, e.test_acc === null]), [[1, false, false], [2, true, true]]);
  const trials = await handle.db.selectFrom('config_summary').select(['epochs', 'n', 'n_diverged']).where('sweep_id', '=', 'diverge').orderBy('epochs').execute();
  assert.deepEqual(trials.map((t) => [t.epochs, t.n, t.n_diverged]), [[1, 1, 0], [4, 0, 1]]);
  const sweep = await handle.db.selectFrom('sweeps').select('status').executeTakeFirstOrThrow();
  assert.equal(sweep.status, 'completed');

  // A relaunch does not train it again: it would diverge at the same batch.
  const again = (await run()) as SweepSummary;
  assert.deepEqual([again.trained, again.reused, again.diverged], [0, 1, 1]);
});

// What a person sees of the diverged run above: it is named as diverged in `regsweep results`,
// in the report and in the overview dashboard's divergence table (its SQL run as Grafana would).
test('the diverged run shows up as diverged in regsweep results, the report and the dashboards', async () => {
  const out: string[] = [];
  const home = mkdtempSync(path.join(tmpdir(), 'regsweep-diverge-'));
  const ctx: CommandContext = { config: loadConfig({ DATABASE_URL: database.url, REGSWEEP_HOME: home }, home), out: (l) => out.push(l), err: () => undefined };
  await printResults(ctx, 'diverge', 'table');
  const text = out.join('\n');
  const row4 = text.split('\n').find((l) => /^│ 0 +│ 0 +│ 0 +│ 4 +│ 0 +│ 1 /.test(l));
  assert.ok(row4, `no row with 0 seeds and 1 diverged at 4 epochs:\n${text}`);
  assert.match(text, /^Diverged runs:$/m);
  assert.match(text, /^- dropout1 0, dropout2 0, weight decay 0: 1 of 1 seeds diverged/m);

  const html = await readFile(await writeReport(handle.db, 'diverge', path.join(home, 'diverge.html')), 'utf8');
  assert.match(html, /Diverged runs/);
  assert.match(html, /dropout1 0, dropout2 0, weight decay 0: 1 of 1 seeds diverged/);

  const overview = buildDashboards().find((d) => d.uid === 'regsweep-overview')!;
  const panel = dataPanels(overview).find((p) => p.title === 'Diverged runs at $epochs epochs')!;
  const range = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
  const panelSql = interpolateGrafanaSql(panel.targets![0]!.rawSql, { sweep: { value: 'diverge' }, epochs: { value: '4' }, variant: { value: `dropout lr=${divergingConfig.lr}` }, weight_decay: { value: ['0'], multi: true, includeAll: true } }, range);
  const rows = (await handle.pool.query({ text: panelSql, rowMode: 'array' })).rows as unknown[][];
  assert.equal(rows.length, 1, JSON.stringify(rows));
  const fields = (await handle.pool.query(panelSql)).fields.map((f) => f.name);
  assert.deepEqual(Object.fromEntries(fields.map((f, i) => [f, rows[0]![i]])).diverged, 1, JSON.stringify([fields, rows]));
});
