import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { interpolateGrafanaSql, type GrafanaVariable, type TimeRange } from '../helpers/grafana-interpolation';
import { openRealSweepDatabase, type RealSweepDatabase } from '../helpers/real-sweep-fixture';
import { dataPanels, variablesOf, type BuiltPanel } from './dashboard-panels';
import { assertClose } from '../db/assert-close';
import { expected, numeric, typeNames, type PgType, type Result } from './panel-expectations';

/*
 * Every panel's SQL, interpolated the way Grafana interpolates it, runs as the read-only
 * role regsweep_reader against a real small sweep (16 runs trained here), and returns the
 * columns, types and rows the panel is built for. Variable values come from running the
 * dashboards' own variable queries, as Grafana does when the dashboard loads.
 */

let fx: RealSweepDatabase;
let range: TimeRange;

before(async () => {
  fx = await openRealSweepDatabase();
  range = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
});
after(async () => {
  await fx?.close();
});

/** Runs one statement as regsweep_reader, the role Grafana's data source connects as. */
async function queryAsReader(sqlText: string): Promise<Result> {
  const client = await fx.handle.pool.connect();
  try {
    await client.query('begin read only');
    await client.query('set local role regsweep_reader');
    const r = await client.query({ text: sqlText, rowMode: 'array' });
    return {
      columns: r.fields.map((f) => ({ name: f.name, type: typeNames[f.dataTypeID] ?? (`oid ${f.dataTypeID}` as PgType) })),
      rows: r.rows as unknown[][],
    };
  } finally {
    await client.query('rollback');
    client.release();
  }
}

/** Runs the variable queries in order, choosing what Grafana chooses at load (All, or the first value) unless `chosen` says otherwise. */
async function resolveVariables(d: dashboard.Dashboard, chosen: Record<string, string> = {}): Promise<Record<string, GrafanaVariable & { options: string[] }>> {
  const resolved: Record<string, GrafanaVariable & { options: string[] }> = {};
  for (const v of variablesOf(d)) {
    const result = await queryAsReader(interpolateGrafanaSql(String(v.query), resolved, range));
    const options = result.rows.map((row) => String(row[0]));
    const pick = chosen[v.name];
    if (pick !== undefined) assert.ok(options.includes(pick), `${v.name} offers ${options.join(', ')}, not ${pick}`);
    resolved[v.name] = { value: pick ?? (v.includeAll ? options : (options[0] ?? '')), multi: v.multi ?? false, includeAll: v.includeAll ?? false, options };
  }
  return resolved;
}

/** What Grafana does to the panel's frame, checked against the columns the query returned. */
function assertPanelContract(panel: BuiltPanel, result: Result, where: string): void {
  const names = result.columns.map((c) => c.name);
  const typeOf = (name: string) => result.columns.find((c) => c.name === name)?.type;
  const matrix = panel.transformations?.find((t) => t.id === 'groupingToMatrix')?.options as
    { rowField: string; columnField: string; valueField: string } | undefined;
  const produced = matrix ? [`${matrix.rowField}\\${matrix.columnField}`] : [];
  if (matrix) {
    for (const field of [matrix.rowField, matrix.columnField, matrix.valueField]) assert.ok(names.includes(field), `${where}: matrix field ${field} missing`);
    const cells = result.rows.map((r) => `${r[names.indexOf(matrix.rowField)]}|${r[names.indexOf(matrix.columnField)]}`);
    assert.equal(new Set(cells).size, cells.length, `${where}: a matrix cell appears twice`);
  }
  for (const o of panel.fieldConfig?.overrides ?? []) {
    if (o.matcher.id === 'byName') assert.ok([...names, ...produced].includes(o.matcher.options), `${where}: override for missing column ${o.matcher.options}`);
    // Grafana tests the pattern unanchored against each display name.
    if (o.matcher.id === 'byRegexp')
      assert.ok(
        names.some((n) => new RegExp(o.matcher.options).test(n)),
        `${where}: override /${o.matcher.options}/ matches no column`,
      );
  }
  const options = panel.options as { xField?: string } | undefined;
  if (panel.type === 'trend') {
    const x = names.indexOf(options?.xField ?? '');
    assert.ok(x >= 0 && numeric.has(result.columns[x]!.type), `${where}: x field ${options?.xField} must be a numeric column`);
    const xs = result.rows.map((r) => Number(r[x]));
    assert.ok(
      xs.every((v, i) => i === 0 || v > xs[i - 1]!),
      `${where}: x must be strictly ascending, got ${xs.join(', ')}`,
    );
    for (const c of result.columns) assert.ok(numeric.has(c.type), `${where}: ${c.name} is not numeric`);
  }
  if (panel.type === 'barchart') {
    assert.equal(typeOf(options?.xField ?? ''), 'text', `${where}: bar labels must be text`);
    for (const c of result.columns.filter((c) => c.name !== options?.xField)) assert.ok(numeric.has(c.type), `${where}: ${c.name} is not numeric`);
  }
  if (panel.type === 'stat' || panel.type === 'gauge') {
    for (const c of result.columns) assert.ok(numeric.has(c.type), `${where}: ${c.name} is not numeric`);
  }
  if (panel.targets?.[0]?.format === 'time_series') {
    const times = result.rows.map((r) => new Date(r[0] as string).getTime());
    assert.ok(
      times.every((t, i) => i === 0 || t >= times[i - 1]!),
      `${where}: time series must be ordered by time`,
    );
  }
}

