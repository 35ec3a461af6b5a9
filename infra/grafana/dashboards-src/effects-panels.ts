import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as trend from '@grafana/grafana-foundation-sdk/trend';
import {
  defaultBarChart,
  defaultTable,
  defaultTrend,
  epochsIs,
  fixedColor,
  matrixTable,
  sqlQuery,
  sweepIs,
  unitOverride,
  units,
  vsBestCell,
  vsBestMappings,
  intervalText,
  selectedEpochs,
  selectedSweep,
  selectedVariants,
  selectedWeightDecays,
  pValueColumns,
  holmVerdict,
  variantIs,
  weightDecayIn,
} from './common';
import type { MainEffectAxis } from '../../../db/main-effect.view';

const fractionColumns = (regexp: string): [string, dashboard.DynamicConfigValue[]] => [regexp, [...unitOverride(units.fraction), { id: 'decimals', value: 2 }]];

/** One dropout1 × dropout2 matrix of a metric at one weight decay (the panel repeats per weight decay). */
function metricMatrix(metric: 'test_acc' | 'gap', valueName: string): table.PanelBuilder {
  return (
    matrixTable('dropout1', 'dropout2', valueName, dashboard.FieldColorModeId.Fixed)
      .height(7)
      .span(8)
      .repeat('weight_decay')
      .repeatDirection('h')
      .maxPerRow(3)
      .unit(units.fraction)
      .decimals(1)
      .mappings(vsBestMappings())
      .withTarget(
        sqlQuery(`
        select dropout1::text as "dropout1", dropout2::text as "dropout2", ${vsBestCell()} as "${valueName}"
          from config_vs_best
         where ${sweepIs()} and ${epochsIs()} and ${variantIs()} and ${weightDecayIn()} and metric = '${metric}'
         order by dropout1, dropout2
      `),
      )
      // The first column holds the dropout1 labels; colouring it would be meaningless.
      .overrideByName('dropout1\\dropout2', [{ id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.Auto } }])
  );
}

const vsBestDescription =
  'Colour says how each configuration compares with the best one at these epochs, not how large its mean is: green cells are ' +
  'the best (★) and every configuration within seed noise of it (≈: paired t-test against the best at the same seeds, or the ' +
  "exact sign-flip test when every seed differs by the same amount, Holm-adjusted over this epochs value's comparisons with " +
  'the best, p ≥ 0.05); uncoloured cells are beyond seed noise of the best; (n<3) marks fewer than 3 paired seeds, where no ' +
  'verdict is possible. Always over all seeds (view config_vs_best).';

export const testAccuracyHeatmap = (): table.PanelBuilder =>
  metricMatrix('test_acc', 'test accuracy')
    .title('Test accuracy, weight decay $weight_decay')
    .description(
      'Mean test accuracy (inference mode, 10,000 test images) over seeds for each dropout1 (rows) × dropout2 (columns) pair at ' +
        `the selected epochs, one matrix per selected weight decay; the best is the highest mean. ${vsBestDescription}`,
    );

export const gapHeatmap = (): table.PanelBuilder =>
  metricMatrix('gap', 'train-test gap')
    .title('Train−test gap, weight decay $weight_decay')
    .description(
      'Mean training minus test accuracy (both in inference mode) over seeds for each dropout1 (rows) × dropout2 (columns) ' +
        `pair; the best is the smallest mean gap (least overfitting). ${vsBestDescription}`,
    );

/** A multi-line SQL fragment indented to sit in a select list of the panels below. */
const indent = (fragment: string): string => fragment.split('\n').join('\n               ');

/** How the effect tables describe their p-values: the test, n and the Holm family. */
const pValueDescription =
  'n counts the paired seeds (a seed where a cell diverged is left out and counted in "diverged (left out)"); below 3 ' +
  'the interval and p-value are not informative and are not shown. test is t (paired t-test) or sign-flip (the exact ' +
  'sign-flip test, used where every seed shows the same difference); p (Holm) is Holm-adjusted over the whole family of ' +
  'this sweep\'s metric: every row of the view at every epochs value, its size in the column "family". Beyond seed ' +
  'noise: p (Holm) < 0.05.';

