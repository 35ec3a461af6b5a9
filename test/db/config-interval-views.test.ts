import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigIntervalView, ConfigVsBestView } from '../../db/config-interval.view';
import type { ConfigSummaryView } from '../../db/config-summary.view';
import { mainSweep } from './analysis-fixture';
import { assertClose } from './assert-close';
import { loadNoZeroSweep, noZeroSweep, noZeroValue } from './control-fixture';
import { openFixtureDatabase, type FixtureDatabase } from './fixture-database';
import { cellValue } from './grid-groups';
import { holm, mean, pairedTest, signFlipP } from './hand-statistics';

let fx: FixtureDatabase;
let summary: ConfigSummaryView[];
let intervals: ConfigIntervalView[];
let vsBest: ConfigVsBestView[];

before(async () => {
  fx = await openFixtureDatabase();
  await loadNoZeroSweep(fx.handle.db);
  summary = await fx.handle.db.selectFrom('config_summary').selectAll().execute();
  intervals = await fx.handle.db.selectFrom('config_interval').selectAll().execute();
  vsBest = await fx.handle.db.selectFrom('config_vs_best').selectAll().execute();
});
after(async () => {
  await fx?.close();
});

const ranges = { test_acc: [0, 1], train_acc_eval: [0, 1], gap: [-1, 1] } as const;

test('config_interval clips each config_summary interval to the metric range and flags fewer than 3 seeds', () => {
  assert.equal(intervals.length, summary.length * 3);
  let clipped = 0;
  for (const s of summary) {
    for (const metric of ['test_acc', 'train_acc_eval', 'gap'] as const) {
      const r = intervals.find(
        (i) => i.sweep_id === s.sweep_id && i.metric === metric && i.epochs === s.epochs && i.dropout1 === s.dropout1 && i.dropout2 === s.dropout2 && i.weight_decay === s.weight_decay,
      );
      const key = `${s.sweep_id} ${metric} ${s.epochs} ${s.dropout1}/${s.dropout2}/${s.weight_decay}`;
      assert.ok(r, key);
      const [low, high] = ranges[metric];
      const rawLow = s[`${metric}_ci_low`];
      const rawHigh = s[`${metric}_ci_high`];
      assert.equal(r.n, s.n, key);
      assertClose(r.mean, s[`${metric}_mean`], `${key} mean`);
      assertClose(r.ci_low, rawLow === null ? null : Math.max(low, rawLow), `${key} ci_low`);
      assertClose(r.ci_high, rawHigh === null ? null : Math.min(high, rawHigh), `${key} ci_high`);
      assert.equal(r.ci_clipped, rawLow !== null && (rawLow < low || rawHigh! > high), `${key} ci_clipped`);
      assert.equal(r.interval_informative, s.n >= 3, `${key} interval_informative`);
      if (r.ci_clipped) clipped++;
    }
  }
  // no-zero's dropout1 = 0.3 has two seeds 0.23 apart: its test-accuracy interval leaves [0, 1].
  assert.ok(clipped >= 1);
  const wide = intervals.find((i) => i.sweep_id === 'no-zero' && i.metric === 'test_acc' && i.dropout1 === 0.3)!;
  assert.deepEqual([wide.ci_clipped, wide.ci_high, wide.interval_informative], [true, 1, false]);
});

type Metric = 'test_acc' | 'gap';

