import * as common from '@grafana/grafana-foundation-sdk/common';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import {
  defaultBarChart,
  defaultStat,
  defaultTable,
  epochsIs,
  variantIs,
  fixedColor,
  postgresDatasource,
  sqlQuery,
  sweepIs,
  unitOverride,
  units,
  weightDecayIn,
  intervalText,
} from './common';

export const runStatusStat = (): stat.PanelBuilder =>
  defaultStat()
    .title('Runs by status')
    .description(
      'How many of the sweep’s training runs are done, running, waiting, failed or cancelled. A run is one training job ' +
        '(one dropout1, dropout2, weight decay and seed), trained to the sweep’s largest epochs value. Failed runs exhausted ' +
        'their retries; the Runs table below shows their error. Diverged runs are results, not failures: a minibatch loss became ' +
        'NaN, infinite or larger than 1,000 nats, or a weight NaN or infinite; training stopped there, and every mean leaves them out (see divergence_rate).',
    )
    .span(10)
    .unit(units.count)
    .withTarget(
      sqlQuery(`
        select count(*) filter (where status = 'completed') as "done",
               count(*) filter (where status = 'running') as "running",
               count(*) filter (where status = 'pending') as "pending",
               count(*) filter (where status = 'failed') as "failed",
               count(*) filter (where status = 'cancelled') as "cancelled",
               count(*) filter (where status = 'diverged') as "diverged"
          from run_progress
         where ${sweepIs()}
      `),
    )
    .overrideByName('done', fixedColor('green'))
    .overrideByName('running', fixedColor('blue'))
    .overrideByName('pending', fixedColor('text'))
    .overrideByName('failed', fixedColor('red'))
    .overrideByName('cancelled', fixedColor('orange'))
    .overrideByName('diverged', fixedColor('purple'));

export const epochProgressGauge = (): gauge.PanelBuilder =>
  new gauge.PanelBuilder()
    .datasource(postgresDatasource)
    .title('Epochs trained')
    .description(
      'The share of all planned training epochs that are done, over every run of the sweep. It moves steadily while ' +
        'workers train, and reaches 100% when every run has reached its final epoch.',
    )
    .height(5)
    .span(4)
    .unit(units.fraction)
    .min(0)
    .max(1)
    .decimals(1)
    .withTarget(
      sqlQuery(`
        select sum(least(epochs_done, max_epochs))::float8 / nullif(sum(max_epochs), 0) as "epochs trained"
          from run_progress
         where ${sweepIs()}
      `),
    );

export const sweepSizeStat = (): stat.PanelBuilder =>
  defaultStat()
    .title('Trials, runs and time')
    .description(
      'Trials are grid points including the seed; runs are the training jobs behind them (trials that differ only in ' +
        'epochs share one run). Elapsed is the time since the sweep was first launched (until it finished). Time left ' +
        'is the training still to do, in seconds of one worker: divide by the number of training workers.',
    )
    .span(10)
    .unit(units.count)
    .withTarget(
      sqlQuery(`
        select s.trials as "trials",
               s.runs as "runs",
               extract(epoch from coalesce(s.finished_at, now()) - s.created_at)::float8 as "elapsed",
               (select coalesce(sum(eta_seconds), 0) from run_progress where ${sweepIs()})::float8 as "time left (one worker)"
          from sweeps as s
         where ${sweepIs('s.id')}
      `),
    )
    .overrideByName('elapsed', unitOverride(units.seconds))
    .overrideByName('time left (one worker)', unitOverride(units.seconds));

export const bestConfigsTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Best configurations at $epochs epochs')
    .description(
      'The ten grid points with the highest mean test accuracy over seeds, among the selected weight decays. The 95% interval ' +
        'is a t-interval over seeds clipped to [0, 1] (marked * when clipped); below 3 seeds it is not informative and is not ' +
        'shown. "vs best" compares each configuration with the best one by a paired t-test (or the exact sign-flip test when ' +
        "every seed differs by the same amount), Holm-adjusted over this epochs value's comparisons with the best (view " +
        'config_vs_best). n counts the seeds that have reached this epoch without diverging; diverged counts those whose ' +
        'training loss or weights became NaN or infinite by then, left out of every mean and interval. The gap is training minus test accuracy, both in inference mode.',
    )
    .span(14)
    .withTarget(
      sqlQuery(`
        select b.dropout1, b.dropout2, b.weight_decay as "weight decay", b.n, b.n_diverged as "diverged",
               b.mean as "test accuracy",
               ${intervalText('b.ci_low', 'b.ci_high', 'b.ci_clipped', 'b.interval_informative')} as "95% CI",
               b.vs_best as "vs best",
               g.mean as "train-test gap"
          from config_vs_best as b
          join config_interval as g
            on g.sweep_id = b.sweep_id and g.epochs = b.epochs and g.metric = 'gap'
           and g.dropout1 = b.dropout1 and g.dropout2 = b.dropout2 and g.weight_decay = b.weight_decay
         where ${sweepIs('b.sweep_id')} and ${epochsIs('b.epochs')} and ${variantIs('b.variant')} and ${weightDecayIn('b.weight_decay')} and b.metric = 'test_acc'
         order by b.mean desc, b.dropout1, b.dropout2, b.weight_decay
         limit 10
      `),
    )
    .overrideByRegexp('test accuracy|train-test gap', [...unitOverride(units.fraction), { id: 'decimals', value: 2 }])
    .overrideByName('vs best', [
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
      {
        id: 'mappings',
        value: [{ type: 'regex', options: { pattern: '^(best|within seed noise of the best)$', result: { color: 'green', index: 0 } } }],
      },
    ]);