export const effectsVsControlTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Each configuration against the control at $epochs epochs')
    .description(
      'Every configuration minus the control at the same seed (view effect_vs_control): the control is no regularization when ' +
        `the grid has it, else the lowest value of each axis. The interval is a paired t-interval over seeds. ${pValueDescription}`,
    )
    .height(9)
    .withTarget(
      sqlQuery(`
        select case metric when 'test_acc' then 'test accuracy' else 'train-test gap' end as "metric",
               format('d1=%s d2=%s wd=%s', dropout1, dropout2, weight_decay) as "configuration",
               format('d1=%s d2=%s wd=%s (%s)', control_dropout1, control_dropout2, control_weight_decay, control_kind) as "control",
               n,
               diff_mean as "difference",
               ${intervalText('diff_ci_low', 'diff_ci_high', 'diff_ci_clipped', 'n >= 3', true)} as "95% CI",
               n_excluded_diverged as "diverged (left out)",
               ${indent(pValueColumns())},
               ${holmVerdict()} as "verdict"
          from effect_vs_control
         where ${sweepIs()} and ${epochsIs()} and ${variantIs()} and ${weightDecayIn()}
         order by effect_vs_control.metric desc, dropout1, dropout2, weight_decay
      `),
    )
    .overrideByName('difference', [...unitOverride(units.fraction), { id: 'decimals', value: 2 }])
    .overrideByRegexp('^p( \\(Holm\\))?$', [{ id: 'decimals', value: 3 }]);

type Axis = MainEffectAxis;

/** The main effect of every axis for the selected sweep, epochs and weight decays (view main_effect is the same over all weight decays). */
const mainEffectSource = (): string => `regsweep_main_effect(${selectedSweep()}, ${selectedEpochs()}, ${selectedWeightDecays()}, ${selectedVariants()})`;

export const mainEffectsTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Main effects at $epochs epochs')
    .description(
      'For each axis and value: test accuracy averaged over the other axes, and the effect of that value against the ' +
        'axis’ lowest value (usually 0) on test accuracy and on the train−test gap, paired by seed, with a 95% interval ' +
        'over seeds (a t-interval, not adjusted for the other rows). An interval that excludes 0 is an effect larger ' +
        'than seed noise for that row alone (n seeds, no multiple-comparison adjustment). Intervals are clipped to ' +
        '[−100, +100] points and left empty below 3 seeds, where they would not inform. Always over all seeds; the weight ' +
        'decay axis needs at least two weight decays selected. From regsweep_main_effect (view main_effect).',
    )
    .height(9)
    .withTarget(
      sqlQuery(`
        select axis, level, n,
               test_acc as "test accuracy",
               test_acc_effect as "test accuracy effect",
               test_acc_effect_ci_low as "effect CI low",
               test_acc_effect_ci_high as "effect CI high",
               gap_effect as "gap effect",
               gap_effect_ci_low as "gap effect CI low",
               gap_effect_ci_high as "gap effect CI high"
          from ${mainEffectSource()}
         order by axis, level
      `),
    )
    .overrideByRegexp(...fractionColumns('test accuracy.*|.*effect.*'));

const axisLabels: Record<Axis, string> = { dropout1: 'dropout1', dropout2: 'dropout2', weight_decay: 'weight decay' };

/** Effect of one axis on test accuracy against its lowest value, with the 95% interval drawn as a band. */
export const mainEffectTrend = (axis: Axis): trend.PanelBuilder =>
  defaultTrend(axis)
    .title(`Effect of ${axisLabels[axis]} on test accuracy`)
    .description(
      `Change in test accuracy when ${axisLabels[axis]} takes the value on the x axis instead of its lowest value, ` +
        'averaged over the other axes and paired by seed. The shaded band is the 95% t-interval over seeds, not adjusted ' +
        'for the other values: where it covers 0, the effect is within seed noise. No band below 3 seeds.',
    )
    .span(8)
    .unit(units.fraction)
    .decimals(1)
    .withTarget(
      sqlQuery(`
        select level as "${axis}",
               test_acc_effect as "effect",
               test_acc_effect_ci_low as "CI low",
               test_acc_effect_ci_high as "CI high"
          from ${mainEffectSource()}
         where axis = '${axis}'
         order by level
      `),
    )
    .overrideByName('CI high', [
      { id: 'custom.fillBelowTo', value: 'CI low' },
      { id: 'custom.lineWidth', value: 0 },
      { id: 'custom.fillOpacity', value: 20 },
      { id: 'custom.showPoints', value: 'never' },
    ])
    .overrideByName('CI low', [
      { id: 'custom.lineWidth', value: 0 },
      { id: 'custom.showPoints', value: 'never' },
      { id: 'custom.hideFrom', value: { legend: true, tooltip: false, viz: false } },
    ]);

const interactionVerdict = holmVerdict(
  "case when interaction_mean < 0 then 'overlap: less than additive' else 'synergy: more than additive' end",
  "'additive within seed noise'",
);

