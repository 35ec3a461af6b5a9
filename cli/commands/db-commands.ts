import { Option, type Command } from 'commander';
import { migrateToLatest } from '../../infra/postgres/migrate';
import type { DatabaseRole } from '../../infra/local/local-credentials';
import { databaseUrlFor, withDatabase, type CommandContext } from '../command-context';

export function registerDbCommands(program: Command, ctx: CommandContext): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending schema migrations as the admin login (the local stack does this at start)')
    .action(async () => {
      const applied = await withDatabase(ctx, 'admin', (h) => migrateToLatest(h.db));
      ctx.out(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    });
  db.command('url')
    .description('print a connection URL, password included, for psql and scripts: psql "$(regsweep db url)"')
    .addOption(
      new Option('--role <role>', 'reader: SELECT only; writer: rows only, what workers use; admin: the superuser, for migrations')
        .choices(['reader', 'writer', 'admin'])
        .default('reader'),
    )
    .action((opts: { role: DatabaseRole }) => ctx.out(databaseUrlFor(ctx, opts.role)));
}
