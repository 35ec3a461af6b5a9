import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { openDatabase } from '../../db/connect';
import { writeReport } from '../../report/write-report';
import type { CommandContext } from '../command-context';
import { integerOption } from '../integer-option';
import { withLocalStack } from '../local-stack-session';
import { loadSpecFile } from '../spec-file';
import { followSweep, startOrAttach } from '../sweep-client';
import { printResults } from './results-command';

// Two single-threaded workers train more epochs per second on 2 cores than one with both
// threads (docs/performance.md, "Sweeps"); each gets cores / 2 OpenBLAS threads.
const defaultTrainWorkers = Math.min(2, os.availableParallelism());

const quickstartSpec = fileURLToPath(new URL('../../examples/quickstart.json', import.meta.url));

/** `npm start`: the whole path on local defaults, from an empty machine to a results table. */
export function registerQuickstartCommand(program: Command, ctx: CommandContext): void {
  program
    .command('quickstart')
    .description('bring the local stack up, run examples/quickstart.json, print its results, shut down')
    .option('--spec <file>', 'another spec to run instead', quickstartSpec)
    .option(
      '--train-workers <n>',
      'training worker processes (default: 2 on machines with 2 or more cores)',
      integerOption('--train-workers', 1),
      defaultTrainWorkers,
    )
    .action(async (opts: { spec: string; trainWorkers: number }) => {
      const { spec, raw } = loadSpecFile(opts.spec, ctx.config.maxTrials);
      ctx.err(`starting Postgres, the Temporal dev server and ${opts.trainWorkers} training worker(s)...`);
      await withLocalStack(ctx, opts.trainWorkers, async (stack, client) => {
        const handle = await startOrAttach(client, spec.name, ctx.config.taskQueue, raw, { maxTrials: ctx.config.maxTrials }, ctx.err);
        ctx.err(`sweep ${spec.name}: training on ${path.relative(process.cwd(), opts.spec)}; Temporal UI: ${stack.uiUrl ?? 'disabled'}`);
        const started = performance.now();
        const summary = await followSweep(handle, { interactive: Boolean(process.stderr.isTTY), log: ctx.err });
        const seconds = Math.round((performance.now() - started) / 1000);
        ctx.out(
          `\nsweep ${summary.sweepId}: ${summary.trials} trials, ${summary.runs} runs (${summary.trained} trained, ${summary.reused} reused), ${summary.failed} failed, in ${seconds} s`,
        );
        await printResults(ctx, spec.name, 'table');
        const database = openDatabase(stack.readerDatabaseUrl, { max: 1 });
        try {
          const report = await writeReport(database.db, spec.name, path.join(ctx.config.home, 'reports', `${spec.name}.html`));
          ctx.out(`\nReport (open it in any browser): ${report}`);
        } finally {
          await database.close();
        }
        if (summary.dashboards.length) ctx.out(`Grafana dashboards written to: ${path.dirname(summary.dashboards[0]!)} (see README, "Dashboards and reports")`);
        ctx.out(`\nTemporal UI (while the stack runs): ${stack.uiUrl ?? 'disabled'}/namespaces/${ctx.config.temporalNamespace}/workflows/${spec.name}`);
        ctx.out(`Results in Postgres (while the stack runs): psql "$(regsweep db url)" -c 'select * from config_summary'`);
        ctx.out('Keep the stack running for Grafana and ad-hoc queries with: regsweep dev');
      });
    });
}
