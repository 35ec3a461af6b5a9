import type { Command } from 'commander';
import { sql } from 'kysely';
import { findSweep } from '../../db/sweep-repository';
import { UsageError } from '../cli-errors';
import { withDatabase, type CommandContext } from '../command-context';
import { parseFormat, renderRows, type OutputFormat } from '../table-output';

/** Per grid point, averaged over seeds: what most people want to see first. */
export async function printResults(ctx: CommandContext, id: string, format: OutputFormat): Promise<void> {
  const rows = await withDatabase(ctx, 'reader', async ({ db }) => {
    if (!(await findSweep(db, id))) throw new UsageError(`no sweep with id ${JSON.stringify(id)} in the database`);
    return db
      .selectFrom('trial_results')
      .select(['dropout1', 'dropout2', 'weight_decay', 'epochs'])
      .select([
        sql<number>`count(test_acc)`.as('seeds'),
        sql<number>`round(avg(test_acc)::numeric, 4)`.as('test_acc'),
        sql<number>`round(avg(train_acc_eval)::numeric, 4)`.as('train_acc_eval'),
        sql<number>`round(avg(gap)::numeric, 4)`.as('gap'),
      ])
      .where('sweep_id', '=', id)
      .groupBy(['dropout1', 'dropout2', 'weight_decay', 'epochs'])
      .orderBy('epochs', 'desc')
      .orderBy('test_acc', (ob) => ob.desc().nullsLast())
      .execute();
  });
  ctx.out(renderRows(rows, format));
}

export function registerResultsCommand(program: Command, ctx: CommandContext): void {
  program
    .command('results')
    .description("a sweep's results per grid point, averaged over seeds")
    .argument('<id>', 'sweep id')
    .option('--format <format>', 'table, json or csv', 'table')
    .action(async (id: string, opts: { format: string }) => printResults(ctx, id, parseFormat(opts.format)));
}
