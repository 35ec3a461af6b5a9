import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboards } from '../../infra/grafana/dashboards-src/index';
import { interpolateGrafanaSql, type GrafanaVariable, type TimeRange } from '../helpers/grafana-interpolation';
import { openRealSweepDatabase, type RealSweepDatabase } from '../helpers/real-sweep-fixture';
import { dataPanels, variablesOf, type BuiltPanel } from './dashboard-panels';
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
    const vsControl = results.get('Each configuration against the control at $epochs epochs')![0]!.rows;
    assert.ok(vsControl.every((r) => r[5] === 'n<3: no interval' && r[7] === null && r[10] === 'too few seeds'));
  });
}

test('every training dynamics panel returns one row per epoch with and without dropout', async () => {
  for (const seed of ['mean', '2']) {
    const results = await runPanels(dynamics, await resolveVariables(dynamics, { seed }));
    for (const [title, perRepeat] of results) {
      for (const r of perRepeat)
        assert.ok(
          r.rows.every((row) => row.slice(1).every((v) => typeof v === 'number')),
          `${title}: every curve has a value at every epoch`,
        );
    }
  }
});
