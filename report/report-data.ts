import type { Kysely } from 'kysely';
import type { ConfigIntervalView, ConfigVsBestView } from '../db/config-interval.view';
import { listConfigsVsBest, listTrainAccuracyIntervals } from '../db/config-interval-repository';
import type { Database } from '../db/database';
import type { DivergenceRateView } from '../db/divergence-rate.view';
import { listDivergedAtLargestEpochs } from '../db/divergence-rate-repository';
import type { EffectDropoutSwapView } from '../db/effect-dropout-swap.view';
import type { EffectInteractionView } from '../db/effect-interaction.view';
import { listEffectsAtLargestEpochs, listInteractionsAtLargestEpochs, listSwapsAtLargestEpochs } from '../db/effect-repository';
import type { EffectVsControlView } from '../db/effect-vs-control.view';
import { listEpochCurve, listWeightNormCurve } from '../db/epoch-curve-repository';
import type { MainEffectView } from '../db/main-effect.view';
import { listMainEffects } from '../db/main-effect-repository';
import type { NoiseDiagnosticView } from '../db/noise-diagnostic.view';
import { listNoiseDiagnostic } from '../db/noise-diagnostic-repository';
import { countSweepRuns, findLargestEpochs, findSweep, type SweepRunCounts } from '../db/sweep-repository';
import type { SweepRow } from '../db/sweeps.table';
import { listVariantEffectsAtLargestEpochs } from '../db/variant-repository';
import { describeSweep, describeUnavailableComparisons, type SweepDescription, type UnavailableComparisons } from './describe-effects';

/** Means per epoch over runs with and without dropout (or, for activations, with dropout after that layer). */
export interface EpochCurves {
  epoch: number[];
  series: Record<string, Array<number | null>>;
}

export interface WeightNormCurves {
  epoch: number[];
  /** Per weight decay (as Postgres prints it), the mean norm of W1, W2 and W3 at each epoch. */
  byWeightDecay: Array<{ weightDecay: string; w1: Array<number | null>; w2: Array<number | null>; w3: Array<number | null> }>;
}

/** Everything the report shows about one sweep, read at the sweep's largest epochs value. */
export interface ReportData {
  sweep: SweepRow;
  runCounts: SweepRunCounts;
  epochs: number;
  /** Test accuracy and gap per configuration with clipped intervals and the comparison with the best. */
  configs: ConfigVsBestView[];
  /** Training accuracy (inference mode) per configuration, for the table. */
  trainAccuracy: ConfigIntervalView[];
  /** Every configuration against the control, test accuracy then gap. */
  effects: EffectVsControlView[];
  /** Dropout × weight decay interactions, test accuracy then gap. */
  interactions: EffectInteractionView[];
  /** Dropout swaps, test accuracy then gap. */
  swaps: EffectDropoutSwapView[];
  /** The main effect of each axis (view main_effect). */
  mainEffects: MainEffectView[];
  /** The F test of seed noise at every epochs value (view noise_diagnostic). */
  noise: NoiseDiagnosticView[];
  curves: EpochCurves;
  activationVariance: EpochCurves;
  weightNorms: WeightNormCurves;
  /** Configurations with a diverged run at the largest epochs value, with the rate and its exact interval. */
  divergence: DivergenceRateView[];
  /** Why a comparison has no paired seed, in words (comparison_availability). */
  unavailable: UnavailableComparisons;
  /** The sentences of every comparison, labelled by variant when the sweep has several (as `regsweep results` prints them). */
  description: SweepDescription;
  /** The sweep's variants (`<regularizer>[+batchnorm] lr=<lr>`), sorted; one for a sweep without variant axes. */
  variants: string[];
  /** The variant the training curves are drawn for: the base variant (as effect_vs_variant chooses it) when there are several. */
  curveVariant: string | null;
}

const curveMetrics = ['train_loss', 'test_loss', 'train_acc_eval', 'test_acc', 'gap'] as const;

