import type { ChartSpec } from './chart-common';
import { activationVarianceChart, trainingCurveCharts, weightNormChart } from './curve-charts';
import { effectsVsControlChart, interactionCharts, swapChart } from './effect-charts';
import { mainEffectSentences } from './comparison-sentences';
import { noiseTestExplanation } from './noise-sentences';
import { matrixCharts } from './matrix-charts';
import { controlLabel } from './effect-sentences';
import type { ReportData } from './report-data';

export interface ReportSection {
  title: string;
  intro: string;
  charts: ChartSpec[];
  /** Shown instead of charts when the sweep's grid cannot answer this section's question. */
  whyEmpty: string;
  /** Lay the charts out side by side (small multiples) rather than one per row. */
  compact?: boolean;
  /** Plain sentences shown as a list before the charts. */
  sentences?: string[];
}

/** What the interactions are measured against: no regularization, or the grid's lowest values when it has no zero. */
function interactionBaseline(data: ReportData): string {
  const r = data.interactions[0];
  if (!r || r.baseline_kind === 'no regularization') return 'no dropout and no weight decay';
  return `the lowest grid values (dropout1=${r.baseline_dropout1}, dropout2=${r.baseline_dropout2}, weight decay=${r.baseline_weight_decay})`;
}

/** The dropout-grid matrices, per variant when the sweep has several (each compared with its own variant's best). */
function perVariant(data: ReportData, metric: 'test_acc' | 'gap'): ChartSpec[] {
  if (data.variants.length <= 1) return matrixCharts(data.configs, metric);
  return data.variants.flatMap((variant, v) =>
    matrixCharts(
      data.configs.filter((c) => c.variant === variant),
      metric,
    ).map((chart) => ({ ...chart, id: `${chart.id}-variant-${v + 1}`, title: `${variant}: ${chart.title}` })),
  );
}

/** The report's sections in reading order, each with the charts the sweep's data supports. */
export function reportSections(data: ReportData): ReportSection[] {
  const at = `at ${data.epochs} epochs`;
  const control = data.effects[0];
  return [
    {
      title: 'What the sweep shows',
      intro:
        `Each configuration against ${control ? controlLabel(control) : 'the control'} ${at}, paired by seed: one sentence per ` +
        'configuration and metric. "Beyond seed noise" means the Holm-adjusted p-value (over every configuration and epochs ' +
        "value of this sweep's metric) is below 0.05; the test is the paired t-test, or the exact sign-flip test where every seed " +
        'shows the same difference.',
      sentences: data.unavailable.vs_control ? [] : data.description.effects,
      charts: [effectsVsControlChart(data.effects)].filter((c): c is ChartSpec => c !== null),
      whyEmpty: data.unavailable.vs_control ?? 'No configuration has results at the same seed as the control yet.',
    },
    {
      title: 'Do configurations differ by more than seed noise?',
      intro: noiseTestExplanation,
      sentences: data.description.noise,
      charts: [],
      whyEmpty: 'No run has results yet.',
    },
    {
      title: 'Diverged runs',
      intro:
        `Runs that diverged by ${data.epochs} epochs: a minibatch's training loss became NaN, infinite or larger than 1,000 nats, ` +
        'or a weight became NaN or infinite. Training stopped there; ' +
        'every mean, interval and effect in this report is over the runs that did not diverge, and a seed with a diverged ' +
        'side leaves the paired comparisons.',
      sentences: data.description.divergence,
      charts: [],
      whyEmpty: `No run diverged by ${data.epochs} epochs.`,
    },
    {
      title: 'Test accuracy over the dropout grid',
      intro: `Mean test accuracy over seeds ${at}, one matrix per weight decay, coloured by whether each configuration is distinguishable from the best.`,
      charts: perVariant(data, 'test_acc'),
      whyEmpty: 'No run has reached the last epochs value yet.',
      compact: true,
    },
    {
      title: 'Train−test gap over the dropout grid',
      intro: `Training accuracy minus test accuracy ${at}: how much each configuration overfits.`,
      charts: perVariant(data, 'gap'),
      whyEmpty: 'No run has reached the last epochs value yet.',
      compact: true,
    },
    {
      title: 'Main effect of each axis',
      intro:
        `Each value of an axis against the axis' lowest value ${at}, averaged over the other axes and paired by seed ` +
        "(view main_effect, the same numbers as the dashboards' main-effect panels with every weight decay selected).",
      sentences: mainEffectSentences(data.mainEffects),
      charts: [],
      whyEmpty: 'No run has reached the last epochs value yet.',
    },
    {
      title: 'Are dropout and weight decay additive?',
      intro:
        `Against ${interactionBaseline(data)} at the same seed, ${at}: one sentence per dropout setting, weight decay and ` +
        'metric. The test is the paired t-test on the per-seed interaction, or the exact sign-flip test where every seed shows the ' +
        "same value; Holm-adjusted over every interaction of this sweep's metric at every epochs value.",
      sentences: data.unavailable.interaction ? [] : data.description.interactions,
      charts: interactionCharts(data.interactions.filter((r) => r.metric === 'test_acc')),
      whyEmpty: data.unavailable.interaction ?? `No dropout setting and weight decay has all four cells at the same seed ${at} yet.`,
    },
    {
      title: 'Does swapping dropout1 and dropout2 matter?',
      intro:
        `Pairs of rates used both ways round, ${at}: one sentence per pair, weight decay and metric. The test is the paired ` +
        't-test, or the exact sign-flip test where every seed shows the same difference; Holm-adjusted over every swap ' +
        "comparison of this sweep's metric at every epochs value.",
      sentences: data.unavailable.dropout_swap ? [] : data.description.swaps,
      charts: [swapChart(data.swaps)].filter((c): c is ChartSpec => c !== null),
      whyEmpty: data.unavailable.dropout_swap ?? `No pair of rates has results both ways round at the same seed ${at} yet.`,
    },
    {
      title: 'Does the regularizer, batch normalization or the learning rate matter?',
      intro:
        `Each variant against the base variant at the same dropout rates, weight decay and seed, ${at}. ` +
        'The test is the paired t-test, or the exact sign-flip test where every seed shows the same difference; Holm-adjusted over ' +
        "every variant comparison of this sweep's metric at every epochs value.",
      sentences: data.description.variants,
      charts: [],
      whyEmpty: 'The sweep has one variant: no regularizer, batch normalization or learning rate axis.',
    },
    {
      title: 'Dropout at test time',
      intro:
        'Test accuracy in inference mode, with one stochastic pass with dropout on, and with the average of the softmax over all ' +
        `passes (MC dropout), ${at}; the differences are paired within each run, with 95% t-intervals over seeds, one per row and not adjusted.`,
      sentences: data.description.testTimeDropout,
      charts: [],
      whyEmpty: 'No run of this sweep evaluates with test-time dropout (train.evalDropoutSamples is 0).',
    },
    {
      title: 'Training dynamics',
      intro: `Averages over every run of the sweep${data.variants.length > 1 && data.curveVariant ? ` of variant ${data.curveVariant}` : ''}, with dropout (any layer) and without.`,
      charts: [
        ...trainingCurveCharts(data.curves),
        ...[activationVarianceChart(data.activationVariance), weightNormChart(data.weightNorms)].filter((c): c is ChartSpec => c !== null),
      ],
      whyEmpty: 'No epoch has been recorded yet.',
    },
  ];
}
