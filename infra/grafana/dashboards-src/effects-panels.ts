import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as trend from '@grafana/grafana-foundation-sdk/trend';
import {
  dedent,
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
  weightDecayIn,
} from './common';

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
         where ${sweepIs()} and ${epochsIs()} and ${weightDecayIn()} and metric = '${metric}'
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

export const effectsVsControlTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Each configuration against the control at $epochs epochs')
    .description(
      'Every configuration minus the control at the same seed (view effect_vs_control): the control is no regularization when ' +
        'the grid has it, else the lowest value of each axis. n counts paired seeds; below 3 the interval and p-value are not ' +
        'informative and are not shown. p is the paired t-test, or the exact sign-flip test where every seed shows the same ' +
        "difference; p (Holm) is adjusted over every configuration and epochs value of this sweep's metric (its family size in " +
        'the column "family"). Beyond seed noise: p (Holm) < 0.05.',
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
               case when n >= 3 then p_test end as "test",
               case when n >= 3 then p_used end as "p",
               case when n >= 3 then p_holm end as "p (Holm)",
               holm_m as "family",
               case when n < 3 then 'too few seeds' when p_holm < 0.05 then 'beyond seed noise' else 'within seed noise' end as "verdict"
          from effect_vs_control
         where ${sweepIs()} and ${epochsIs()} and ${weightDecayIn()}
         order by metric desc, dropout1, dropout2, weight_decay
      `),
    )
    .overrideByName('difference', [...unitOverride(units.fraction), { id: 'decimals', value: 2 }])
    .overrideByRegexp('^p( \\(Holm\\))?$', [{ id: 'decimals', value: 3 }]);

type Axis = 'dropout1' | 'dropout2' | 'weight_decay';

/**
 * Paired main effect of each axis: per seed, the mean over the other axes at each level minus
 * the mean at the axis' lowest level; then mean and 95% t-interval of that difference over seeds.
 */
function mainEffectSql(axes: readonly Axis[], select: string): string {
  const perSeed = axes
    .map((axis) => `select '${axis}' as axis, ${axis} as level, seed, avg(test_acc) as test_acc, avg(gap) as gap from cells group by ${axis}, seed`)
    .join('\n      union all\n      ');
  const finalSelect = dedent(select)
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  return `
    with cells as (
      select dropout1, dropout2, weight_decay, seed, test_acc, gap
        from trial_results
       where ${sweepIs()} and ${epochsIs()} and ${weightDecayIn()} and test_acc is not null
    ), per_seed as (
      ${perSeed}
    ), paired as (
      select p.axis, p.level, p.seed, p.test_acc, p.gap,
             p.test_acc - b.test_acc as test_acc_effect, p.gap - b.gap as gap_effect
        from per_seed as p
        join per_seed as b
          on b.axis = p.axis and b.seed = p.seed
         and b.level = (select min(level) from per_seed as m where m.axis = p.axis)
    )
${finalSelect}
  `;
}

const halfWidth = (column: string): string => `regsweep_ci_half_width(stddev_samp(${column}), count(*))`;

/**
 * One end of an effect's 95% interval over seeds, clipped to the range a difference of two
 * fractions can take, [−1, 1], and absent below 3 seeds, where it would not inform.
 */
const effectBound = (column: string, side: 'low' | 'high'): string =>
  side === 'low'
    ? `case when count(*) >= 3 then greatest(-1, avg(${column}) - ${halfWidth(column)}) end`
    : `case when count(*) >= 3 then least(1, avg(${column}) + ${halfWidth(column)}) end`;

export const mainEffectsTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Main effects at $epochs epochs')
    .description(
      'For each axis and value: test accuracy averaged over the other axes, and the effect of that value against the ' +
        'axis’ lowest value (usually 0) on test accuracy and on the train−test gap, paired by seed, with a 95% interval ' +
        'over seeds (a t-interval, not adjusted for the other rows). An interval that excludes 0 is an effect larger ' +
        'than seed noise for that row alone. Intervals are clipped to [−100, +100] points and left empty below 3 seeds, ' +
        'where they would not inform. Always over all seeds; the weight decay axis needs at least two weight decays selected.',
    )
    .height(9)
    .withTarget(
      sqlQuery(
        mainEffectSql(
          ['dropout1', 'dropout2', 'weight_decay'],
          `
          select axis, level, count(*) as n,
                 avg(test_acc) as "test accuracy",
                 avg(test_acc_effect) as "test accuracy effect",
                 ${effectBound('test_acc_effect', 'low')} as "effect CI low",
                 ${effectBound('test_acc_effect', 'high')} as "effect CI high",
                 avg(gap_effect) as "gap effect",
                 ${effectBound('gap_effect', 'low')} as "gap effect CI low",
                 ${effectBound('gap_effect', 'high')} as "gap effect CI high"
            from paired
           group by axis, level
           order by axis, level
          `,
        ),
      ),
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
      sqlQuery(
        mainEffectSql(
          [axis],
          `
          select level as "${axis}",
                 avg(test_acc_effect) as "effect",
                 ${effectBound('test_acc_effect', 'low')} as "CI low",
                 ${effectBound('test_acc_effect', 'high')} as "CI high"
            from paired
           group by level
           order by level
          `,
        ),
      ),
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

const interactionVerdict = [
  "case when n < 3 or interaction_ci_low is null then 'too few seeds'",
  "when interaction_ci_high < 0 then 'overlap: less than additive'",
  "when interaction_ci_low > 0 then 'synergy: more than additive'",
  "else 'additive: interval covers 0' end",
].join(' ');

export const interactionTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Dropout × weight decay: additive or not?')
    .description(
      'For each dropout setting and weight decay, against no dropout and no weight decay at the same seed: the effect of ' +
        'dropout alone, weight decay alone, both together, and the interaction = together − (dropout alone + decay alone). ' +
        'An interaction interval covering 0 means the two add up; below 0 means they overlap (the second adds less on ' +
        'top of the first than on its own). The interval is a paired t-interval over seeds, clipped to the range an ' +
        'interaction of fractions can take ([−2, 2]) and empty below 3 seeds; p is the paired t-test, Holm-adjusted over ' +
        'the rows of this sweep and epochs.',
    )
    .height(9)
    .withTarget(
      sqlQuery(`
        select dropout1, dropout2, weight_decay as "weight decay", n,
               dropout_effect_mean as "dropout alone",
               weight_decay_effect_mean as "decay alone",
               dropout_effect_mean + weight_decay_effect_mean as "sum of the two",
               combined_effect_mean as "together",
               interaction_mean as "interaction",
               case when n >= 3 then greatest(-2, interaction_ci_low) end as "interaction CI low",
               case when n >= 3 then least(2, interaction_ci_high) end as "interaction CI high",
               case when n >= 3 then interaction_p_holm end as "p (Holm)",
               ${interactionVerdict} as "verdict"
          from effect_interaction
         where ${sweepIs()} and metric = 'test_acc' and ${epochsIs()} and ${weightDecayIn()}
         order by weight_decay, dropout1, dropout2
      `),
    )
    .overrideByRegexp(...fractionColumns('.*alone|sum of the two|together|interaction.*'))
    .overrideByName('p (Holm)', [{ id: 'decimals', value: 3 }]);

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
         where ${sweepIs()} and metric = 'test_acc' and ${epochsIs()} and ${weightDecayIn()}
         order by weight_decay, dropout1, dropout2
      `),
    )
    .overrideByName('sum of the two', fixedColor('text'));

