import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { RegsweepConfig } from '../../config';
import { temporalTls, tlsHandshakeProblem, type TemporalTls } from './temporal-tls';

type TemporalSettings = Pick<RegsweepConfig, 'temporalNamespace' | 'temporalTlsCert' | 'temporalTlsKey' | 'temporalApiKey'>;

/**
 * Temporal did not answer before the deadline. One line naming the address and the setting to
 * change, instead of a gRPC stack trace; over TLS it names the variable that turned TLS on.
 */
export class TemporalUnreachableError extends Error {
  constructor(address: string, cause: unknown, tls: { enabledBy: string; problem: string | null } | null = null) {
    const why = tls?.problem ?? (cause as Error)?.message ?? String(cause);
    super(
      tls
        ? `cannot reach Temporal at ${address} over TLS, which ${tls.enabledBy} turns on (${why}); point TEMPORAL_ADDRESS at a TLS endpoint, or unset ${tls.enabledBy} for a server without TLS such as \`regsweep dev\`'s`
        : `cannot reach Temporal at ${address} (${why}); start it with \`regsweep dev\` or set TEMPORAL_ADDRESS`,
    );
    this.name = 'TemporalUnreachableError';
  }
}

async function withRetry<T>(address: string, settings: TemporalTls, attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) {
        if (!settings.enabledBy) throw new TemporalUnreachableError(address, err);
        throw new TemporalUnreachableError(address, err, { enabledBy: settings.enabledBy, problem: await tlsHandshakeProblem(address, settings) });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function connectClient(address: string, config: TemporalSettings, timeoutMs = 10_000): Promise<Client> {
  const settings = temporalTls(config);
  const connection = await withRetry(
    address,
    settings,
    () => Connection.connect({ address, tls: settings.tls, apiKey: config.temporalApiKey ?? undefined, connectTimeout: '5s' }),
    timeoutMs,
  );
  return new Client({ connection, namespace: config.temporalNamespace });
}

export async function connectWorker(address: string, config: TemporalSettings, timeoutMs = 10_000): Promise<NativeConnection> {
  const settings = temporalTls(config);
  return withRetry(address, settings, () => NativeConnection.connect({ address, tls: settings.tls, apiKey: config.temporalApiKey ?? undefined }), timeoutMs);
}
