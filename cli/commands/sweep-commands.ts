import type { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { expandRuns, epochBudget } from '../../domain/grid-expansion';
import type { RunPlan } from '../../domain/run-identity';
import type { SweepSpec } from '../../domain/sweep-spec';
import { countTrials } from '../../domain/spec-validation';
import { completedRunIds } from '../../db/run-repository';
import { countSweepRuns, findSweep } from '../../db/sweep-repository';
import { findReplicateSweep, listReplicateComparisons } from '../../db/replicate-repository';
import { replicateStatusLines } from '../replicate-lines';
import { progressQuery } from '../../workflows/sweep-messages';
import { UsageError } from '../cli-errors';
import { temporalClient, withDatabase, type CommandContext } from '../command-context';
import { loadSpecFile } from '../spec-file';
import { followSweep, startOrAttach } from '../sweep-client';
import { printResults } from './results-command';
import { sweepWorkflowType } from '../../workflows/workflow-types';

function notFound(id: string): UsageError {
  return new UsageError(`no sweep with id ${JSON.stringify(id)}; list sweeps with: temporal workflow list -q 'WorkflowType="${sweepWorkflowType}"'`);
}

/** `regsweep plan` for one spec: its trials, runs and epochs, adaptive rounds, and what the database already holds. */
async function planOne(ctx: CommandContext, spec: SweepSpec, runs: RunPlan[]): Promise<void> {
  const budget = epochBudget(spec);
  ctx.out(`sweep ${spec.name}: ${countTrials(spec)} trials, ${runs.length} runs, each trained to epoch ${Math.max(...spec.grid.epochs)}`);
  ctx.out(`epochs to train: ${budget.trained} (training every trial separately would take ${budget.naive})`);
  if (spec.replicate) {
    const r = spec.replicate;
    const configs = runs.length / spec.seeds.length;
    ctx.out(
      `adaptive seeds: these are the first seeds; rounds add seeds where comparisons are open, up to ${r.maxSeeds} per configuration ` +
        `and ${r.maxRuns} runs in all (${configs * r.maxSeeds} with ${r.maxSeeds} seeds everywhere)`,
    );
  }
  try {
    const existing = await withDatabase(ctx, 'reader', (h) =>
      completedRunIds(
        h.db,
        runs.map((r) => r.runId),
      ),
    );
    ctx.out(`already in the database: ${existing.size} of ${runs.length} runs (they will not train again); to train: ${runs.length - existing.size}`);
    for (const r of runs.filter((x) => existing.has(x.runId)).slice(0, 20))
      ctx.out(`  exists ${r.runId} dropout1=${r.dropout1} dropout2=${r.dropout2} weightDecay=${r.weightDecay} seed=${r.seed}`);
  } catch (err) {
    ctx.out(`existing runs unknown: ${(err as Error).message}`);
  }
}

export function registerSweepCommands(program: Command, ctx: CommandContext): void {
  program
    .command('plan')
    .description('show what specs will train before anything starts; several specs share the runs they have in common')
    .argument('<specs...>', 'sweep spec JSON files')
    .action(async (files: string[]) => {
      // Every spec is validated before anything is printed, so a bad one is the only line.
      const specs = files.map((file) => {
        try {
          return loadSpecFile(file, ctx.config.maxTrials).spec;
        } catch (err) {
          // With several files, the line says which one is wrong.
          if (files.length > 1 && err instanceof Error) throw new UsageError(`${file}: ${err.message}`);
          throw err;
        }
      });
      const together = new Map<string, number>();
      for (const spec of specs) {
        const runs = expandRuns(spec);
        for (const r of runs) together.set(r.runId, Math.max(together.get(r.runId) ?? 0, r.maxEpochs));
        await planOne(ctx, spec, runs);
      }
      if (specs.length > 1) {
        const epochs = [...together.values()].reduce((a, b) => a + b, 0);
        ctx.out(`together: ${together.size} distinct runs and ${epochs} epochs to train (a run two specs share trains once, to the larger epochs)`);
      }
    });

  program
    .command('run')
    .description('start a sweep (or attach to it if it is running) and follow it to the end')
    .argument('<spec>', 'sweep spec JSON file')
    .option('--id <id>', 'sweep id (the workflow id); default: the spec name')
    .option('--detach', 'start and return at once')
    .action(async (file: string, opts: { id?: string; detach?: boolean }) => {
      const { spec, raw } = loadSpecFile(file, ctx.config.maxTrials);
      const id = opts.id ?? spec.name;
      const client = await temporalClient(ctx);
      try {
        const handle = await startOrAttach(client, id, ctx.config.taskQueue, raw, { maxTrials: ctx.config.maxTrials }, ctx.err);
        ctx.err(`sweep ${id} started on task queue ${ctx.config.taskQueue}`);
        if (opts.detach) return;
        const summary = await followSweep(handle, { interactive: Boolean(process.stderr.isTTY), log: ctx.err });
        ctx.out(JSON.stringify(summary));
        await printResults(ctx, id, 'table');
      } finally {
        await client.connection.close();
      }
    });

  program
    .command('status')
    .description("a sweep's state: workflow status, progress and run counts")
    .argument('<id>', 'sweep id')
    .action(async (id: string) => {
      const client = await temporalClient(ctx);
      try {
        const handle = client.workflow.getHandle(id);
        const info = await handle.describe().catch((err) => {
          throw err instanceof WorkflowNotFoundError ? notFound(id) : err;
        });
        ctx.out(`sweep ${id}: ${info.status.name} (started ${info.startTime.toISOString()})`);
        if (info.status.name === 'RUNNING') {
          const p = await handle.query(progressQuery);
          ctx.out(`progress: ${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed${p.paused ? ', paused' : ''}`);
        }
      } finally {
        await client.connection.close();
      }
      await withDatabase(ctx, 'reader', async (h) => {
        if (!(await findSweep(h.db, id))) return;
        const c = await countSweepRuns(h.db, id);
        ctx.out(`runs in the database: ${c.completed} completed, ${c.running} running, ${c.pending} pending, ${c.failed} failed, ${c.cancelled} cancelled`);
        // Adaptive-seed sweeps: where each comparison stands after the latest decision.
        const replicate = await findReplicateSweep(h.db, id);
        if (replicate) for (const line of replicateStatusLines(replicate, await listReplicateComparisons(h.db, id))) ctx.out(line);
      }).catch((err: Error) => ctx.err(`database not consulted: ${err.message}`));
    });

  program
    .command('cancel')
    .description('cancel a sweep; in-flight runs stop at their next minibatch and keep their checkpoints')
    .argument('<id>', 'sweep id')
    .action(async (id: string) => {
      const client = await temporalClient(ctx);
      try {
        await client.workflow
          .getHandle(id)
          .cancel()
          .catch((err) => {
            throw err instanceof WorkflowNotFoundError ? notFound(id) : err;
          });
        ctx.out(`cancellation requested for sweep ${id}`);
      } finally {
        await client.connection.close();
      }
    });
}
