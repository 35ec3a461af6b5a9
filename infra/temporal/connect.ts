import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { RegsweepConfig } from '../../config';

type TemporalSettings = Pick<RegsweepConfig, 'temporalNamespace' | 'temporalTlsCert' | 'temporalTlsKey' | 'temporalApiKey'>;

function tlsOptions(config: TemporalSettings) {
  if (config.temporalTlsCert && config.temporalTlsKey) {
    return { clientCertPair: { crt: readFileSync(config.temporalTlsCert), key: readFileSync(config.temporalTlsKey) } };
  }
  return config.temporalApiKey ? true : undefined;
}

/** One line naming the address and the setting to change, instead of a gRPC stack trace. */
export class TemporalUnreachableError extends Error {
  constructor(address: string, cause: unknown) {
    super(`cannot reach Temporal at ${address} (${(cause as Error)?.message ?? cause}); start it with \`regsweep dev\` or set TEMPORAL_ADDRESS`);
    this.name = 'TemporalUnreachableError';
  }
}

async function withRetry<T>(address: string, attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw new TemporalUnreachableError(address, err);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function connectClient(address: string, config: TemporalSettings, timeoutMs = 10_000): Promise<Client> {
  const connection = await withRetry(
    address,
    () => Connection.connect({ address, tls: tlsOptions(config), apiKey: config.temporalApiKey ?? undefined, connectTimeout: '5s' }),
    timeoutMs,
  );
  return new Client({ connection, namespace: config.temporalNamespace });
}

export async function connectWorker(address: string, config: TemporalSettings, timeoutMs = 10_000): Promise<NativeConnection> {
  return withRetry(address, () => NativeConnection.connect({ address, tls: tlsOptions(config), apiKey: config.temporalApiKey ?? undefined }), timeoutMs);
}
