import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { recordDivergedEpoch, upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { runRowOf, trialRowOf } from '../../db/plan-rows';
import { linkSweepRuns, markRunDiverged, upsertRuns, upsertTrials } from '../../db/run-repository';
import { upsertSweep } from '../../db/sweep-repository';
import { expandRuns, expandTrials } from '../../domain/grid-expansion';
import type { RunPlan } from '../../domain/run-identity';
import { validateSpec } from '../../domain/spec-validation';
import type { SweepSpec } from '../../domain/sweep-spec';
import { fixtureMetrics } from './analysis-fixture';

/*
 * Sweeps for the comparisons a grid without zeros, or without the cells a comparison needs,
 * can or cannot make. Values are chosen by hand on the 1e-4 grid that 10,000 test images give.
 *
 * offset: no zero on any axis. dropout1 ∈ {0.1, 0.3}, dropout2 ∈ {0.2, 0.4}, so no rate is on
 * both axes twice and no swap pair exists; weight decay ∈ {0.001, 0.01}; epochs 1 and 2; seeds
 * 1–3. Baseline and control: (0.1, 0.2, 0.001). (0.3, 0.4, 0.01) was trained for seed 2 only,
 * so its interaction and its comparison with the control rest on one seed.
 * disjoint: the control (0, 0, 0) has seed 1 only, every other configuration seed 2 only, so no
 * seed is shared with the control and no seed has all four interaction cells.
 * pending: swap pairs, two weight decays, but no run has reached an epoch.
 * diverged: the control (0.6, 0.6, 0) diverged in epoch 1 for both seeds.
 * decay-only: one dropout setting, two weight decays, nothing trained.
 * mixed: zeros on the dropout axes but not in weight decay, so the baseline is (0, 0, 0.002); its
 * weight decays differ from disjoint's so the two share no run.
 * single: one seed, so every comparison with the control has n = 1.
 */

export const offsetSweep = validateSpec({
  name: 'offset',
  grid: { dropout1: [0.1, 0.3], dropout2: [0.2, 0.4], weightDecay: [0.001, 0.01], epochs: [1, 2] },
  seeds: [1, 2, 3],
});
export const disjointSweep = validateSpec({
  name: 'disjoint',
  grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0, 0.001], epochs: [1] },
  seeds: [1, 2],
});
export const pendingSweep = validateSpec({
  name: 'pending',
  grid: { dropout1: [0, 0.2], dropout2: [0, 0.2], weightDecay: [0, 0.001], epochs: [1] },
  seeds: [7],
});
export const divergedSweep = validateSpec({
  name: 'diverged',
  grid: { dropout1: [0.6, 0.7], dropout2: [0.6], weightDecay: [0], epochs: [1] },
  seeds: [1, 2],
});
export const decayOnlySweep = validateSpec({
  name: 'decay-only',
  grid: { dropout1: [0.3], dropout2: [0.3], weightDecay: [0, 0.01], epochs: [1] },
  seeds: [1],
});
export const mixedSweep = validateSpec({
  name: 'mixed',
  grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0.002, 0.02], epochs: [1] },
  seeds: [1, 2],
});
/** The mixed sweep's test accuracy per `${dropout1}|${weightDecay}`, seeds 1 and 2. */
export const mixedTestAcc: Readonly<Record<string, readonly [number, number]>> = {
  '0|0.002': [0.8012, 0.804],
  '0.5|0.002': [0.8101, 0.815],
  '0|0.02': [0.8033, 0.8049],
  '0.5|0.02': [0.814, 0.8172],
};
export const singleSweep = validateSpec({
  name: 'single',
  grid: { dropout1: [0.15, 0.25], dropout2: [0.35], weightDecay: [0], epochs: [1] },
  seeds: [1],
});

/**
 * Test accuracy of the offset sweep at epoch 1, per (dropout1, dropout2, weight decay), seeds
 * 1–3; null: not trained. Epoch 2 adds 0.0100 + 0.0003 × seed × (index of the configuration),
 * so epoch-2 differences vary with the seed.
 */
