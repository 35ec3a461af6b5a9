import type { Client } from '@temporalio/client';
import { startLocalStack, type LocalStack } from '../infra/local/local-stack';
import { connectClient } from '../infra/temporal/connect';
import type { CommandContext } from './command-context';

/**
 * Brings the local stack up with `trainWorkers` training workers, runs `body` with it and a
 * Temporal client, and shuts everything down afterwards, on failure too; Ctrl-C stops the
 * stack before exiting with 130, so no worker or server outlives the command.
 */
export async function withLocalStack<T>(ctx: CommandContext, trainWorkers: number, body: (stack: LocalStack, client: Client) => Promise<T>): Promise<T> {
  const stack = await startLocalStack(ctx.config, { trainWorkers, log: ctx.err });
  const stopping = () => void stack.stop().then(() => process.exit(130));
  process.once('SIGINT', stopping);
  process.once('SIGTERM', stopping);
  try {
    const client = await connectClient(stack.temporalAddress, ctx.config);
    try {
      return await body(stack, client);
    } finally {
      await client.connection.close();
    }
  } finally {
    process.off('SIGINT', stopping);
    process.off('SIGTERM', stopping);
    await stack.stop();
  }
}