export const runsPerWorkerBarChart = (): barchart.PanelBuilder =>
  defaultBarChart('worker / backend')
    .title('Runs per worker and backend')
    .description(
      'Runs by the worker and TensorFlow.js backend that last trained them, stacked by status. A worker with many ' +
        'failed runs points at a machine problem (memory, a missing backend package); "not started" runs are still waiting.',
    )
    .span(10)
    .unit(units.count)
    .stacking(common.StackingMode.Normal)
    .withTarget(
      sqlQuery(`
        select coalesce(worker, 'not started') || ' / ' || coalesce(backend, '-') as "worker / backend",
               count(*) filter (where status = 'completed') as "done",
               count(*) filter (where status = 'running') as "running",
               count(*) filter (where status = 'failed') as "failed",
               count(*) filter (where status in ('pending', 'cancelled')) as "waiting or cancelled"
          from run_progress
         where ${sweepIs()}
         group by 1
         order by 1
      `),
    )
    .overrideByName('done', fixedColor('green'))
    .overrideByName('running', fixedColor('blue'))
    .overrideByName('failed', fixedColor('red'))
    .overrideByName('waiting or cancelled', fixedColor('text'));

export const workerThroughputTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Throughput per worker')
    .description(
      'Per worker and backend: epochs it trained for this sweep, mean training images per second, and mean seconds per ' +
        'epoch including evaluation. Compare backends here: a GPU worker should show many times the images per second of a ' +
        'CPU one.',
    )
    .span(14)
    .unit(units.plain)
    .withTarget(
      sqlQuery(`
        select m.worker, m.backend,
               count(*) as "epochs trained",
               avg(m.samples_per_sec) as "images per second",
               avg(m.seconds + m.eval_seconds) as "seconds per epoch",
               max(m.recorded_at) as "last epoch at"
          from epoch_metrics as m
          join sweep_runs as sr on sr.run_id = m.run_id
         where ${sweepIs('sr.sweep_id')}
         group by m.worker, m.backend
         order by m.worker, m.backend
      `),
    )
    .overrideByName('epochs trained', unitOverride(units.count))
    .overrideByName('images per second', [...unitOverride(units.perSecond), { id: 'decimals', value: 0 }])
    .overrideByName('seconds per epoch', unitOverride(units.seconds))
    .overrideByName('last epoch at', unitOverride('dateTimeAsLocal'));

export const throughputTimeseries = (): timeseries.PanelBuilder =>
  new timeseries.PanelBuilder()
    .datasource(postgresDatasource)
    .title('Training throughput over time')
    .description(
      'Training images per second of each epoch, plotted when the epoch was recorded, one line per worker. Use the time ' +
        'picker to cover the sweep. Drops mean a worker was shared with other work or restarted; gaps mean it was idle.',
    )
    .height(8)
    .span(24)
    .unit(units.perSecond)
    .drawStyle(common.GraphDrawStyle.Points)
    .pointSize(5)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).placement(common.LegendPlacement.Bottom).displayMode(common.LegendDisplayMode.List))
    .withTarget(
      sqlQuery(
        `
        select m.recorded_at as time, m.worker as metric, m.samples_per_sec as value
          from epoch_metrics as m
          join sweep_runs as sr on sr.run_id = m.run_id
         where ${sweepIs('sr.sweep_id')} and $__timeFilter(m.recorded_at)
         order by 1
        `,
        'time_series',
      ),
    );

export const runsTable = (): table.PanelBuilder =>
  defaultTable()
    .title('Runs')
    .description(
      'Every run of the sweep: running and failed ones first, then waiting, then done. Progress is epochs done over ' +
        'the epochs the run must reach; time left is its remaining epochs times its mean epoch time. Attempts above 1 ' +
        'mean the run was retried (a worker died or an error was retried); the error column shows the last error. ' +
        '"diverged at" is the epoch in which a diverged run’s loss or weights became NaN or infinite.',
    )
    .height(10)
    .withTarget(
      sqlQuery(`
        select ordinal as "#", dropout1, dropout2, weight_decay as "weight decay", seed, status,
               fraction_done as "progress", epochs_done as "epochs", attempts, worker, backend,
               eta_seconds as "time left", diverged_at_epoch as "diverged at", error
          from run_progress
         where ${sweepIs()}
         order by case status when 'running' then 0 when 'failed' then 1 when 'diverged' then 2 when 'pending' then 3 when 'cancelled' then 4 else 5 end,
                  ordinal
         limit 1000
      `),
    )
    .overrideByName('progress', [
      ...unitOverride(units.fraction),
      { id: 'min', value: 0 },
      { id: 'max', value: 1 },
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.Gauge, mode: 'basic' } },
    ])
    .overrideByName('time left', unitOverride(units.seconds));