export const dropoutSwapTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Does swapping dropout1 and dropout2 matter?')
    .description(
      'For each pair of rates a < b used both ways round: the metric with (dropout1 = a, dropout2 = b) minus the metric ' +
        'with (dropout1 = b, dropout2 = a), paired by seed. A positive difference on test accuracy favours the larger ' +
        'rate on the second layer; on the gap it means more overfitting that way. The interval is a paired t-interval over ' +
        'seeds, clipped to [−1, 1] and empty below 3 seeds; p is the paired t-test, Holm-adjusted over the pairs.',
    )
    .height(8)
    .withTarget(
      sqlQuery(`
        select case metric when 'test_acc' then 'test accuracy' else 'train-test gap' end as "metric",
               weight_decay as "weight decay", dropout_a as "a", dropout_b as "b", n,
               mean_ab as "(d1, d2) = (a, b)",
               mean_ba as "(d1, d2) = (b, a)",
               diff_mean as "difference",
               case when n >= 3 then greatest(-1, diff_ci_low) end as "CI low",
               case when n >= 3 then least(1, diff_ci_high) end as "CI high",
               case when n >= 3 then diff_p_holm end as "p (Holm)",
               case when n < 3 or diff_ci_low is null then 'too few seeds'
                    when diff_ci_low > 0 or diff_ci_high < 0 then 'matters'
                    else 'within noise' end as "verdict"
          from effect_dropout_swap
         where ${sweepIs()} and ${epochsIs()} and ${weightDecayIn()}
         order by metric desc, weight_decay, dropout_a, dropout_b
      `),
    )
    .overrideByRegexp(...fractionColumns('\\(d1.*|difference|CI .*'))
    .overrideByName('p (Holm)', [{ id: 'decimals', value: 3 }]);
