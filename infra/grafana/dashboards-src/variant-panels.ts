import type * as table from '@grafana/grafana-foundation-sdk/table';
import { defaultTable, epochsIs, holmVerdict, intervalText, pValueColumns, sqlQuery, sweepIs, unitOverride, units, variantIs, weightDecayIn } from './common';

/*
 * The panels of the regularizer variants: every variant of the sweep against its base variant
 * (effect_vs_variant, so not filtered by the variant variable), and test-time dropout of the
 * selected variant (test_time_dropout).
 */

/** A multi-line SQL fragment indented to sit in a select list of the panels below. */
const indent = (fragment: string): string => fragment.split('\n').join('\n               ');

export const variantEffectsTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Variants against the base variant at $epochs epochs')
    .description(
      'Each variant (regularizer, batch normalization, learning rate) minus the base variant at the same dropout rates, weight ' +
        'decay and seed (view effect_vs_variant). The base variant is dropout if the sweep has it, without batch normalization if ' +
        'it has that, at lr 0.5 if it has it (else the lowest). n counts the paired seeds (a seed where either side diverged is ' +
        'left out and counted); below 3 the interval and p-value are not informative and are not shown. test is t (paired ' +
        't-test) or sign-flip (exact, where every seed shows the same difference); p (Holm) is Holm-adjusted over every variant ' +
        'comparison of this sweep\'s metric at every epochs value, its size in "family". Beyond seed noise: p (Holm) < 0.05.',
    )
    .height(9)
    .withTarget(
      sqlQuery(`
        select case metric when 'test_acc' then 'test accuracy' else 'train-test gap' end as "metric",
               variant, base_variant as "base variant",
               format('d1=%s d2=%s wd=%s', dropout1, dropout2, weight_decay) as "configuration",
               n, n_excluded_diverged as "diverged (left out)",
               variant_mean as "variant mean", base_mean as "base mean",
               diff_mean as "difference",
               ${intervalText('diff_ci_low', 'diff_ci_high', 'diff_ci_clipped', 'n >= 3', true)} as "95% CI",
               ${indent(pValueColumns())},
               ${holmVerdict()} as "verdict"
          from effect_vs_variant
         where ${sweepIs()} and ${epochsIs()} and ${weightDecayIn()}
         order by effect_vs_variant.metric desc, effect_vs_variant.variant, dropout1, dropout2, weight_decay
      `),
    )
    .overrideByRegexp('^(variant mean|base mean|difference)$', [...unitOverride(units.fraction), { id: 'decimals', value: 2 }])
    .overrideByRegexp('^p( \\(Holm\\))?$', [{ id: 'decimals', value: 3 }]);

export const testTimeDropoutTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Dropout at test time, $variant, $epochs epochs')
    .description(
      'For runs that evaluate with test-time dropout (train.evalDropoutSamples > 0; view test_time_dropout): mean test accuracy ' +
        'in inference mode, with one stochastic pass with the regularizer on, and with the average softmax of all passes (MC ' +
        'dropout), and the differences within each run with 95% t-intervals over the seeds (one per row, not adjusted; none below 3 seeds).',
    )
    .height(7)
    .withTarget(
      sqlQuery(`
        select format('d1=%s d2=%s wd=%s', dropout1, dropout2, weight_decay) as "configuration",
               eval_dropout_samples as "passes", n as "seeds", n_diverged as "diverged (left out)",
               test_acc_mean as "inference mode", test_acc_dropout_mean as "one pass", test_acc_mc_dropout_mean as "MC average",
               mc_minus_inference_mean as "MC − inference",
               ${intervalText('mc_minus_inference_ci_low', 'mc_minus_inference_ci_high', 'false', 'interval_informative', true)} as "MC − inference 95% CI",
               one_pass_minus_inference_mean as "one pass − inference",
               ${intervalText('one_pass_minus_inference_ci_low', 'one_pass_minus_inference_ci_high', 'false', 'interval_informative', true)} as "one pass − inference 95% CI"
          from test_time_dropout
         where ${sweepIs()} and ${epochsIs()} and ${variantIs()} and ${weightDecayIn()}
         order by dropout1, dropout2, weight_decay
      `),
    )
    .overrideByRegexp('^(inference mode|one pass|MC average|MC − inference|one pass − inference)$', [
      ...unitOverride(units.fraction),
      { id: 'decimals', value: 2 },
    ]);
