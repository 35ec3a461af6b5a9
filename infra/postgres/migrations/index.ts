import type { Migration } from 'kysely';
import * as coreTables from './20261129T0900-core-tables';
import * as trialResultsView from './20261129T1000-trial-results-view';
import * as statisticsFunctions from './20261130T0900-statistics-functions';
import * as configSummaryView from './20261130T0910-config-summary-view';
import * as effectDropoutSwapView from './20261130T0920-effect-dropout-swap-view';
import * as effectInteractionView from './20261130T0930-effect-interaction-view';
import * as activationVarianceView from './20261130T0940-activation-variance-view';
import * as runProgressView from './20261130T0950-run-progress-view';
import * as readerRole from './20261130T1000-reader-role';
import * as writerRole from './20261130T1010-writer-role';
import * as signFlipAndMetricRangeFunctions from './20261202T0900-sign-flip-and-metric-range-functions';
import * as effectVsControlView from './20261202T0910-effect-vs-control-view';
import * as configIntervalViews from './20261202T0920-config-interval-views';
import * as divergence from './20261202T1000-divergence';
import * as noiseDiagnostic from './20261203T0900-noise-diagnostic';
import * as effectFamilies from './20261203T0910-effect-families';
import * as testSetSize from './20261204T0900-test-set-size';
import * as interactionBaseline from './20261204T0910-interaction-baseline';
import * as comparisonAvailability from './20261204T0920-comparison-availability';
import * as mainEffectAndEpochCurves from './20261204T1000-main-effect-and-epoch-curves';
import * as runLease from './20261205T0900-run-lease';
import * as regularizerVariants from './20261206T0900-regularizer-variants';
import * as replicateProgress from './20261206T1100-replicate-progress';

/** Every migration, keyed by its timestamp-prefixed name (Kysely applies them in name order). */
export const migrations: Record<string, Migration> = {
  '20261129T0900-core-tables': coreTables,
  '20261129T1000-trial-results-view': trialResultsView,
  '20261130T0900-statistics-functions': statisticsFunctions,
  '20261130T0910-config-summary-view': configSummaryView,
  '20261130T0920-effect-dropout-swap-view': effectDropoutSwapView,
  '20261130T0930-effect-interaction-view': effectInteractionView,
  '20261130T0940-activation-variance-view': activationVarianceView,
  '20261130T0950-run-progress-view': runProgressView,
  '20261130T1000-reader-role': readerRole,
  '20261130T1010-writer-role': writerRole,
  '20261202T0900-sign-flip-and-metric-range-functions': signFlipAndMetricRangeFunctions,
  '20261202T0910-effect-vs-control-view': effectVsControlView,
  '20261202T0920-config-interval-views': configIntervalViews,
  '20261202T1000-divergence': divergence,
  '20261203T0900-noise-diagnostic': noiseDiagnostic,
  '20261203T0910-effect-families': effectFamilies,
  '20261204T0900-test-set-size': testSetSize,
  '20261204T0910-interaction-baseline': interactionBaseline,
  '20261204T0920-comparison-availability': comparisonAvailability,
  '20261204T1000-main-effect-and-epoch-curves': mainEffectAndEpochCurves,
  '20261205T0900-run-lease': runLease,
  '20261206T0900-regularizer-variants': regularizerVariants,
  '20261206T1100-replicate-progress': replicateProgress,
};
