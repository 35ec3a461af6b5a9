import type { Client } from '@temporalio/client';
import type { RegsweepConfig } from '../config';
import { assertDatabaseReachable, openDatabase, type DatabaseHandle } from '../db/connect';
import type { DatabaseRole } from '../infra/local/local-credentials';
import { connectClient } from '../infra/temporal/connect';
import { UsageError } from './cli-errors';
import { discoverStack } from './stack-discovery';

/** What every command gets: the frozen config and where to print. */
export interface CommandContext {
  config: Readonly<RegsweepConfig>;
  out: (line: string) => void;
  err: (line: string) => void;
}

export async function temporalClient(ctx: CommandContext): Promise<Client> {
  return connectClient(discoverStack(ctx.config).temporalAddress, ctx.config, 3000);
}

/** The connection URL a command uses for `role`; commands that only read ask for `reader`. */
export function databaseUrlFor(ctx: CommandContext, role: DatabaseRole): string {
  const urls = discoverStack(ctx.config).databaseUrls;
  if (!urls) throw new UsageError('no database configured: set DATABASE_URL, or start the local stack with `regsweep dev`');
  return urls[role];
}

export function databaseFor(ctx: CommandContext, role: DatabaseRole): DatabaseHandle {
  return openDatabase(databaseUrlFor(ctx, role), { max: 2, applicationName: 'regsweep-cli' });
}

/** Runs `body` with a database handle for `role` that is closed afterwards whatever happens. */
export async function withDatabase<T>(ctx: CommandContext, role: DatabaseRole, body: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const url = databaseUrlFor(ctx, role);
  const handle = openDatabase(url, { max: 2, applicationName: 'regsweep-cli' });
  try {
    await assertDatabaseReachable(handle, url);
    return await body(handle);
  } finally {
    await handle.close();
  }
}
