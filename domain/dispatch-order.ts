import type { RunPlan } from './run-identity';

/**
 * The settings in which runs trained in one batched step may differ (docs/training.md, "Batched
 * runs"); everything else of a run's training config they must share. The training engine's
 * batchGroupKey and the sweep's dispatch order both read this list.
 */
export const perRunTrainFields: readonly string[] = ['dropout1', 'dropout2', 'weightDecay', 'lr', 'epochs'];

/**
 * What runs that can share a training step have in common: every field of `config` but the
 * per-run ones and those listed in `ignore`, as canonical JSON (keys sorted), so fields added to
 * the training config later join it by themselves.
 */
export function sharedStepKey(config: object, ignore: readonly string[] = []): string {
  const shared = Object.entries(config)
    .filter(([field]) => !perRunTrainFields.includes(field) && !ignore.includes(field))
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(Object.fromEntries(shared));
}

/**
 * A sweep's runs in the order the sweep dispatches them: grouped by what they must share to
 * train in one batched step (seed, data, architecture, …), groups in the order their first run
 * expands, runs in expansion order within a group. Grid expansion puts the seed innermost, so
 * without this a batching worker's K runs in flight would hold only about K / seeds of one seed.
 */
export function dispatchOrder<T extends RunPlan>(runs: readonly T[]): T[] {
  const groups = new Map<string, T[]>();
  for (const run of runs) {
    const key = sharedStepKey(run, ['runId', 'maxEpochs']);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [run]);
    else group.push(run);
  }
  return [...groups.values()].flat();
}
