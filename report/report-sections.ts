import type { ChartSpec } from './chart-common';
import { activationVarianceChart, trainingCurveCharts, weightNormChart } from './curve-charts';
import { interactionCharts, mainEffectChart, swapChart } from './effect-charts';
import { matrixCharts } from './matrix-charts';
import type { ReportData } from './report-data';

export interface ReportSection {
  title: string;
  intro: string;
  charts: ChartSpec[];
  /** Shown instead of charts when the sweep's grid cannot answer this section's question. */
  whyEmpty: string;
  /** Lay the charts out side by side (small multiples) rather than one per row. */
  compact?: boolean;
}

/** The report's sections in reading order, each with the charts the sweep's data supports. */
export function reportSections(data: ReportData): ReportSection[] {
  const at = `at ${data.epochs} epochs`;
  return [
    {
      title: 'Test accuracy over the dropout grid',
      intro: `Mean test accuracy over seeds ${at}, one matrix per weight decay.`,
      charts: matrixCharts(data.configs, 'test_acc_mean'),
      whyEmpty: 'No run has reached the last epochs value yet.',
      compact: true,
    },
    {
      title: 'Train−test gap over the dropout grid',
      intro: `Training accuracy minus test accuracy ${at}: how much each configuration overfits.`,
      charts: matrixCharts(data.configs, 'gap_mean'),
      whyEmpty: 'No run has reached the last epochs value yet.',
      compact: true,
    },
    {
      title: 'Main effects',
      intro: `What moving one axis away from its lowest value does to test accuracy ${at}, paired by seed.`,
      charts: [mainEffectChart(data.mainEffects)].filter((c): c is ChartSpec => c !== null),
      whyEmpty: 'Every axis of the grid has a single value, or no run has finished.',
    },
    {
      title: 'Are dropout and weight decay additive?',
      intro: `Against no dropout and no weight decay at the same seed, ${at}.`,
      charts: interactionCharts(data.interactions),
      whyEmpty: 'The grid needs dropout1 = dropout2 = 0 and weight decay 0 besides other values to answer this.',
    },
    {
      title: 'Does swapping dropout1 and dropout2 matter?',
      intro: `Pairs of rates used both ways round, ${at}.`,
      charts: [swapChart(data.swaps)].filter((c): c is ChartSpec => c !== null),
      whyEmpty: 'The grid has no pair of rates a < b used both as (a, b) and as (b, a).',
    },
    {
      title: 'Training dynamics',
      intro: 'Averages over every run of the sweep, with dropout (any layer) and without.',
      charts: [
        ...trainingCurveCharts(data.curves),
        ...[activationVarianceChart(data.activationVariance), weightNormChart(data.weightNorms)].filter((c): c is ChartSpec => c !== null),
      ],
      whyEmpty: 'No epoch has been recorded yet.',
    },
  ];
}
