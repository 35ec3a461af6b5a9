import { existsSync, readFileSync } from 'node:fs';
import type { RegsweepConfig } from '../config';
import { stackFile } from '../infra/local/local-stack';

export interface StackAddresses {
  temporalAddress: string;
  databaseUrl: string | null;
}

/**
 * Where commands such as `status` and `results` find the stack: the environment first,
 * then the addresses that a running `regsweep dev` recorded, then Temporal's default port.
 */
export function discoverStack(config: Readonly<RegsweepConfig>): StackAddresses {
  const file = stackFile(config.home);
  const recorded = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<StackAddresses>) : {};
  return {
    temporalAddress: config.temporalAddress ?? recorded.temporalAddress ?? '127.0.0.1:7233',
    databaseUrl: config.databaseUrl ?? recorded.databaseUrl ?? null,
  };
}
