import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { dedent, postgresDatasource, sweepIs } from './common';

/*
 * The template variables shared by the three dashboards. Each dashboard uses a subset, in
 * this order, because later variables read earlier ones.
 */

function sqlVariable(name: string, label: string, description: string, rawSql: string): dashboard.QueryVariableBuilder {
  const query = dedent(rawSql);
  return (
    new dashboard.QueryVariableBuilder(name)
      .label(label)
      .description(description)
      .datasource(postgresDatasource)
      .query(query)
      .definition(query)
      // Refreshing with the time range also refreshes on every auto-refresh, so a sweep started
      // while the dashboard is open appears without a reload.
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      // The queries order their own values (newest sweep first, largest epochs first).
      .sort(dashboard.VariableSort.Disabled)
  );
}

export const sweepVariable = (): dashboard.QueryVariableBuilder =>
  sqlVariable('sweep', 'Sweep', 'The sweep to show; the newest comes first.', 'select id from sweeps order by created_at desc, id')
    .multi(false)
    .includeAll(false);

export const epochsVariable = (): dashboard.QueryVariableBuilder =>
  sqlVariable(
    'epochs',
    'Epochs',
    "The epochs value of the sweep's grid at which trials are read; the largest comes first.",
    `select distinct epochs from sweep_trials where ${sweepIs()} order by epochs desc`,
  )
    .multi(false)
    .includeAll(false);

export const weightDecayVariable = (): dashboard.QueryVariableBuilder =>
  sqlVariable(
    'weight_decay',
    'Weight decay',
    'Weight decays to include. Panels that show one matrix or chart per weight decay repeat for each selected value.',
    `
    select weight_decay::text
      from (select distinct weight_decay from sweep_trials where ${sweepIs()}) as w
     order by weight_decay
    `,
  )
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ['All'], value: ['$__all'] });

export const seedVariable = (): dashboard.QueryVariableBuilder =>
  sqlVariable(
    'seed',
    'Seeds',
    "'mean' averages over the sweep's seeds; a seed shows that seed's runs alone.",
    `
    select v from (
      select 'mean' as v, -1 as o
      union all
      select distinct seed::text, seed from sweep_trials where ${sweepIs()}
    ) as s
    order by o
    `,
  )
    .multi(false)
    .includeAll(false)
    .current({ selected: true, text: 'mean', value: 'mean' });

/**
 * One variant (regularizer, batch normalization, learning rate) at a time: every statistic is
 * within a variant, and two variants in one matrix would overlap. The base variant comes first, in
 * the order effect_vs_variant chooses it (dropout, no batch normalization, lr 0.5, else the lowest).
 */
export const variantVariable = (): dashboard.QueryVariableBuilder =>
  sqlVariable(
    'variant',
    'Variant',
    'The regularizer, batch normalization and learning rate of the trials shown; a sweep without those axes has one.',
    `
    select regsweep_variant_label(regularizer, batch_norm, lr) as variant
      from (select distinct regularizer, batch_norm, lr from sweep_trials where ${sweepIs()}) as v
     order by regularizer <> 'dropout', regularizer collate "C", batch_norm, lr <> 0.5, lr
    `,
  )
    .multi(false)
    .includeAll(false);
