import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import { defaultStat, defaultTable, sqlQuery, sweepIs, unitOverride, units } from './common';

/*
 * Adaptive-seed sweeps (docs/adaptive-seeds.md): where each comparison stands after the latest
 * decision between rounds, and what the rounds cost against a fixed list of seeds. Both read what
 * the sweep's decision recorded (replicate_sweeps, replicate_comparisons); a fixed-seed sweep has
 * no rows there and the panels stay empty.
 */

export const replicateRunsStat = (): stat.PanelBuilder =>
  defaultStat()
    .title('Adaptive seeds: runs used')
    .description(
      'Adaptive-seed sweeps only. Rounds: rounds of seeds the decision rule added after the spec\u2019s first seeds. Runs used: ' +
        'the runs the sweep has now, every round together. At maxSeeds everywhere: what a fixed list of maxSeeds seeds for ' +
        'every configuration would train. Saved: the difference, once the sweep has finished.',
    )
    .span(24)
    .height(4)
    .unit(units.count)
    .withTarget(
      sqlQuery(`
        select round as "rounds", runs as "runs used", fixed_runs as "at maxSeeds everywhere", fixed_runs - runs as "saved"
          from replicate_sweeps
         where ${sweepIs()}
      `),
    );

export const replicateComparisonsTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Adaptive seeds: comparisons')
    .description(
      'Adaptive-seed sweeps only: every comparison the replicate block defines, as of the latest decision between rounds. ' +
        'resolved: its interval is as narrow as the half-width target, or (decide target) it is shown different from zero at ' +
        'family-wise level alpha by an anytime-valid t-test with Holm\u2019s procedure, valid however many rounds looked; ' +
        'unresolved: the next round adds seeds to it; stopped-at-cap: maxSeeds or maxRuns leaves it no new seed ' +
        '("not shown different with this budget", never "the same"). n: seeds with a value on both sides; the seeds ' +
        'columns count each side\u2019s runs with or without a value. The interval is the t-interval (half-width target) or ' +
        'the anytime-valid confidence sequence at level alpha/m (decide target), in percentage points, with its coverage.',
    )
    .height(9)
    .withTarget(
      sqlQuery(`
        select comparison_id as "comparison", status, n, config_seeds as "seeds", other_seeds as "seeds (other)",
               mean as "difference",
               case when ci_low is null then 'no interval yet'
                    else to_char(ci_low * 100, 'FMSG990.00') || ' to ' || to_char(ci_high * 100, 'FMSG990.00') || ' pp (' ||
                         case interval when 'anytime' then 'anytime-valid ' else 't ' end ||
                         rtrim(rtrim(to_char(confidence * 100, 'FM990.00'), '0'), '.') || '%)' end as "interval",
               p_anytime as "p (anytime)", round
          from replicate_comparisons
         where ${sweepIs()}
         order by ordinal
      `),
    )
    .overrideByName('difference', [...unitOverride(units.fraction), { id: 'decimals', value: 2 }])
    .overrideByName('p (anytime)', [{ id: 'decimals', value: 4 }]);
