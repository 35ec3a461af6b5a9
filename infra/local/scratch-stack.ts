import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../config';
import { spawnWorker } from './local-stack';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { stopChild } from './stop-child';
import { locateTemporalCli } from '../temporal/temporal-cli';
import { connectClient } from '../temporal/connect';

/** A running {@link startScratchStack}; `stop()` shuts every part down and removes its files. */
export interface ScratchStack {
  server: DevServer;
  client: Client;
  cliPath: string;
  home: string;
  workers: ChildProcess[];
  env: NodeJS.ProcessEnv;
  /** Starts another worker process against this stack. */
  addWorker(args: string[]): Promise<ChildProcess>;
  /** Stops the dev server, waits `downMs`, and starts it again on the same port and history file. */
  restartServer(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ScratchStackOptions {
  /** Extra environment for the worker processes. */
  env?: Record<string, string>;
  /** Dynamic config values the dev server starts with. */
  dynamicConfig?: Record<string, string | number | boolean>;
}

/**
 * A real Temporal dev server (headless, free ports, its own db file in a temporary home) plus
 * worker processes for the given roles, all pointed at `databaseUrl`: what tests and the
 * orchestration benchmarks run sweeps against.
 */
export async function startScratchStack(databaseUrl: string, roles: ('orchestrate' | 'train')[], options: ScratchStackOptions = {}): Promise<ScratchStack> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-scratch-'));
  const cliPath = locateTemporalCli(loadConfig().temporalCliPath);
  let server = await startDevServer({ cliPath, home, port: 0, uiPort: 0, headless: true, dynamicConfig: options.dynamicConfig });
  const env = { ...process.env, ...options.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: server.address, REGSWEEP_HOME: home };
  const workers: ChildProcess[] = [];
  const noisy = process.env.REGSWEEP_TEST_VERBOSE ? (l: string) => process.stderr.write(`${l}\n`) : () => undefined;
  const addWorker = async (args: string[]) => {
    const w = await spawnWorker(args, env, noisy);
    workers.push(w);
    return w;
  };
  try {
    for (const role of roles) await addWorker(['--role', role]);
    const client = await connectClient(server.address, loadConfig(env), 30_000);
    const restartServer = async (downMs: number) => {
      const port = Number(server.address.split(':').pop());
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      server = await startDevServer({ cliPath, home, port, uiPort: 0, headless: true, dynamicConfig: options.dynamicConfig });
    };
    return {
      get server() {
        return server;
      },
      restartServer,
      client,
      cliPath,
      home,
      workers,
      env,
      addWorker,
      stop: async () => {
        await client.connection.close();
        await Promise.all(workers.map((w) => stopChild(w, 10_000)));
        await server.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(workers.map((w) => stopChild(w, 5_000)));
    await server.stop();
    throw err;
  }
}
