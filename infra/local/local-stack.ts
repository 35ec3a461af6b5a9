import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { redactUrl, type RegsweepConfig } from '../../config';
import { startDevServer, stopChild } from '../temporal/dev-server';
import { locateTemporalCli } from '../temporal/temporal-cli';
import { startEmbeddedPostgres } from '../postgres/embedded';
import { trainingWorkerEnv } from './training-threads';

export interface LocalStackOptions {
  trainWorkers: number;
  /** Skip the Temporal Web UI (tests). */
  headless?: boolean;
  /** Extra environment for the worker processes (e.g. REGSWEEP_BACKEND). */
  workerEnv?: Record<string, string>;
  log: (line: string) => void;
}

export interface LocalStack {
  temporalAddress: string;
  uiUrl: string | null;
  databaseUrl: string;
  workers: ChildProcess[];
  stop(): Promise<void>;
}

/** Where `regsweep dev` records the addresses it started, so other commands find them. */
export const stackFile = (home: string): string => path.join(home, 'stack.json');

const cliEntry = fileURLToPath(new URL('../../bin/regsweep.mjs', import.meta.url));

/** Starts one `regsweep worker` child process and resolves once it reports ready. */
export function spawnWorker(args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cliEntry, 'worker', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const errors: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (l) => {
      errors.push(l);
      log(`[worker ${child.pid}] ${l}`);
    });
    lines.on('line', (l) => {
      // The ready line names the engine and its threads, worth seeing when workers start.
      log(`[worker ${child.pid}] ${l}`);
      if (/ ready$/.test(l)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker ${args.join(' ')} exited with code ${code}: ${errors.slice(-3).join(' | ')}`)));
  });
}

/**
 * The whole stack on one machine: Postgres (embedded unless DATABASE_URL), the Temporal
 * dev server (unless TEMPORAL_ADDRESS), one orchestration worker and N training workers,
 * which share the machine's cores (see training-threads.ts).
 */
export async function startLocalStack(config: Readonly<RegsweepConfig>, options: LocalStackOptions): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
    rmSync(stackFile(config.home), { force: true });
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(config.home, config.postgresPort);
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    let temporalAddress = config.temporalAddress;
    let uiUrl: string | null = null;
    if (!temporalAddress) {
      const server = await startDevServer({
        cliPath: locateTemporalCli(config.temporalCliPath),
        home: config.home,
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        headless: options.headless,
        namespace: config.temporalNamespace,
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }
    const env = trainingWorkerEnv({ ...process.env, ...options.workerEnv, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress }, options.trainWorkers);
    const workers: ChildProcess[] = [];
    // The orchestrator migrates the database first, so training workers start on a ready schema.
    workers.push(await spawnWorker(['--role', 'orchestrate'], env, options.log));
    stops.push(() => stopChild(workers[0]!, 15_000));
    const trainers = await Promise.all(Array.from({ length: options.trainWorkers }, () => spawnWorker(['--role', 'train'], env, options.log)));
    for (const t of trainers) {
      workers.push(t);
      stops.push(() => stopChild(t, 15_000));
    }
    mkdirSync(config.home, { recursive: true });
    writeFileSync(stackFile(config.home), JSON.stringify({ temporalAddress, databaseUrl, uiUrl, pid: process.pid }, null, 2));
    options.log(`stack up: temporal=${temporalAddress} database=${redactUrl(databaseUrl)}`);
    return { temporalAddress, uiUrl, databaseUrl, workers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