/** The comparisons with the best configuration, computed with loops from the stored values. */
function expectedVsBest(
  spec: typeof mainSweep,
  valueOf: (d1: number, d2: number, w: number, epochs: number, seed: number, metric: Metric) => number | undefined,
): Map<string, { best: boolean; n: number; p: number | null; pHolm: number | null; verdict: string }> {
  const out = new Map<string, { best: boolean; n: number; p: number | null; pHolm: number | null; verdict: string }>();
  const { dropout1, dropout2, weightDecay, epochs } = spec.grid;
  const configs = dropout1.flatMap((d1) => dropout2.flatMap((d2) => weightDecay.map((w) => [d1, d2, w] as const)));
  for (const metric of ['test_acc', 'gap'] as const) {
    for (const e of epochs) {
      const values = (c: readonly [number, number, number]) => spec.seeds.map((s) => valueOf(c[0], c[1], c[2], e, s, metric));
      const withResults = configs.filter((c) => values(c).some((v) => v !== undefined));
      const meanOf = (c: readonly [number, number, number]) => mean(values(c).filter((v): v is number => v !== undefined));
      // Highest accuracy, smallest gap; the grid order breaks ties, as in the view.
      const best = withResults.reduce((b, c) => ((metric === 'gap' ? meanOf(c) < meanOf(b) : meanOf(c) > meanOf(b)) ? c : b));
      const rows = withResults.map((c) => {
        const diffs = spec.seeds.flatMap((s, i) => {
          const [x, y] = [values(c)[i], values(best)[i]];
          return x === undefined || y === undefined ? [] : [x - y];
        });
        const tie = diffs.length < 2 || Math.max(...diffs) - Math.min(...diffs) <= 1e-12;
        const p = c === best ? null : ((tie ? null : pairedTest(diffs)?.p) ?? (diffs.length ? signFlipP(diffs) : null));
        return { c, best: c === best, n: diffs.length, p };
      });
      const adjusted = holm(rows.map((r) => r.p));
      rows.forEach((r, i) => {
        const pHolm = adjusted[i] ?? null;
        const verdict = r.best ? 'best' : r.n < 3 ? 'too few seeds' : pHolm! < 0.05 ? 'beyond seed noise' : 'within seed noise of the best';
        out.set([metric, e, ...r.c].join('|'), { best: r.best, n: r.n, p: r.p, pHolm, verdict });
      });
    }
  }
  return out;
}

test('config_vs_best compares every configuration with the best one by a paired test, Holm-adjusted per epochs value', () => {
  const sweeps = [
    { spec: mainSweep, valueOf: (d1: number, d2: number, w: number, e: number, s: number, m: Metric) => cellValue(fx.fixture, { sweepId: mainSweep.name, dropout1: d1, dropout2: d2, weightDecay: w, epochs: e }, s, m) },
    { spec: noZeroSweep, valueOf: (d1: number, _d2: number, _w: number, _e: number, s: number, m: Metric) => noZeroValue(d1, s, m) },
  ];
  for (const { spec, valueOf } of sweeps) {
    const expected = expectedVsBest(spec, valueOf);
    const got = vsBest.filter((r) => r.sweep_id === spec.name);
    assert.equal(got.length, expected.size, spec.name);
    for (const r of got) {
      const key = [r.metric, r.epochs, r.dropout1, r.dropout2, r.weight_decay].join('|');
      const e = expected.get(key);
      assert.ok(e, `${spec.name} ${key}`);
      assert.equal(r.is_best, e.best, `${key} is_best`);
      assert.equal(r.vs_best_n, e.n, `${key} vs_best_n`);
      assertClose(r.vs_best_p, e.p, `${key} vs_best_p`, 1e-9);
      assertClose(r.vs_best_p_holm, e.pHolm, `${key} vs_best_p_holm`, 1e-9);
      assert.equal(r.vs_best, e.verdict, `${key} vs_best`);
    }
  }
  const verdicts = new Set(vsBest.map((r) => r.vs_best));
  assert.deepEqual([...verdicts].sort(), ['best', 'beyond seed noise', 'too few seeds', 'within seed noise of the best']);
});

test('config_vs_best names the best configuration on every row of its family', () => {
  const family = vsBest.filter((r) => r.sweep_id === 'no-zero' && r.metric === 'test_acc');
  const best = family.filter((r) => r.is_best);
  assert.equal(best.length, 1);
  assert.deepEqual([best[0]!.dropout1, best[0]!.n], [0.5, 4]);
  assert.ok(family.every((r) => r.best_dropout1 === 0.5 && r.best_dropout2 === 0.25 && r.best_weight_decay === 0.001));
});
