import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { accuracyTrend, activationVarianceTrend, gapTrend, lossTrend, weightNormTrend } from './dynamics-panels';
import {
  dropoutSwapTable,
  effectsVsControlTable,
  gapHeatmap,
  interactionBarChart,
  interactionTable,
  mainEffectTrend,
  mainEffectsTable,
  testAccuracyHeatmap,
} from './effects-panels';
import {
  bestConfigsTable,
  epochProgressGauge,
  runStatusStat,
  runsPerWorkerBarChart,
  runsTable,
  sweepSizeStat,
  throughputTimeseries,
  workerThroughputTable,
} from './overview-panels';
import { divergenceRateTable, noiseDiagnosticTable } from './noise-panels';
import { replicateComparisonsTable, replicateRunsStat } from './replicate-panels';
import { testTimeDropoutTable, variantEffectsTable } from './variant-panels';
import { epochsVariable, seedVariable, sweepVariable, variantVariable, weightDecayVariable } from './variables';

/** Tag shared by regsweep's dashboards; the dashboard links list every dashboard carrying it. */
export const dashboardTag = 'regsweep';

function regsweepDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([dashboardTag])
    .readonly()
    .timezone('browser')
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Off)
    .link(
      new dashboard.DashboardLinkBuilder('regsweep dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([dashboardTag])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    );
}

export function sweepOverviewDashboard(): dashboard.Dashboard {
  return regsweepDashboard('regsweep-overview', 'regsweep / Sweep overview', 'Progress, workers and best configurations of one sweep.')
    .refresh('30s')
    .withVariable(sweepVariable())
    .withVariable(epochsVariable())
    .withVariable(variantVariable())
    .withVariable(weightDecayVariable())
    .withRow(new dashboard.RowBuilder('Progress'))
    .withPanel(runStatusStat())
    .withPanel(epochProgressGauge())
    .withPanel(sweepSizeStat())
    .withRow(new dashboard.RowBuilder('Results so far'))
    .withPanel(bestConfigsTable())
    .withPanel(runsPerWorkerBarChart())
    .withPanel(divergenceRateTable())
    .withRow(new dashboard.RowBuilder('Adaptive seeds'))
    .withPanel(replicateRunsStat())
    .withPanel(replicateComparisonsTable())
    .withRow(new dashboard.RowBuilder('Workers'))
    .withPanel(workerThroughputTable())
    .withPanel(throughputTimeseries())
    .withRow(new dashboard.RowBuilder('Runs'))
    .withPanel(runsTable())
    .build();
}

export function regularizerEffectsDashboard(): dashboard.Dashboard {
  return regsweepDashboard(
    'regsweep-effects',
    'regsweep / Regularizer effects',
    'What dropout and weight decay do to test accuracy and to the train−test gap, with intervals over seeds.',
  )
    .withVariable(sweepVariable())
    .withVariable(epochsVariable())
    .withVariable(variantVariable())
    .withVariable(weightDecayVariable())
    .withVariable(seedVariable())
    .withRow(new dashboard.RowBuilder('Against the control'))
    .withPanel(effectsVsControlTable())
    .withRow(new dashboard.RowBuilder('Seed noise'))
    .withPanel(noiseDiagnosticTable())
    .withRow(new dashboard.RowBuilder('Test accuracy over the dropout grid'))
    .withPanel(testAccuracyHeatmap())
    .withRow(new dashboard.RowBuilder('Train−test gap over the dropout grid'))
    .withPanel(gapHeatmap())
    .withRow(new dashboard.RowBuilder('Main effects'))
    .withPanel(mainEffectTrend('dropout1'))
    .withPanel(mainEffectTrend('dropout2'))
    .withPanel(mainEffectTrend('weight_decay'))
    .withPanel(mainEffectsTable())
    .withRow(new dashboard.RowBuilder('Dropout × weight decay'))
    .withPanel(interactionBarChart())
    .withPanel(interactionTable())
    .withRow(new dashboard.RowBuilder('Dropout1 ↔ dropout2'))
    .withPanel(dropoutSwapTable())
    .withRow(new dashboard.RowBuilder('Regularizer variants'))
    .withPanel(variantEffectsTable())
    .withPanel(testTimeDropoutTable())
    .build();
}

export function trainingDynamicsDashboard(): dashboard.Dashboard {
  return regsweepDashboard(
    'regsweep-dynamics',
    'regsweep / Training dynamics',
    'Per-epoch loss, accuracy, activation variance and weight norms, with and without dropout.',
  )
    .withVariable(sweepVariable())
    .withVariable(variantVariable())
    .withVariable(weightDecayVariable())
    .withVariable(seedVariable())
    .withRow(new dashboard.RowBuilder('Loss and accuracy'))
    .withPanel(lossTrend())
    .withPanel(accuracyTrend())
    .withPanel(gapTrend())
    .withPanel(activationVarianceTrend())
    .withRow(new dashboard.RowBuilder('Weight norms by weight decay'))
    .withPanel(weightNormTrend())
    .build();
}

/**
 * Numbers panels 1, 2, … in layout order. Grafana needs unique panel ids (links, view-panel
 * URLs and repeats refer to them) and the builders leave them unset; numbering by position
 * keeps the generated JSON stable from one build to the next.
 */
function numberPanels(d: dashboard.Dashboard): dashboard.Dashboard {
  (d.panels ?? []).forEach((panel, i) => {
    panel.id = i + 1;
  });
  return d;
}

/** Every regsweep dashboard, in the order they are listed and written. */
export function buildDashboards(): dashboard.Dashboard[] {
  return [sweepOverviewDashboard(), regularizerEffectsDashboard(), trainingDynamicsDashboard()].map(numberPanels);
}
