import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config';
import { exitCodeFor } from './cli-errors';
import type { CommandContext } from './command-context';
import { registerDashboardsCommand } from './commands/dashboards-command';
import { registerDbCommands } from './commands/db-commands';
import { registerFindingsCommands } from './commands/findings-command';
import { registerQuickstartCommand } from './commands/quickstart-command';
import { registerReportCommand } from './commands/report-command';
import { registerResultsCommand } from './commands/results-command';
import { registerSqlCommand } from './commands/sql-command';
import { registerStackCommands } from './commands/stack-commands';
import { registerSweepCommands } from './commands/sweep-commands';
import { registerTrainCommand } from './commands/train-command';

const verbose = process.argv.includes('--verbose');
const ctx: CommandContext = {
  config: undefined as never,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`regsweep: ${verbose && err instanceof Error ? err.stack : message.split('\n')[0]}\n`);
  process.exit(exitCodeFor(err));
}

// A failure outside the command's own promise chain (an 'error' event of a child process or
// socket nobody listened to) still ends in one line, never in Node's stack trace.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

async function main(): Promise<void> {
  const program = new Command('regsweep')
    .description('Sweeps of dropout and weight decay for the d2l MLP on Fashion-MNIST, on Temporal and Postgres')
    .option('--verbose', 'print stack traces on errors')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    ctx.config = loadConfig();
  } catch (err) {
    fail(err);
  }
  registerStackCommands(program, ctx);
  registerSweepCommands(program, ctx);
  registerResultsCommand(program, ctx);
  registerSqlCommand(program, ctx);
  registerTrainCommand(program, ctx);
  registerDbCommands(program, ctx);
  registerQuickstartCommand(program, ctx);
  registerDashboardsCommand(program, ctx);
  registerReportCommand(program, ctx);
  registerFindingsCommands(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed usage problems; --help and --version are not failures.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    fail(err);
  }
}

await main();
