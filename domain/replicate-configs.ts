/**
 * The configurations of an adaptive-seed sweep and the runs behind them (docs/adaptive-seeds.md).
 * A configuration is everything that shapes a run but its seed: every field of a RunPlan except
 * runId, seed and maxEpochs, so an axis added to RunPlan becomes part of a configuration without
 * a change here. Pure code.
 */
import { expandRuns, expandTrials, type Trial } from './grid-expansion';
import type { RunPlan } from './run-identity';
import type { SweepSpec } from './sweep-spec';
import { replicateComparisons, type Comparison, type ReplicateObservations } from './replicate-comparisons';
import type { PlannedSeeds } from './replicate-plan';

const notConfig = new Set(['runId', 'seed', 'maxEpochs']);

/** The configuration a run belongs to, as a canonical string (keys sorted). */
export function configKeyOf(run: RunPlan): string {
  const fields = Object.entries(run)
    .filter(([k]) => !notConfig.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(fields);
}

/** One configuration of the grid: its key, a short label naming only what varies, and its plan at seed 0. */
export interface ReplicateConfig {
  key: string;
  label: string;
  /** The run at seed 0; the runs of other seeds differ only in seed and runId. */
  template: RunPlan;
}

/** The grid's configurations in grid order (the order expandRuns gives). */
export function replicateConfigs(spec: SweepSpec): ReplicateConfig[] {
  const runs = expandRuns({ ...spec, seeds: [0] });
  const entries = runs.map((r) => Object.entries(r).filter(([k]) => !notConfig.has(k)));
  // A label names only the fields that differ between configurations, so it stays short and
  // reads like the spec's grid: "dropout1=0.5 weightDecay=0".
  const varying = (entries[0] ?? [])
    .map(([k]) => k)
    .filter((k) => new Set(runs.map((r) => JSON.stringify((r as unknown as Record<string, unknown>)[k]))).size > 1);
  return runs.map((template) => ({
    key: configKeyOf(template),
    label: varying.length === 0 ? 'all' : varying.map((k) => `${k}=${JSON.stringify((template as unknown as Record<string, unknown>)[k])}`).join(' '),
    template,
  }));
}

/**
 * The control of `vs-control`: the configuration with the lowest dropout1, dropout2 and weight
 * decay of the grid, which is no regularization when the grid has it (the control
 * `effect_vs_control` uses); with other axes, the first such configuration in grid order.
 */
export function replicateControl(spec: SweepSpec, configs: readonly ReplicateConfig[]): ReplicateConfig {
  const min = (xs: readonly number[]): number => Math.min(...xs);
  const [d1, d2, wd] = [min(spec.grid.dropout1), min(spec.grid.dropout2), min(spec.grid.weightDecay)];
  const control = configs.find((c) => c.template.dropout1 === d1 && c.template.dropout2 === d2 && c.template.weightDecay === wd);
  if (!control) throw new Error(`no configuration has dropout1=${d1} dropout2=${d2} weightDecay=${wd}`);
  return control;
}

/** The comparisons the spec's replicate block asks for, keyed by configuration key, with readable ids. */
export function sweepComparisons(spec: SweepSpec, configs: readonly ReplicateConfig[]): Comparison[] {
  if (!spec.replicate) throw new Error('the spec has no replicate block');
  const labels = new Map(configs.map((c) => [c.key, c.label]));
  const control = spec.replicate.compare === 'vs-control' ? replicateControl(spec, configs).key : undefined;
  return replicateComparisons(
    spec.replicate.compare,
    configs.map((c) => c.key),
    control,
  ).map((c) => ({ ...c, id: c.other === null ? (labels.get(c.config) ?? c.config) : `${labels.get(c.config) ?? c.config} vs ${labels.get(c.other) ?? c.other}` }));
}

/** A run of the sweep with the value of the replicate metric at the replicate epochs; null when it has none. */
export interface ObservedRun {
  runId: string;
  seed: number;
  value: number | null;
}

/**
 * The observations the rule reads: for each configuration, every seed the sweep has a run for,
 * with its value. Runs are matched to configurations by run id, so a run whose configuration
 * has left the grid (an edited spec) is not counted.
 */
export function observationsOf(spec: SweepSpec, configs: readonly ReplicateConfig[], runs: readonly ObservedRun[]): ReplicateObservations {
  const byRun = new Map(runs.map((r) => [r.runId, r]));
  const observations = new Map(configs.map((c) => [c.key, new Map<number, number | null>()]));
  for (const seed of [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b)) {
    expandRuns({ ...spec, seeds: [seed] }).forEach((run, i) => {
      const seen = byRun.get(run.runId);
      const config = configs[i];
      if (seen && config) observations.get(config.key)?.set(seed, seen.value);
    });
  }
  return observations;
}

/**
 * The runs and trials for seeds per configuration, made by the grid expansion itself so every
 * axis (and every setting of `train`) flows through exactly as for a fixed-seed sweep.
 */
export function runsForSeeds(spec: SweepSpec, planned: readonly PlannedSeeds[]): { runs: RunPlan[]; trials: Trial[] } {
  const wanted = new Set(planned.flatMap((p) => p.seeds.map((s) => `${s} ${p.config}`)));
  const seeds = [...new Set(planned.flatMap((p) => p.seeds))].sort((a, b) => a - b);
  if (seeds.length === 0) return { runs: [], trials: [] };
  const expanded = { ...spec, seeds };
  const runs = expandRuns(expanded).filter((r) => wanted.has(`${r.seed} ${configKeyOf(r)}`));
  const ids = new Set(runs.map((r) => r.runId));
  return { runs, trials: expandTrials(expanded).filter((t) => ids.has(t.runId)) };
}