/** Runs every panel of a dashboard (each repetition of repeated ones) and checks it. */
async function runPanels(d: dashboard.Dashboard, variables: Record<string, GrafanaVariable & { options: string[] }>): Promise<Map<string, Result[]>> {
  const results = new Map<string, Result[]>();
  for (const panel of dataPanels(d)) {
    const key = `${d.uid}/${panel.title}`;
    const want = expected[key];
    assert.ok(want, `${key}: no expectation; add one to this test`);
    const repeats = panel.repeat ? variables[panel.repeat]!.options : [null];
    const perRepeat: Result[] = [];
    for (const value of repeats) {
      const scoped = value === null ? variables : { ...variables, [panel.repeat!]: { ...variables[panel.repeat!]!, value } };
      const where = value === null ? key : `${key} [${panel.repeat} = ${value}]`;
      const result = await queryAsReader(interpolateGrafanaSql(panel.targets![0]!.rawSql, scoped, range));
      assert.deepEqual(Object.fromEntries(result.columns.map((c) => [c.name, c.type])), want.columns, `${where}: columns`);
      assert.deepEqual(
        result.columns.map((c) => c.name),
        Object.keys(want.columns),
        `${where}: column order`,
      );
      assert.equal(result.rows.length, want.rows, `${where}: rows`);
      assertPanelContract(panel, result, where);
      perRepeat.push(result);
    }
    results.set(panel.title ?? '', perRepeat);
  }
  return results;
}

/** Rows equal cell by cell, numbers up to float rounding (an average's last bit depends on the order rows are summed in). */
function assertRowsClose(actual: unknown[][], want: unknown[][], label: string): void {
  assert.equal(actual.length, want.length, `${label}: rows`);
  actual.forEach((row, i) => {
    assert.equal(row.length, want[i]!.length, `${label}: columns of row ${i}`);
    row.forEach((v, j) => assertClose(v as number | null, want[i]![j] as number | null, `${label} [${i}, ${j}]`, 1e-12));
  });
}

const [overview, effects, dynamics] = buildDashboards() as [dashboard.Dashboard, dashboard.Dashboard, dashboard.Dashboard];

test("the dashboards' variables offer the sweep, its epochs, weight decays and seeds", async () => {
  const v = await resolveVariables(effects);
  assert.deepEqual(v.sweep!.options, [fx.sweepId]);
  assert.deepEqual(v.epochs!.options, ['3', '2']);
  assert.deepEqual(v.weight_decay!.options, ['0', '0.001']);
  assert.deepEqual(v.seed!.options, ['mean', '1', '2']);
});

