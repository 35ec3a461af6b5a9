import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as trend from '@grafana/grafana-foundation-sdk/trend';

/**
 * The PostgreSQL data source every panel reads from. Its uid is fixed so that provisioning
 * (infra/grafana/provisioning/datasources) and the dashboards agree without lookups.
 */
export const postgresDatasource: common.DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'regsweep-postgres' };

/** `table` for panels that read rows; `time_series` for a time column plus metric/value columns. */
export type SqlFormat = 'table' | 'time_series';

/** The query model of Grafana's SQL data sources, which the foundation SDK does not ship. */
export interface SqlQuery {
  refId?: string;
  hide?: boolean;
  datasource?: common.DataSourceRef;
  rawSql: string;
  format: SqlFormat;
  /** Code mode: Grafana runs rawSql as written instead of rebuilding it from the visual editor. */
  rawQuery: true;
  editorMode: 'code';
  _implementsDataqueryVariant(): void;
}

export class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: SqlQuery;

  constructor(rawSql: string) {
    this.internal = { rawSql, format: 'table', rawQuery: true, editorMode: 'code', _implementsDataqueryVariant() {} };
  }

  build(): SqlQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  format(format: SqlFormat): this {
    this.internal.format = format;
    return this;
  }

  datasource(datasource: common.DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }
}

/** A raw SQL query against the regsweep data source; `rawSql` is dedented so the JSON reads well. */
export function sqlQuery(rawSql: string, format: SqlFormat = 'table', refId = 'A'): SqlQueryBuilder {
  return new SqlQueryBuilder(dedent(rawSql)).format(format).refId(refId).datasource(postgresDatasource);
}

/** Strips the indentation common to all non-empty lines and the blank first and last lines. */
export function dedent(text: string): string {
  const lines = text
    .replace(/^\s*\n/, '')
    .replace(/\n\s*$/, '')
    .split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent).trimEnd()).join('\n');
}

/*
 * SQL fragments for the dashboard variables, written once so every panel filters alike.
 * Weight decays and seeds are compared as text: the variables offer exactly the strings
 * Postgres prints for those columns, and `= any(array[...])` stays valid SQL when a
 * multi-value variable is empty (`in ()` would not).
 */
export const sweepIs = (column = 'sweep_id'): string => `${column} = \${sweep:sqlstring}`;
export const epochsIs = (column = 'epochs'): string => `${column}::text = \${epochs:sqlstring}`;
export const weightDecayIn = (column = 'weight_decay'): string => `${column}::text = any(array[$weight_decay]::text[])`;
export const variantIs = (column = 'variant'): string => `${column} = \${variant:sqlstring}`;
export const seedMatches = (column = 'seed'): string => `(\${seed:sqlstring} = 'mean' or ${column}::text = \${seed:sqlstring})`;

/*
 * The same selection as arguments of the analysis functions (regsweep_main_effect,
 * regsweep_epoch_curve, regsweep_weight_norm_curve), which take it as text.
 */
export const selectedSweep = (): string => '${sweep:sqlstring}';
export const selectedEpochs = (): string => '${epochs:sqlstring}';
export const selectedWeightDecays = (): string => 'array[$weight_decay]::text[]';
export const selectedSeed = (): string => '${seed:sqlstring}';
export const selectedVariants = (): string => 'array[${variant:sqlstring}]::text[]';

/** Units used across the dashboards. Accuracies and their differences are fractions in [0, 1]. */
export const units = {
  fraction: 'percentunit',
  count: 'short',
  plain: 'none',
  seconds: 's',
  perSecond: 'short',
} as const;

/** A field override that sets the unit of the columns whose names match `regexp`. */
export const unitOverride = (unit: string): dashboard.DynamicConfigValue[] => [{ id: 'unit', value: unit }];

export const fixedColor = (color: string): dashboard.DynamicConfigValue[] => [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }];

const legendBelow = (): common.VizLegendOptionsBuilder =>
  new common.VizLegendOptionsBuilder().showLegend(true).placement(common.LegendPlacement.Bottom).displayMode(common.LegendDisplayMode.List);

/** A table panel with the house defaults: the regsweep data source, compact rows, no footer. */
export const defaultTable = (): table.PanelBuilder =>
  new table.PanelBuilder()
    .datasource(postgresDatasource)
    .height(8)
    .span(24)
    .cellHeight(common.TableCellHeight.Sm)
    .footer(new common.TableFooterOptionsBuilder().show(false).reducer([]))
    .unit(units.plain);

/**
 * A numeric-x line chart (Grafana's trend panel): x is `xField`, every other numeric column is
 * a line. Used for per-epoch curves, where x is the epoch, not the time a row was written.
 */
