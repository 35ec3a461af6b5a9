import { Option, type Command } from 'commander';
import { redactUrl } from '../../config';
import { startLocalStack } from '../../infra/local/local-stack';
import { runWorker, type WorkerRole } from '../../workers/run-worker';
import { spawnWorker } from '../../infra/local/local-stack';
import { stopChild } from '../../infra/local/stop-child';
import { UsageError } from '../cli-errors';
import { integerOption } from '../integer-option';
import type { CommandContext } from '../command-context';
import { discoverStack } from '../stack-discovery';
import { sweepTaskQueue, trainTaskQueue } from '../../workflows/task-queues';

/** Resolves when the process is asked to stop. */
export const untilSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

export function registerStackCommands(program: Command, ctx: CommandContext): void {
  program
    .command('dev')
    .description('run the whole stack in the foreground: Postgres, the Temporal dev server and UI, and workers')
    .option('--train-workers <n>', 'training worker processes (0: run your own)', integerOption('--train-workers', 0), 1)
    .action(async (opts: { trainWorkers: number }) => {
      const stack = await startLocalStack(ctx.config, { trainWorkers: opts.trainWorkers, log: ctx.err });
      // The reader's address, password masked: `regsweep db url` prints working URLs for each login.
      ctx.out(`READY temporal=${stack.temporalAddress} ui=${stack.uiUrl ?? 'none'} database=${redactUrl(stack.readerDatabaseUrl)}`);
      const signal = await untilSignal();
      ctx.err(`${signal}: stopping the stack`);
      await stack.stop();
    });

  program
    .command('worker')
    .description('poll Temporal for work: orchestration (workflows), training (runs), or both')
    .addOption(new Option('--role <role>', 'what this worker does').choices(['orchestrate', 'train', 'all']).default('all'))
    .option('--task-queue <queue>', `task queue to poll (default: REGSWEEP_TASK_QUEUE or ${sweepTaskQueue} for orchestration, ${trainTaskQueue} for training)`)
    .option('--concurrency <n>', 'runs trained at once by this process', integerOption('--concurrency', 0), 1)
    .option('--backend <backend>', 'auto, native, wasm, cpu, tensorflow or tensorflow-gpu (default: REGSWEEP_BACKEND or auto)')
    .option('--shutdown-grace <seconds>', 'after SIGTERM, seconds before in-flight runs are cancelled', integerOption('--shutdown-grace', 0), 10)
    .action(async (opts: { role: WorkerRole | 'all'; taskQueue?: string; concurrency: number; backend?: string; shutdownGrace: number }) => {
      const stack = discoverStack(ctx.config);
      if (!stack.databaseUrls) throw new UsageError('workers need a database: set DATABASE_URL (or start the local stack with `regsweep dev`)');
      const base = {
        temporalAddress: stack.temporalAddress,
        databaseUrl: stack.databaseUrls.writer,
        concurrency: Math.max(1, opts.concurrency),
        backend: opts.backend ?? ctx.config.backend,
        shutdownGraceSeconds: opts.shutdownGrace,
        log: ctx.out,
      };
      // The queue specs send trainRun to unless they name another (orchestration.trainTaskQueue);
      // it does not follow REGSWEEP_TASK_QUEUE, since the workflow cannot read this worker's environment.
      const trainQueue = opts.taskQueue ?? trainTaskQueue;
      if (opts.role !== 'all') {
        await runWorker({ ...base, role: opts.role, taskQueue: opts.role === 'train' ? trainQueue : (opts.taskQueue ?? ctx.config.taskQueue) }, ctx.config);
        return;
      }
      // Training gets its own process: tfjs blocks the event loop between awaits, and a
      // workflow worker sharing that loop would miss its task deadlines.
      const trainer = await spawnWorker(['--role', 'train', '--task-queue', trainQueue, '--concurrency', String(base.concurrency), '--backend', base.backend], process.env, ctx.err);
      try {
        await runWorker({ ...base, role: 'orchestrate', taskQueue: ctx.config.taskQueue }, ctx.config);
      } finally {
        await stopChild(trainer, (opts.shutdownGrace + 5) * 1000);
      }
    });
}
