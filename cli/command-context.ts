import type { Client } from '@temporalio/client';
import type { RegsweepConfig } from '../config';
import { assertDatabaseReachable, openDatabase, type DatabaseHandle } from '../db/connect';
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

export function databaseFor(ctx: CommandContext): DatabaseHandle {
  const url = discoverStack(ctx.config).databaseUrl;
  if (!url) throw new UsageError('no database configured: set DATABASE_URL, or start the local stack with `regsweep dev`');
  return openDatabase(url, { max: 2, applicationName: 'regsweep-cli' });
}

/** Runs `body` with a database handle that is closed afterwards whatever happens. */
export async function withDatabase<T>(ctx: CommandContext, body: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = databaseFor(ctx);
  try {
    await assertDatabaseReachable(handle, discoverStack(ctx.config).databaseUrl!);
    return await body(handle);
  } finally {
    await handle.close();
  }
}