export const interactionTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Dropout × weight decay: additive or not?')
    .description(
      'For each dropout setting and weight decay, against the baseline at the same seed (no dropout and no weight decay when ' +
        'the grid has them, else the lowest value of each axis; view effect_interaction, test accuracy): the effect of dropout alone, weight decay alone, both together, and the ' +
        'interaction = together − (dropout alone + decay alone). An interaction of 0 means the two add up; below 0 they ' +
        'overlap (the second adds less on top of the first than on its own). The interval is a paired t-interval over ' +
        `seeds, clipped to the range an interaction of fractions can take ([−2, 2]). ${pValueDescription}`,
    )
    .height(9)
    .withTarget(
      sqlQuery(`
        select dropout1, dropout2, weight_decay as "weight decay", n,
               n_excluded_diverged as "diverged (left out)",
               dropout_effect_mean as "dropout alone",
               weight_decay_effect_mean as "decay alone",
               dropout_effect_mean + weight_decay_effect_mean as "sum of the two",
               combined_effect_mean as "together",
               interaction_mean as "interaction",
               case when n >= 3 then greatest(-2, interaction_ci_low) end as "interaction CI low",
               case when n >= 3 then least(2, interaction_ci_high) end as "interaction CI high",
               ${indent(pValueColumns())},
               ${interactionVerdict} as "verdict"
          from effect_interaction
         where ${sweepIs()} and metric = 'test_acc' and ${epochsIs()} and ${variantIs()} and ${weightDecayIn()}
         order by weight_decay, dropout1, dropout2
      `),
    )
    .overrideByRegexp(...fractionColumns('.*alone|sum of the two|together|interaction.*'))
    .overrideByRegexp('^p( \\(Holm\\))?$', [{ id: 'decimals', value: 3 }]);

export const interactionBarChart = (): barchart.PanelBuilder =>
  defaultBarChart('configuration')
    .title('Effects on test accuracy: separate and together')
    .description(
      'Per dropout setting and weight decay: the test-accuracy change from dropout alone, from weight decay alone, their ' +
        'sum, and the change when both are used together. When "together" matches "sum of the two" the regularisers are ' +
        'additive; a shorter "together" bar means they overlap. Seed noise: see the interval in the table.',
    )
    .span(24)
    .unit(units.fraction)
    .decimals(1)
    .withTarget(
      sqlQuery(`
        select format('d1=%s d2=%s wd=%s', dropout1, dropout2, weight_decay) as "configuration",
               dropout_effect_mean as "dropout alone",
               weight_decay_effect_mean as "decay alone",
               dropout_effect_mean + weight_decay_effect_mean as "sum of the two",
               combined_effect_mean as "together"
          from effect_interaction
         where ${sweepIs()} and metric = 'test_acc' and ${epochsIs()} and ${variantIs()} and ${weightDecayIn()}
         order by weight_decay, dropout1, dropout2
      `),
    )
    .overrideByName('sum of the two', fixedColor('text'));

export const dropoutSwapTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Does swapping dropout1 and dropout2 matter?')
    .description(
      'For each pair of rates a < b used both ways round (view effect_dropout_swap): the metric with (dropout1 = a, ' +
        'dropout2 = b) minus the metric with (dropout1 = b, dropout2 = a), paired by seed. A positive difference on test ' +
        'accuracy favours the larger rate on the second layer; on the gap it means more overfitting that way. The interval ' +
        `is a paired t-interval over seeds, clipped to [−1, 1]. ${pValueDescription}`,
    )
    .height(8)
    .withTarget(
      sqlQuery(`
        select case metric when 'test_acc' then 'test accuracy' else 'train-test gap' end as "metric",
               weight_decay as "weight decay", dropout_a as "a", dropout_b as "b", n,
               n_excluded_diverged as "diverged (left out)",
               mean_ab as "(d1, d2) = (a, b)",
               mean_ba as "(d1, d2) = (b, a)",
               diff_mean as "difference",
               case when n >= 3 then greatest(-1, diff_ci_low) end as "CI low",
               case when n >= 3 then least(1, diff_ci_high) end as "CI high",
               ${indent(pValueColumns())},
               ${holmVerdict("'order matters: beyond seed noise'")} as "verdict"
          from effect_dropout_swap
         where ${sweepIs()} and ${epochsIs()} and ${variantIs()} and ${weightDecayIn()}
         order by effect_dropout_swap.metric desc, weight_decay, dropout_a, dropout_b
      `),
    )
    .overrideByRegexp(...fractionColumns('\\(d1.*|difference|CI .*'))
    .overrideByRegexp('^p( \\(Holm\\))?$', [{ id: 'decimals', value: 3 }]);
