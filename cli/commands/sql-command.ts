import type { Command } from 'commander';
import pg from 'pg';
import { readerRole, readerSessionProblem } from '../../db/read-only-session';
import { UsageError } from '../cli-errors';
import { withDatabase, type CommandContext } from '../command-context';
import { parseFormat, renderRows, type OutputFormat } from '../table-output';

// pg's types omit queryMode, which pg 8.11+ honours.
type ExtendedArrayQuery = pg.QueryArrayConfig & { queryMode: 'extended' };

/** Names each column once: `select a.*, b.*` often repeats names like sweep_id. */
function uniqueColumnNames(fields: readonly pg.FieldDef[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((f) => {
    const count = (seen.get(f.name) ?? 0) + 1;
    seen.set(f.name, count);
    return count === 1 ? f.name : `${f.name}_${count}`;
  });
}

/**
 * Runs one SQL statement as {@link readerRole} in a read-only transaction that is always
 * rolled back, and returns its rows. The connection's login must not be a superuser nor hold
 * server-access powers (see {@link readerSessionProblem}); a writer or owner login is lowered
 * to the reader's rights. Refusals, statements that return no rows, and errors Postgres
 * reports (syntax, unknown column, an attempted write) become {@link UsageError}s.
 */
export async function queryReadOnly(pool: pg.Pool, text: string): Promise<Record<string, unknown>[]> {
  if (text.trim() === '') throw new UsageError('the query is empty');
  const client = await pool.connect();
  try {
    const problem = await readerSessionProblem(client);
    if (problem) throw new UsageError(problem);
    await client.query('begin read only');
    await client.query(`set local role ${readerRole}`);
    // The extended protocol accepts exactly one statement, so "commit; delete from runs"
    // cannot end the read-only transaction and then write.
    const query: ExtendedArrayQuery = { text, rowMode: 'array', queryMode: 'extended' };
    const result = await client.query(query);
    // A statement without a row description (SET, RESET, DO, COMMIT, COPY … TO STDOUT) is not
    // a query; Postgres has run it by now, but only inside this rolled-back read-only transaction
    // on a connection that is closed below, so saying so is all that is left to do.
    if (result.fields.length === 0 && result.command !== 'SELECT') {
      throw new UsageError(
        `regsweep sql runs one query that returns rows (select, with, values, table, show, explain); ${result.command ?? 'this statement'} is not one`,
      );
    }
    const columns = uniqueColumnNames(result.fields);
    return result.rows.map((values: unknown[]) => Object.fromEntries(columns.map((c, i) => [c, values[i]])));
  } catch (err) {
    if (err instanceof pg.DatabaseError) throw new UsageError(err.message);
    throw err;
  } finally {
    await client.query('rollback').catch(() => undefined);
    // Close the connection instead of pooling it: a failed rollback would leave it inside the
    // transaction, a statement may have changed session settings, and an idle pooled client
    // keeps the CLI process alive until the pool's idle timeout, because DatabaseHandle.close()
    // ends the pool only after Kysely has used it.
    client.release(true);
  }
}

export async function printQuery(ctx: CommandContext, text: string, format: OutputFormat): Promise<void> {
  const rows = await withDatabase(ctx, 'reader', ({ pool }) => queryReadOnly(pool, text));
  ctx.out(renderRows(rows, format));
}

export function registerSqlCommand(program: Command, ctx: CommandContext): void {
  program
    .command('sql')
    .description('run one read-only SQL statement against the results database (see docs/sql.md)')
    .argument('<query>', 'one SQL statement, e.g. "select * from config_summary"')
    .option('--format <format>', 'table, json or csv', 'table')
    .action(async (query: string, opts: { format: string }) => printQuery(ctx, query, parseFormat(opts.format)));
}
