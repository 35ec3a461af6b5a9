import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from '../local/free-port';
import { stopChild } from '../local/stop-child';
import { sweepSearchAttributes } from './search-attributes';

export interface DevServerOptions {
  cliPath: string;
  /** Folder for the persistent history db and the server log. */
  home: string;
  /** 0 = pick a free port. */
  port: number;
  uiPort: number;
  /** Tests skip the Web UI to start faster. */
  headless?: boolean;
  namespace?: string;
  /** Server dynamic config, e.g. a small `limit.historyCount.suggestContinueAsNew` to exercise continue-as-new in tests. */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  dbFile: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with a persistent history file (so a restart keeps
 * every sweep) and regsweep's search attributes registered, and waits until it listens.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.home, { recursive: true });
  const port = options.port || (await freePort());
  const uiPort = options.uiPort || (await freePort());
  const dbFile = path.join(options.home, 'temporal.db');
  const logFile = path.join(options.home, 'temporal.log');
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--db-filename', dbFile,
    '--namespace', options.namespace ?? 'default',
    ...Object.entries(sweepSearchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
    ...(options.headless ? ['--headless'] : ['--ui-port', String(uiPort)]),
  ];
  const log = openSync(logFile, 'a');
  const child = spawn(options.cliPath, args, { stdio: ['ignore', log, log] });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`the Temporal dev server exited with code ${code} before it was ready; see ${logFile}`)));
    child.once('error', (err) => reject(new Error(`could not start ${options.cliPath}: ${err.message}`)));
  });
  exited.catch(() => undefined);
  await Promise.race([waitForPort('127.0.0.1', port, 60_000, 'the Temporal dev server'), exited]);
  // The frontend accepts connections before the namespace exists; the caller's client retries briefly.
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: options.headless ? null : `http://127.0.0.1:${uiPort}`,
    dbFile,
    logFile,
    process: child,
    stop: () => stopChild(child, 10_000),
  };
}