const offsetEpoch1: ReadonlyArray<readonly [number, number, number, ReadonlyArray<number | null>]> = [
  [0.1, 0.2, 0.001, [0.8012, 0.7954, 0.8133]],
  [0.1, 0.4, 0.001, [0.8101, 0.8087, 0.8195]],
  [0.3, 0.2, 0.001, [0.8123, 0.8011, 0.824]],
  [0.3, 0.4, 0.001, [0.823, 0.8149, 0.8288]],
  [0.1, 0.2, 0.01, [0.8044, 0.8001, 0.8151]],
  [0.1, 0.4, 0.01, [0.809, 0.812, 0.8175]],
  [0.3, 0.2, 0.01, [0.8101, 0.8079, 0.8213]],
  [0.3, 0.4, 0.01, [null, 0.8102, null]],
];

/** The offset sweep's stored value of a metric, or undefined where the run has no epoch. */
export function offsetValue(d1: number, d2: number, wd: number, epoch: number, seed: number, metric: 'test_acc' | 'gap'): number | undefined {
  const index = offsetEpoch1.findIndex(([a, b, w]) => a === d1 && b === d2 && w === wd);
  const base = offsetEpoch1[index]?.[3][seed - 1];
  if (base === null || base === undefined) return undefined;
  const testAcc = Number((base + (epoch - 1) * (0.01 + 0.0003 * seed * index)).toFixed(4));
  if (metric === 'test_acc') return testAcc;
  return Number((0.06 - 0.02 * d1 - 0.01 * d2 + 0.0011 * ((seed * seed * 5 + index * index * 3 + epoch * seed * index) % 11)).toFixed(4));
}

async function insertSweep(db: Kysely<Database>, spec: SweepSpec): Promise<RunPlan[]> {
  const runs = expandRuns(spec);
  const trials = expandTrials(spec);
  await upsertSweep(db, { id: spec.name, name: spec.name, spec: JSON.stringify(spec), trials: trials.length, runs: runs.length });
  await upsertRuns(db, runs.map(runRowOf));
  await linkSweepRuns(
    db,
    spec.name,
    runs.map((r) => r.runId),
  );
  await upsertTrials(
    db,
    trials.map((t) => trialRowOf(spec.name, t)),
  );
  return runs;
}

async function record(db: Kysely<Database>, run: RunPlan, epoch: number, testAcc: number, gap: number): Promise<void> {
  await upsertEpochMetrics(db, { ...fixtureMetrics(run, epoch), test_acc: testAcc, gap, train_acc_eval: Number((testAcc + gap).toFixed(4)) });
}

/** Writes every sweep of this fixture and its chosen epochs through the repository functions. */
export async function loadOffsetGridFixture(db: Kysely<Database>): Promise<void> {
  for (const run of await insertSweep(db, offsetSweep)) {
    for (const epoch of [1, 2]) {
      const testAcc = offsetValue(run.dropout1, run.dropout2, run.weightDecay, epoch, run.seed, 'test_acc');
      if (testAcc === undefined) continue;
      await record(db, run, epoch, testAcc, offsetValue(run.dropout1, run.dropout2, run.weightDecay, epoch, run.seed, 'gap')!);
    }
  }
  for (const run of await insertSweep(db, disjointSweep)) {
    const isControl = run.dropout1 === 0 && run.weightDecay === 0;
    if (run.seed === (isControl ? 1 : 2)) await record(db, run, 1, 0.8 + run.dropout1 / 10, 0.05);
  }
  await insertSweep(db, pendingSweep);
  await insertSweep(db, decayOnlySweep);
  for (const run of await insertSweep(db, divergedSweep)) {
    if (run.dropout1 === 0.6) {
      await recordDivergedEpoch(db, run.runId, 1, 'cpu', 'fixture');
      await markRunDiverged(db, run.runId, 1, 'training diverged');
    } else {
      await record(db, run, 1, 0.81, 0.04);
    }
  }
  for (const run of await insertSweep(db, mixedSweep)) {
    await record(db, run, 1, mixedTestAcc[`${run.dropout1}|${run.weightDecay}`]![run.seed - 1]!, 0.05);
  }
  for (const run of await insertSweep(db, singleSweep)) await record(db, run, 1, run.dropout1 === 0.15 ? 0.8 : 0.8123, 0.04);
}
