import path from 'node:path';
import type { Command } from 'commander';
import { findSweep } from '../../db/sweep-repository';
import { writeReport } from '../../report/write-report';
import { UsageError } from '../cli-errors';
import { withDatabase, type CommandContext } from '../command-context';

/** Writes the sweep's HTML report and prints where it is. */
export async function runReportCommand(ctx: CommandContext, id: string, out: string): Promise<void> {
  const file = await withDatabase(ctx, 'reader', async ({ db }) => {
    if (!(await findSweep(db, id))) throw new UsageError(`no sweep with id ${JSON.stringify(id)} in the database`);
    return writeReport(db, id, out);
  });
  ctx.out(`wrote ${path.relative(process.cwd(), file) || file}`);
}

export function registerReportCommand(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description("write a sweep's results as one self-contained HTML file (charts included; opens without network)")
    .argument('<id>', 'sweep id')
    .option('--out <file>', 'HTML file to write', 'report.html')
    .action(async (id: string, opts: { out: string }) => runReportCommand(ctx, id, opts.out));
}
