import { sql, type Kysely } from 'kysely';
import * as previousComparisonAvailability from './20261204T0920-comparison-availability';
import * as previousInteraction from './20261204T0910-interaction-baseline';
import * as previousCurves from './20261204T1000-main-effect-and-epoch-curves';
import * as previousActivationVariance from './20261130T0940-activation-variance-view';
import * as previousNoiseDiagnostic from './20261203T0900-noise-diagnostic';
import { swapViewSql } from './20261203T0910-effect-families';
import { previousViewStatements } from './20261206T0900-previous-views';
import {
  activationVarianceView,
  configIntervalView,
  configSummaryView,
  configVsBestView,
  curveViews,
  divergenceRateView,
  epochCurveFunction,
  epochTestAccuracyView,
  mainEffectFunction,
  noiseDiagnosticView,
  runProgressView,
  trialResultsView,
  variantLabelFunction,
  weightNormCurveFunction,
} from './20261206T0900-variant-summaries';
import { effectDropoutSwapView, effectInteractionView, effectVsControlView, effectVsVariantView, testTimeDropoutView } from './20261206T0900-variant-effects';
import { comparisonAvailabilityView } from './20261206T0900-variant-availability';

/*
 * Regularizer variants. A sweep may now vary what its dropout rates are rates of (regularizer:
 * dropout, dropconnect, gaussian, additive-gaussian), batch normalization and the learning rate;
 * a variant is one (regularizer, batch_norm, lr), labelled by regsweep_variant_label as
 * `<regularizer>[+batchnorm] lr=<lr>` (`dropout lr=0.5`, `dropconnect+batchnorm lr=0.1`), the lr
 * as Postgres prints a float8 (its shortest exact form). Runs may also evaluate with test-time
 * dropout (eval_dropout_samples stochastic passes per epoch) and record its accuracies.
 *
 * runs gains regularizer, batch_norm and eval_dropout_samples; sweep_trials gains regularizer,
 * batch_norm and lr (from its run); epoch_metrics gains test_acc_dropout, test_acc_mc_dropout and
 * eval_dropout_seconds, null unless the run evaluates with test-time dropout and null in a
 * diverged epoch's row. Every existing row is of the variant every run had so far: dropout,
 * no batch normalization, its own lr.
 *
 * Every view that groups or pairs trials now does so within one variant, and ends with a
 * `variant` column; every earlier column keeps its name, type and position, so a sweep of one
 * variant gives exactly the rows it gave before. The Holm families keep their extent and so
 * count the comparisons of every variant. Two views are new: effect_vs_variant (each variant
 * against the sweep's base variant, paired by seed) and test_time_dropout. The dashboard
 * functions take a trailing p_variants.
 */

const regularizerCheck = (table: string): string =>
  `alter table ${table} add constraint ${table}_regularizer_valid check (regularizer in ('dropout', 'dropconnect', 'gaussian', 'additive-gaussian'))`;

const testTimeDropoutColumns = ['test_acc_dropout', 'test_acc_mc_dropout', 'eval_dropout_seconds'];
const nonFinite = testTimeDropoutColumns.map((c) => `${c} in ('NaN', 'Infinity', '-Infinity')`).join(' or ');
const ttdList = testTimeDropoutColumns.join(', ');

/** Every view this migration replaces, dependents first. */
const replacedViews = [
  'comparison_availability',
  'config_vs_best',
  'config_interval',
  'config_summary',
  'effect_vs_control',
  'effect_dropout_swap',
  'effect_interaction',
  'divergence_rate',
  'noise_diagnostic',
  'main_effect',
  'epoch_curve',
  'weight_norm_curve',
  'activation_variance',
  'run_progress',
  'epoch_test_accuracy',
  'trial_results',
];

