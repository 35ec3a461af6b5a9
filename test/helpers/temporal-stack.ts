import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../config';
import { spawnWorker } from '../../infra/local/local-stack';
import { startDevServer, type DevServer } from '../../infra/temporal/dev-server';
import { stopChild } from '../../infra/local/stop-child';
import { locateTemporalCli } from '../../infra/temporal/temporal-cli';
import { connectClient } from '../../infra/temporal/connect';

export interface TestStack {
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

/**
 * A real Temporal dev server (headless, free ports, its own db file) plus worker
 * processes for the given roles, all pointed at `databaseUrl`.
 */
export interface TestStackOptions {
  env?: Record<string, string>;
  dynamicConfig?: Record<string, string | number | boolean>;
}

export async function startTestStack(databaseUrl: string, roles: ('orchestrate' | 'train')[], options: TestStackOptions = {}): Promise<TestStack> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-test-'));
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
