import type { Command } from 'commander';
import { migrateToLatest } from '../../infra/postgres/migrate';
import { withDatabase, type CommandContext } from '../command-context';

export function registerDbCommands(program: Command, ctx: CommandContext): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending schema migrations (workers also do this at start)')
    .action(async () => {
      const applied = await withDatabase(ctx, 'admin', (h) => migrateToLatest(h.db));
      ctx.out(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    });
}