const comments = [
  `comment on column runs.regularizer is 'what dropout1 and dropout2 are the rates of: dropout, dropconnect, gaussian or additive-gaussian'`,
  `comment on column runs.eval_dropout_samples is 'stochastic test passes per epoch (MC dropout); 0 = inference mode only'`,
  `comment on column epoch_metrics.test_acc_dropout is 'test accuracy of one stochastic pass with the training-time noise on; null unless the run evaluates with test-time dropout'`,
  `comment on column epoch_metrics.test_acc_mc_dropout is 'test accuracy of the mean prediction over eval_dropout_samples stochastic passes (MC dropout); null unless the run evaluates with test-time dropout'`,
  `comment on column epoch_metrics.eval_dropout_seconds is 'seconds the stochastic test passes took; null unless the run evaluates with test-time dropout'`,
  `comment on column trial_results.variant is 'regsweep_variant_label(regularizer, batch_norm, lr): <regularizer>[+batchnorm] lr=<lr>'`,
  `comment on column config_summary.n is 'seeds whose run reached this epochs value without diverging; every mean, sd and interval is over these'`,
  `comment on column config_summary.n_diverged is 'seeds whose run diverged at or before this epochs value; left out of every mean, sd and interval'`,
  `comment on column config_interval.n_diverged is 'seeds that diverged by this epochs value; mean, sd and interval are over the n that did not'`,
  `comment on column config_vs_best.vs_best_p_holm is 'Holm over the comparisons with the best of every variant at this sweep, metric and epochs value; the best is chosen within each variant'`,
  `comment on column effect_vs_control.n_excluded_diverged is 'seeds where the configuration or the control diverged: left out of the pairs'`,
  `comment on column effect_vs_control.p_holm is 'Holm over every row of the sweep and metric: every variant, configuration and epochs value (holm_m tests)'`,
  `comment on column effect_vs_control.p_holm_epochs is 'Holm over every row of the sweep, metric and epochs value, every variant (holm_m_epochs tests)'`,
  `comment on column effect_dropout_swap.p_holm is 'Holm over every row of the sweep and metric: every variant, at every epochs value (holm_m tests)'`,
  `comment on column effect_dropout_swap.p_holm_epochs is 'Holm within the sweep, metric and epochs value, every variant; equals diff_p_holm'`,
  `comment on column effect_interaction.p_holm is 'Holm over every row of the sweep and metric: every variant, at every epochs value (holm_m tests)'`,
  `comment on column effect_interaction.p_holm_epochs is 'Holm within the sweep, metric and epochs value, every variant; equals interaction_p_holm'`,
  `comment on column effect_interaction.baseline_kind is 'no regularization when the variant''s grid has dropout1 = dropout2 = weight_decay = 0, else the lowest value of each axis'`,
  `comment on column effect_vs_variant.p_holm is 'Holm over every row of the sweep and metric: every variant other than the base, grid point and epochs value (holm_m tests)'`,
  `comment on column effect_vs_variant.p_holm_epochs is 'Holm over the rows of the sweep, metric and epochs value (holm_m_epochs tests)'`,
  `comment on column effect_vs_variant.base_variant is 'dropout if the sweep has it, else the first regularizer name; batch_norm false if present; lr 0.5 if present, else the lowest'`,
  `comment on view noise_diagnostic is 'one-way ANOVA across the configurations of one variant per sweep, metric and epochs value, over runs that did not diverge'`,
  `comment on column noise_diagnostic.p is 'P(F(df1, df2) > f): below 0.05, differences between configurations exceed seed noise'`,
  `comment on column noise_diagnostic.note is 'why f and p are null, or null when they are defined'`,
  `comment on view test_time_dropout is 'per grid point, variant and epochs value of runs that evaluate with test-time dropout: mean accuracies and the paired per-run differences with 95% t-intervals over n seeds; no test, no family'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const view of replacedViews) await sql`drop view ${sql.ref(view)}`.execute(db);
  await sql`drop function regsweep_main_effect(text, text, text[])`.execute(db);
  await sql`drop function regsweep_epoch_curve(text, text[], text)`.execute(db);
  await sql`drop function regsweep_weight_norm_curve(text, text[], text)`.execute(db);

  // Every run so far is d2l's model: inverted dropout, no batch normalization, no test-time dropout.
  await sql`
    alter table runs
      add column regularizer text not null default 'dropout',
      add column batch_norm boolean not null default false,
      add column eval_dropout_samples integer not null default 0
        constraint runs_eval_dropout_samples_range check (eval_dropout_samples between 0 and 100)`.execute(db);
  await sql.raw(regularizerCheck('runs')).execute(db);

  await sql`
    alter table sweep_trials
      add column regularizer text not null default 'dropout',
      add column batch_norm boolean not null default false,
      add column lr double precision`.execute(db);
  await sql`update sweep_trials t set lr = r.lr from runs r where r.id = t.run_id`.execute(db);
  await sql`alter table sweep_trials alter column lr set not null`.execute(db);
  await sql.raw(regularizerCheck('sweep_trials')).execute(db);

  // All three are recorded together (or not at all), finite, and absent in a diverged epoch's row.
  await sql`
    alter table epoch_metrics
      add column test_acc_dropout double precision,
      add column test_acc_mc_dropout double precision,
      add column eval_dropout_seconds double precision`.execute(db);
  await sql
    .raw(
      `
    alter table epoch_metrics
      add constraint epoch_metrics_test_time_dropout_finite check (not (${nonFinite})),
      add constraint epoch_metrics_test_time_dropout_whole check (num_nulls(${ttdList}) in (0, 3)),
      add constraint epoch_metrics_test_time_dropout_diverged check (not diverged or num_nonnulls(${ttdList}) = 0)`,
    )
    .execute(db);

  for (const statement of [
    variantLabelFunction,
    trialResultsView,
    configSummaryView,
    configIntervalView,
    configVsBestView,
    effectVsControlView,
    effectDropoutSwapView(),
    effectInteractionView(),
    divergenceRateView,
    noiseDiagnosticView,
    activationVarianceView,
    runProgressView,
    epochTestAccuracyView,
    mainEffectFunction,
    epochCurveFunction,
    weightNormCurveFunction,
    ...curveViews,
    effectVsVariantView,
    testTimeDropoutView,
    comparisonAvailabilityView,
  ]) {
    await sql.raw(statement).execute(db);
  }
  for (const c of comments) await sql.raw(c).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const view of ['comparison_availability', 'test_time_dropout', 'effect_vs_variant', ...replacedViews])
    await sql`drop view if exists ${sql.ref(view)}`.execute(db);
  await sql`drop function if exists regsweep_main_effect(text, text, text[], text[])`.execute(db);
  await sql`drop function if exists regsweep_epoch_curve(text, text[], text, text[])`.execute(db);
  await sql`drop function if exists regsweep_weight_norm_curve(text, text[], text, text[])`.execute(db);
  await sql`drop function if exists regsweep_variant_label(text, boolean, double precision)`.execute(db);

  await sql`
    alter table epoch_metrics
      drop constraint epoch_metrics_test_time_dropout_diverged,
      drop constraint epoch_metrics_test_time_dropout_whole,
      drop constraint epoch_metrics_test_time_dropout_finite,
      drop column test_acc_dropout, drop column test_acc_mc_dropout, drop column eval_dropout_seconds`.execute(db);
  await sql`alter table sweep_trials drop constraint sweep_trials_regularizer_valid, drop column regularizer, drop column batch_norm, drop column lr`.execute(
    db,
  );
  await sql`
    alter table runs
      drop constraint runs_regularizer_valid, drop constraint runs_eval_dropout_samples_range,
      drop column regularizer, drop column batch_norm, drop column eval_dropout_samples`.execute(db);

  // The views as the earlier migrations left them: copied where their migration also altered
  // tables, built by that migration's own code where it can be run again.
  for (const { statements } of previousViewStatements) {
    for (const statement of statements) await sql.raw(statement).execute(db);
  }
  await sql.raw(swapViewSql(true)).execute(db);
  for (const c of [
    `comment on column effect_dropout_swap.p_holm is 'Holm over every row of the sweep and metric, at every epochs value'`,
    `comment on column effect_dropout_swap.p_holm_epochs is 'Holm within the sweep, metric and epochs value; equals diff_p_holm'`,
  ]) {
    await sql.raw(c).execute(db);
  }
  // 20261204T0910's down() builds the interaction view before it, which its up() then replaces.
  await previousInteraction.down(db);
  await previousInteraction.up(db);
  // Dropping regsweep_f_pvalue with its view and making both again keeps them as they were.
  await previousNoiseDiagnostic.down(db);
  await previousNoiseDiagnostic.up(db);
  await previousActivationVariance.up(db);
  await previousCurves.up(db);
  await previousComparisonAvailability.up(db);
}