/** The sweep's per-epoch curves from the view epoch_curve (the dashboards' curves over every weight decay and seed). */
async function epochCurves(
  db: Kysely<Database>,
  sweepId: string,
  base: string | null,
): Promise<{ curves: EpochCurves; activationVariance: EpochCurves; variant: string | null }> {
  const all = await listEpochCurve(db, sweepId);
  // One variant's curves: pooling runs of different regularizers or learning rates would draw a curve of no model.
  const variant = base ?? all[0]?.variant ?? null;
  const rows = all.filter((r) => r.variant === variant);
  const epoch = rows.map((r) => r.epoch);
  const series: Record<string, Array<number | null>> = {};
  for (const metric of curveMetrics) {
    series[`${metric}:no dropout`] = rows.map((r) => r[`${metric}_no_dropout`]);
    series[`${metric}:dropout`] = rows.map((r) => r[`${metric}_dropout`]);
  }
  const activation: Record<string, Array<number | null>> = {
    'layer 1, dropped out': rows.map((r) => r.act_var1_dropped_out),
    'layer 1, no dropout': rows.map((r) => r.act_var1_no_dropout),
    'layer 2, dropped out': rows.map((r) => r.act_var2_dropped_out),
    'layer 2, no dropout': rows.map((r) => r.act_var2_no_dropout),
  };
  return { curves: { epoch, series }, activationVariance: { epoch, series: activation }, variant };
}

/** Mean weight norms per weight decay and epoch from the view weight_norm_curve. */
async function weightNormCurves(db: Kysely<Database>, sweepId: string, base: string | null): Promise<WeightNormCurves> {
  const all = await listWeightNormCurve(db, sweepId);
  const variant = base ?? all[0]?.variant;
  const rows = all.filter((r) => r.variant === variant);
  const epoch = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  const byWeightDecay = [...new Set(rows.map((r) => r.wd))].map((weightDecay) => {
    const at = (e: number) => rows.find((r) => r.wd === weightDecay && r.epoch === e);
    const column = (key: 'w1' | 'w2' | 'w3') => epoch.map((e) => at(e)?.[key] ?? null);
    return { weightDecay, w1: column('w1'), w2: column('w2'), w3: column('w3') };
  });
  return { epoch, byWeightDecay };
}

/**
 * Reads what the report shows for `sweepId`.
 * @throws Error naming the sweep when it is not in the database.
 */
export async function loadReportData(db: Kysely<Database>, sweepId: string): Promise<ReportData> {
  const sweep = await findSweep(db, sweepId);
  if (!sweep) throw new Error(`no sweep with id ${JSON.stringify(sweepId)} in the database`);
  const epochs = (await findLargestEpochs(db, sweepId)) ?? 0;
  // The variant the curves are drawn for: the sweep's base variant (effect_vs_variant's rule), or its only one.
  const base = (await listVariantEffectsAtLargestEpochs(db, sweepId))[0]?.base_variant ?? null;
  const [runCounts, configs, trainAccuracy, effects, interactions, swaps, mainEffects, noise, curves, weightNorms, divergence, unavailable, description] =
    await Promise.all([
      countSweepRuns(db, sweepId),
      listConfigsVsBest(db, sweepId, epochs),
      listTrainAccuracyIntervals(db, sweepId, epochs),
      listEffectsAtLargestEpochs(db, sweepId),
      listInteractionsAtLargestEpochs(db, sweepId),
      listSwapsAtLargestEpochs(db, sweepId),
      listMainEffects(db, sweepId, epochs),
      listNoiseDiagnostic(db, sweepId),
      epochCurves(db, sweepId, base),
      weightNormCurves(db, sweepId, base),
      listDivergedAtLargestEpochs(db, sweepId),
      describeUnavailableComparisons(db, sweepId),
      describeSweep(db, sweepId),
    ]);
  const variants = [...new Set(configs.map((c) => c.variant))].sort();
  return {
    ...{ description, variants, curveVariant: curves.variant },
    ...{ sweep, runCounts, epochs, configs, trainAccuracy, effects, interactions, swaps, mainEffects, noise },
    ...{ curves: curves.curves, activationVariance: curves.activationVariance, weightNorms, divergence, unavailable },
  };
}