export const defaultTrend = (xField: string): trend.PanelBuilder =>
  new trend.PanelBuilder()
    .datasource(postgresDatasource)
    .height(9)
    .span(12)
    .xField(xField)
    .lineWidth(2)
    .pointSize(6)
    .showPoints(common.VisibilityMode.Always)
    .fillOpacity(0)
    .spanNulls(true)
    .legend(legendBelow())
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));

/** A stat panel showing every numeric column of the query's single row. */
export const defaultStat = (): stat.PanelBuilder =>
  new stat.PanelBuilder()
    .datasource(postgresDatasource)
    .height(5)
    .span(6)
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Value)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']).fields(''));

/** A bar chart whose bars are labelled by the string column `xField`. */
export const defaultBarChart = (xField: string): barchart.PanelBuilder =>
  new barchart.PanelBuilder()
    .datasource(postgresDatasource)
    .height(9)
    .span(12)
    .xField(xField)
    .fillOpacity(80)
    .showValue(common.VisibilityMode.Never)
    .xTickLabelRotation(0)
    .legend(legendBelow())
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.None));

/**
 * Makes a long-format table (row label, column label, value) into a colour-background matrix:
 * the most portable heatmap of categorical axes across Grafana versions.
 */
export function matrixTable(rowField: string, columnField: string, valueField: string, scheme: dashboard.FieldColorModeId): table.PanelBuilder {
  return defaultTable()
    .withTransformation({ id: 'groupingToMatrix', options: { rowField, columnField, valueField, emptyValue: 'null' } })
    .cellOptions({ type: common.TableCellDisplayMode.ColorBackground, mode: common.TableCellBackgroundDisplayMode.Gradient })
    .colorScheme(new dashboard.FieldColorBuilder().mode(scheme))
    .align(common.FieldTextAlignment.Center);
}

/*
 * Intervals as the views give them, as text: clipped to the metric's range and marked ` *`,
 * or flagged below 3 seeds instead of shown. `low`, `high`, `clipped` and `informative` are
 * column expressions of config_interval, config_vs_best or effect_vs_control.
 */
export const intervalText = (low: string, high: string, clipped: string, informative: string, signed = false): string => {
  const show = (v: string) => (signed ? `to_char(${v} * 100, 'SG990.0')` : `to_char(${v} * 100, 'FM990.0')`);
  return (
    `case when not (${informative}) then 'n<3: no interval' when ${low} is null then 'no interval' ` +
    `else ${show(low)} || ${signed ? "' to '" : "'% – '"} || ${show(high)} || ${signed ? "' pp'" : "'%'"} || case when ${clipped} then ' * (clipped to the range)' else '' end end`
  );
};

/** Cells within seed noise of the best are coloured alike; the rest stay neutral. */
export const vsBestMappings = (): dashboard.ValueMapping[] => [
  { type: dashboard.MappingType.RegexToText, options: { pattern: '.*(★|≈)$', result: { color: 'green', index: 0 } } },
  { type: dashboard.MappingType.RegexToText, options: { pattern: '.*\\(n<3\\)$', result: { color: '#80808033', index: 1 } } },
  { type: dashboard.MappingType.RegexToText, options: { pattern: '.*%$', result: { color: 'transparent', index: 2 } } },
];

/** A config_vs_best row's mean as matrix text: `85.1% ★` best, `≈` within seed noise of it, `(n<3)` too few seeds. */
export const vsBestCell = (mean = 'mean', vsBest = 'vs_best'): string =>
  `to_char(${mean} * 100, 'FM990.0') || '%' || case ${vsBest} when 'best' then ' ★' when 'within seed noise of the best' then ' ≈' when 'too few seeds' then ' (n<3)' else '' end`;

/*
 * The p-value columns of the effect tables (effect_vs_control, effect_interaction,
 * effect_dropout_swap): which test, its p, the Holm-adjusted p over the whole (sweep, metric)
 * family and that family's size, none of them below 3 paired seeds, where they would not inform.
 */
export const pValueColumns = (): string =>
  [
    `case when n >= 3 then p_test end as "test"`,
    `case when n >= 3 then p_used end as "p"`,
    `case when n >= 3 then p_holm end as "p (Holm)"`,
    `holm_m as "family"`,
  ].join(',\n');

/** The verdict on an effect from its whole-family Holm p: `beyond` names the finding when p (Holm) < 0.05. */
export const holmVerdict = (beyond = "'beyond seed noise'", within = "'within seed noise'"): string =>
  `case when n < 3 then 'too few seeds' when p_holm is null then 'no test applies' when p_holm < 0.05 then ${beyond} else ${within} end`;
