import type * as table from '@grafana/grafana-foundation-sdk/table';
import { defaultTable, epochsIs, intervalText, sqlQuery, sweepIs, unitOverride, units, variantIs, weightDecayIn } from './common';

/*
 * How large seed noise is against the differences between configurations (noise_diagnostic), and
 * how often configurations diverge (divergence_rate): both are results of a sweep, not failures.
 */

export const noiseDiagnosticTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Do configurations differ by more than seed noise at $epochs epochs?')
    .description(
      'One-way analysis of variance (F test) across every configuration of the sweep at these epochs, over the runs that ' +
        'did not diverge (view noise_diagnostic; all weight decays, whatever is selected above). seed sd is the pooled ' +
        'standard deviation of runs around their own configuration’s mean (the seed noise, on df2 = runs − configurations ' +
        'degrees of freedom); F is the variance of the configuration means, each weighted by its seeds (on df1 = ' +
        'configurations − 1), over that seed variance. F near 1 is what seed noise alone gives; p is the chance of an F at ' +
        'least this large if all configurations were alike. One test per row (metric), not adjusted across metrics or ' +
        'epochs values. p < 0.05: the configurations differ by more than seed noise; a large p does not show they are alike, ' +
        'since with few seeds the test sees only large differences. F and p are empty, and reading says why, when every ' +
        'configuration has a single run, fewer than two have results, or every configuration’s seeds agree exactly.',
    )
    .height(6)
    .withTarget(
      sqlQuery(`
        select case metric when 'test_acc' then 'test accuracy' else 'train-test gap' end as "metric",
               k as "configurations", n as "runs", n_diverged as "diverged (left out)",
               seed_sd as "seed sd",
               f as "F", df1, df2, p,
               coalesce(note, case when p < 0.05 then 'differences between configurations exceed seed noise'
                                   else 'not distinguishable from seed noise at this n' end) as "reading"
          from noise_diagnostic
         where ${sweepIs()} and ${epochsIs()} and ${variantIs()}
         order by noise_diagnostic.metric desc
      `),
    )
    .overrideByName('seed sd', [...unitOverride(units.fraction), { id: 'decimals', value: 2 }])
    .overrideByName('F', [{ id: 'decimals', value: 2 }])
    .overrideByName('p', [{ id: 'decimals', value: 3 }]);

export const divergenceRateTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Diverged runs at $epochs epochs')
    .description(
      'Per configuration, how many of its finished seeds (diverged, or reached these epochs) diverged: a minibatch loss became NaN, ' +
        'infinite or larger than 1,000 nats, or a weight NaN or infinite; training stopped there, and every mean, interval and effect leaves them out. ' +
        'rate = diverged / finished, with its exact 95% Clopper–Pearson (binomial) interval, shown from 3 finished seeds ' +
        '(0 of 3 still allows a rate up to 71%). View divergence_rate.',
    )
    .height(7)
    .withTarget(
      sqlQuery(`
        select dropout1, dropout2, weight_decay as "weight decay",
               finished as "seeds finished", n_diverged as "diverged", rate,
               ${intervalText('rate_ci_low', 'rate_ci_high', 'false', 'finished >= 3')} as "95% CI (Clopper–Pearson)"
          from divergence_rate
         where ${sweepIs()} and ${epochsIs()} and ${variantIs()} and ${weightDecayIn()}
         order by rate desc nulls last, dropout1, dropout2, weight_decay
      `),
    )
    .overrideByName('rate', [...unitOverride(units.fraction), { id: 'decimals', value: 0 }]);