test('every sweep overview panel returns its columns and rows as regsweep_reader', async () => {
  const results = await runPanels(overview, await resolveVariables(overview));
  assert.deepEqual(results.get('Runs by status')![0]!.rows, [[16, 0, 0, 0, 0, 0]]);
  assert.deepEqual(results.get('Epochs trained')![0]!.rows, [[1]]);
  const best = results.get('Best configurations at $epochs epochs')![0]!.rows;
  const top = await fx.handle.db
    .selectFrom('config_summary')
    .select('test_acc_mean')
    .where('epochs', '=', 3)
    .orderBy('test_acc_mean', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  assert.equal(best[0]![5], top.test_acc_mean);
  assert.ok(best.every((r) => r[6] === 'n<3: no interval'), 'two seeds: no interval shown');
  assert.equal(best[0]![7], 'best');
  // Nothing diverged; two finished seeds per configuration give no informative interval.
  const diverged = results.get('Diverged runs at $epochs epochs')![0]!.rows;
  assert.ok(diverged.every((r) => r[3] === 2 && r[4] === 0 && r[5] === 0 && r[6] === 'n<3: no interval'), JSON.stringify(diverged));
});

for (const seed of ['mean', '1']) {
  test(`every regularizer effects panel returns its columns and rows when seeds = ${seed}`, async () => {
    const results = await runPanels(effects, await resolveVariables(effects, { seed }));
    // The matrix of weight decay 0 holds each dropout pair's mean over seeds, marked by its comparison with the best.
    const cells = await fx.handle.db
      .selectFrom('config_vs_best')
      .select(['dropout1', 'dropout2', 'mean', 'vs_best'])
      .where('epochs', '=', 3)
      .where('weight_decay', '=', 0)
      .where('metric', '=', 'test_acc')
      .orderBy('dropout1')
      .orderBy('dropout2')
      .execute();
    const matrix = results.get('Test accuracy, weight decay $weight_decay')![0]!.rows;
    const marks: Record<string, string> = { best: ' ★', 'within seed noise of the best': ' ≈', 'too few seeds': ' (n<3)', 'beyond seed noise': '' };
    assert.deepEqual(
      matrix,
      cells.map((c) => [String(c.dropout1), String(c.dropout2), `${(c.mean * 100).toFixed(1)}%${marks[c.vs_best]}`]),
    );
    // Two seeds: no interval or p-value is shown as a result.
    const families = await fx.handle.db
      .selectFrom('effect_vs_control')
      .select(['metric', (eb) => eb.fn.max('holm_m').as('m')])
      .groupBy('metric')
      .execute();
    const familyOf = (label: unknown) => families.find((f) => (f.metric === 'test_acc' ? 'test accuracy' : 'train-test gap') === label)!.m;
    const vsControl = results.get('Each configuration against the control at $epochs epochs')![0]!.rows;
    for (const r of vsControl) {
      // [metric, configuration, control, n, difference, 95% CI, diverged, test, p, p (Holm), family, verdict]
      assert.deepEqual([r[3], r[5], r[6], r[7], r[8], r[9], r[11]], [2, 'n<3: no interval', 0, null, null, null, 'too few seeds']);
      assert.equal(r[10], familyOf(r[0]), 'family: every configuration at every epochs value of the metric');
    }
    // Swap and interaction: two seeds show no interval and no p-value; the family is the whole (sweep, metric) one.
    const swapFamily = await fx.handle.db.selectFrom('effect_dropout_swap').select(['metric', 'holm_m', 'holm_m_epochs']).execute();
    assert.ok(swapFamily.every((f) => f.holm_m > f.holm_m_epochs), 'the whole family spans both epochs values');
    const swaps = results.get('Does swapping dropout1 and dropout2 matter?')![0]!.rows;
    // Test accuracy first (the view's metric, not the label, orders the rows).
    assert.deepEqual(
      swaps.map((r) => r[0]),
      ['test accuracy', 'test accuracy', 'train-test gap', 'train-test gap'],
    );
    assert.equal(vsControl[0]![0], 'test accuracy');
    for (const r of swaps) {
      // [metric, weight decay, a, b, n, diverged, (a, b), (b, a), difference, CI low, CI high, test, p, p (Holm), family, verdict]
      assert.deepEqual([r[4], r[5], r[9], r[10], r[11], r[12], r[13], r[15]], [2, 0, null, null, null, null, null, 'too few seeds']);
      assert.equal(r[14], swapFamily.find((f) => (f.metric === 'test_acc' ? 'test accuracy' : 'train-test gap') === r[0])!.holm_m);
    }
    const interactionFamily = await fx.handle.db
      .selectFrom('effect_interaction')
      .select('holm_m')
      .where('metric', '=', 'test_acc')
      .executeTakeFirstOrThrow();
    const interactions = results.get('Dropout × weight decay: additive or not?')![0]!.rows;
    for (const r of interactions) {
      // [..., interaction CI low, interaction CI high, test, p, p (Holm), family, verdict]
      assert.deepEqual(r.slice(10), [null, null, null, null, null, interactionFamily.holm_m, 'too few seeds']);
    }
    // The F test per metric, as noise_diagnostic computes it.
    const noise = await fx.handle.db.selectFrom('noise_diagnostic').selectAll().where('epochs', '=', 3).orderBy('metric', 'desc').execute();
    assert.deepEqual(
      results.get('Do configurations differ by more than seed noise at $epochs epochs?')![0]!.rows,
      noise.map((n) => [
        n.metric === 'test_acc' ? 'test accuracy' : 'train-test gap',
        ...[n.k, n.n, n.n_diverged, n.seed_sd, n.f, n.df1, n.df2, n.p],
        n.note ?? (n.p! < 0.05 ? 'differences between configurations exceed seed noise' : 'not distinguishable from seed noise at this n'),
      ]),
    );
    assert.deepEqual(
      noise.map((n) => [n.k, n.n, n.df1, n.df2]),
      [
        [8, 16, 7, 8],
        [8, 16, 7, 8],
      ],
    );
    // Main effects come from the main_effect view (every weight decay is selected), which is checked by hand here.
    const mainEffects = results.get('Main effects at $epochs epochs')![0]!.rows;
    const view = await fx.handle.db.selectFrom('main_effect').selectAll().where('sweep_id', '=', fx.sweepId).where('epochs', '=', 3).orderBy('axis').orderBy('level').execute();
    assert.deepEqual(
      mainEffects,
      view.map((v) => [v.axis, v.level, v.n, v.test_acc, v.test_acc_effect, v.test_acc_effect_ci_low, v.test_acc_effect_ci_high, v.gap_effect, v.gap_effect_ci_low, v.gap_effect_ci_high]),
    );
    const trials = await fx.handle.db.selectFrom('trial_results').select(['dropout1', 'seed', 'test_acc']).where('epochs', '=', 3).execute();
    const meanAt = (d1: number, seed: number) => {
      const v = trials.filter((t) => t.dropout1 === d1 && t.seed === seed).map((t) => t.test_acc!);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    const byHand = ([1, 2].map((seed) => meanAt(0.5, seed) - meanAt(0, seed)).reduce((a, b) => a + b, 0)) / 2;
    const dropout1Row = mainEffects.find((r) => r[0] === 'dropout1' && r[1] === 0.5)!;
    assert.ok(Math.abs((dropout1Row[4] as number) - byHand) < 1e-12, `dropout1 = 0.5: ${String(dropout1Row[4])} vs ${byHand} by hand`);
    assert.deepEqual([dropout1Row[2], dropout1Row[5], dropout1Row[6]], [2, null, null], 'two seeds: no interval');
    const trendRows = results.get('Effect of dropout1 on test accuracy')![0]!.rows;
    assert.deepEqual(
      trendRows,
      view.filter((v) => v.axis === 'dropout1').map((v) => [v.level, v.test_acc_effect, v.test_acc_effect_ci_low, v.test_acc_effect_ci_high]),
    );
  });
}

test('every training dynamics panel returns one row per epoch with and without dropout', async () => {
  for (const seed of ['mean', '2']) {
    const results = await runPanels(dynamics, await resolveVariables(dynamics, { seed }));
    if (seed === 'mean') {
      // Every weight decay and seed selected: the panels show the views epoch_curve and weight_norm_curve.
      const curves = await fx.handle.db.selectFrom('epoch_curve').selectAll().where('sweep_id', '=', fx.sweepId).orderBy('epoch').execute();
      assertRowsClose(
        results.get('Train−test gap per epoch, with and without dropout')![0]!.rows,
        curves.map((c) => [c.epoch, c.gap_no_dropout, c.gap_dropout]),
        'gap curves',
      );
      assertRowsClose(
        results.get('Hidden activation variance per layer')![0]!.rows,
        curves.map((c) => [c.epoch, c.act_var1_dropped_out, c.act_var1_no_dropout, c.act_var2_dropped_out, c.act_var2_no_dropout]),
        'activation variance',
      );
      // The same averages as activation_variance, the long form of the same metrics.
      const layers = await fx.handle.db
        .selectFrom('activation_variance')
        .select(['epoch', (eb) => eb.fn.avg<number>('act_var').as('v')])
        .where('sweep_id', '=', fx.sweepId)
        .where('layer', '=', 1)
        .where('layer_has_dropout', '=', true)
        .groupBy('epoch')
        .orderBy('epoch')
        .execute();
      assertRowsClose(
        curves.map((c) => [c.epoch, c.act_var1_dropped_out]),
        layers.map((l) => [l.epoch, Number(l.v)]),
        'layer 1 dropped out against activation_variance',
      );
      assert.deepEqual(
        curves.map((c) => [c.runs_no_dropout, c.runs_dropout]),
        [
          [4, 12],
          [4, 12],
          [4, 12],
        ],
      );
      const norms = await fx.handle.db.selectFrom('weight_norm_curve').selectAll().where('sweep_id', '=', fx.sweepId).orderBy('weight_decay').orderBy('epoch').execute();
      for (const [i, wd] of [0, 0.001].entries())
        assertRowsClose(
          results.get('Weight norms, weight decay $weight_decay')![i]!.rows,
          norms.filter((n) => n.weight_decay === wd).map((n) => [n.epoch, n.w1, n.w2, n.w3]),
          `weight norms, weight decay ${wd}`,
        );
    }
    for (const [title, perRepeat] of results) {
      for (const r of perRepeat)
        assert.ok(
          r.rows.every((row) => row.slice(1).every((v) => typeof v === 'number')),
          `${title}: every curve has a value at every epoch`,
        );
    }
  }
});
