import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { recordDivergedEpoch, upsertEpochMetrics } from '../../db/epoch-metrics-repository';
import { toEpochRow } from '../../db/epoch-row';
import { runRowOf, trialRowOf } from '../../db/plan-rows';
import { linkSweepRuns, markRunDiverged, upsertRuns, upsertTrials } from '../../db/run-repository';
import { upsertSweep } from '../../db/sweep-repository';
import { expandRuns, expandTrials } from '../../domain/grid-expansion';
import type { RunPlan } from '../../domain/run-identity';
import { validateSpec } from '../../domain/spec-validation';
import type { SweepSpec } from '../../domain/sweep-spec';
import type { EpochMetrics } from '../../training/train';

/*
 * Sweeps with several variants, their epochs written the way the training activity writes them
 * (training's EpochMetrics through toEpochRow), with values chosen by hand on the 1e-4 grid.
 *
 * d2l-variants: dropout and dropconnect, each without and with batch normalization, at lr 0.5;
 * dropout1 ∈ {0, 0.5}, one epochs value, seeds 1–3, 4 test-time dropout passes. Its base
 * variant is `dropout lr=0.5`. The dropconnect run at dropout1 = 0.5, seed 3 diverged. At dropout1 =
 * dropout2 = 0 grid expansion gives dropconnect's trials the dropout run of the same batch norm.
 * lr-variants: gaussian and additive-gaussian, always with batch normalization, at lr 0.1 and
 * 0.05, nothing trained: no regularizer is dropout, no trial lacks batch normalization and no lr
 * is 0.5, so its base variant is `additive-gaussian+batchnorm lr=0.05`.
 */

export const variantsSweep = validateSpec({
  name: 'd2l-variants',
  grid: { dropout1: [0, 0.5], dropout2: [0], weightDecay: [0], epochs: [1], regularizer: ['dropout', 'dropconnect'], batchNorm: [false, true] },
  seeds: [1, 2, 3],
  train: { evalDropoutSamples: 4 },
});
export const lrVariantsSweep = validateSpec({
  name: 'lr-variants',
  grid: { dropout1: [0.2], dropout2: [0], weightDecay: [0], epochs: [1], regularizer: ['gaussian', 'additive-gaussian'], batchNorm: [true], lr: [0.1, 0.05] },
  seeds: [1, 2],
});

/** The variants of the `d2l-variants` sweep, in label form, base first. */
export const variantLabels = ['dropout lr=0.5', 'dropout+batchnorm lr=0.5', 'dropconnect lr=0.5', 'dropconnect+batchnorm lr=0.5'] as const;

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The label of a run or trial of the `d2l-variants` sweep, written here by hand. */
export const labelOf = (run: Pick<RunPlan, 'regularizer' | 'batchNorm'>): string => `${run.regularizer}${run.batchNorm ? '+batchnorm' : ''} lr=0.5`;

/** The run a trial of the `d2l-variants` sweep at this variant, dropout1 and seed reads. */
export function trialRun(runs: readonly RunPlan[], label: string, dropout1: number, seed: number): RunPlan {
  const trial = expandTrials(variantsSweep).find((t) => labelOf(t) === label && t.dropout1 === dropout1 && t.seed === seed)!;
  return runs.find((r) => r.runId === trial.runId)!;
}

/** True for the one diverged run. */
export const isDiverged = (run: Pick<RunPlan, 'regularizer' | 'dropout1' | 'seed' | 'batchNorm'>): boolean =>
  run.regularizer === 'dropconnect' && !run.batchNorm && run.dropout1 === 0.5 && run.seed === 3;

/** Accuracies a run of the `d2l-variants` sweep records at epoch 1: they differ by variant, dropout and seed. */
export function variantValues(run: Pick<RunPlan, 'regularizer' | 'batchNorm' | 'dropout1' | 'seed'>): {
  testAcc: number;
  gap: number;
  dropout: number;
  mc: number;
} {
  const v = variantLabels.indexOf(labelOf(run) as (typeof variantLabels)[number]);
  const dropped = run.dropout1 > 0 ? 1 : 0;
  const testAcc = round4(0.8 + 0.01 * v + 0.03 * dropped + 0.0013 * run.seed * (v + 1) + 0.0007 * run.seed * run.seed * dropped);
  return {
    testAcc,
    gap: round4(0.05 - 0.02 * dropped - 0.004 * v + 0.0011 * run.seed),
    dropout: round4(testAcc - 0.004 - 0.001 * run.seed * (v + 1)),
    mc: round4(testAcc + 0.002 + 0.0005 * run.seed * run.seed),
  };
}

/** The training engine's metrics of epoch 1 of a run of the `d2l-variants` sweep. */
export function variantEpoch(run: RunPlan): EpochMetrics {
  const { testAcc, gap, dropout, mc } = variantValues(run);
  return {
    epoch: 1,
    trainLoss: 0.5,
    trainAcc: testAcc + gap - 0.02,
    trainAccEval: round4(testAcc + gap),
    testLoss: 0.45,
    testAcc,
    testAccDropout: dropout,
    testAccMcDropout: mc,
    testCount: 10000,
    gap,
    actVar1: 0.5,
    actVar2: 0.4,
    weightNorm1: 20,
    weightNorm2: 15,
    weightNorm3: 5,
    seconds: 11,
    evalSeconds: 1.5,
    evalDropoutSeconds: 2.5,
    samplesPerSec: 6000,
    backend: 'cpu',
  };
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

/** Writes both sweeps, and the `d2l-variants` sweep's epochs (one diverged). */
export async function loadVariantFixture(db: Kysely<Database>): Promise<RunPlan[]> {
  const runs = await insertSweep(db, variantsSweep);
  await insertSweep(db, lrVariantsSweep);
  for (const run of runs) {
    if (isDiverged(run)) {
      await recordDivergedEpoch(db, run.runId, 1, 'cpu', 'fixture');
      await markRunDiverged(db, run.runId, 1, 'training diverged at epoch 1, batch 2: training loss is NaN');
    } else {
      await upsertEpochMetrics(db, toEpochRow(run.runId, variantEpoch(run), 'fixture'));
    }
  }
  return runs;
}
