import { createScratchDatabase } from '../infra/postgres/scratch-database';
import { startScratchStack } from '../infra/local/scratch-stack';
import { openDatabase } from '../db/connect';
import type { SweepSpec } from '../domain/sweep-spec';
import type { SweepSummary } from '../workflows/sweep-state';
import { sweepWorkflowType } from '../workflows/workflow-types';
import { sweepTaskQueue } from '../workflows/task-queues';

/** One sweep of the spec on a fresh stack with `trainWorkers` training processes. */
export interface SweepMeasurement {
  trainWorkers: number;
  /** Environment given to the workers beyond the stack's own (e.g. OPENBLAS_NUM_THREADS). */
  env: Record<string, string>;
  /** The engines the workers recorded for the runs they trained. */
  backends: string[];
  trained: number;
  failed: number;
  /** From starting the sweep workflow to its result; stack start-up excluded. */
  wallSeconds: number;
  runsPerHour: number;
}

async function measureOnce(spec: SweepSpec, trainWorkers: number, env: Record<string, string>): Promise<SweepMeasurement> {
  // A fresh database per measurement: runs are identified by their config, so a second sweep of
  // the same spec in the same database would reuse every run and train nothing.
  const database = await createScratchDatabase('regsweep_bench');
  try {
    const stack = await startScratchStack(database.url, ['orchestrate'], { env });
    try {
      for (let i = 0; i < trainWorkers; i++) await stack.addWorker(['--role', 'train']);
      const name = `${spec.name}-bench-${trainWorkers}w`;
      const started = performance.now();
      const handle = await stack.client.workflow.start(sweepWorkflowType, { workflowId: name, taskQueue: sweepTaskQueue, args: [{ ...spec, name }] });
      const summary = (await handle.result()) as SweepSummary;
      const wallSeconds = (performance.now() - started) / 1000;
      const handleDb = openDatabase(database.url);
      try {
        const rows = await handleDb.db.selectFrom('runs').select('backend').distinct().execute();
        const backends = rows.map((r) => r.backend).filter((b): b is string => b !== null);
        return {
          trainWorkers,
          env,
          backends,
          trained: summary.trained,
          failed: summary.failed,
          wallSeconds,
          runsPerHour: (summary.trained / wallSeconds) * 3600,
        };
      } finally {
        await handleDb.close();
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await database.drop();
  }
}

/**
 * Runs the spec as a real sweep (Temporal dev server, Postgres, worker processes) once per
 * setting, each on a fresh database and stack, and reports runs per hour.
 */
export async function measureSweepThroughput(
  spec: SweepSpec,
  settings: ReadonlyArray<{ trainWorkers: number; env: Record<string, string> }>,
): Promise<SweepMeasurement[]> {
  const results: SweepMeasurement[] = [];
  for (const setting of settings) results.push(await measureOnce(spec, setting.trainWorkers, setting.env));
  return results;
}
