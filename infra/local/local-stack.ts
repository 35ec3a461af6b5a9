import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { redactUrl, type RegsweepConfig } from '../../config';
import { startDevServer } from '../temporal/dev-server';
import { stopChild } from './stop-child';
import { locateTemporalCli } from '../temporal/temporal-cli';
import { startEmbeddedPostgres } from '../postgres/embedded';
import { assertPortFree } from './free-port';
import { ensurePrivateHome, localDatabaseUrl as localUrl, type LocalDatabaseAddress } from './local-credentials';
import { LocalPartError } from './local-part-error';
import { lockStackHome } from './stack-lock';
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
  /** The admin URL: DATABASE_URL, or the embedded cluster's superuser login. */
  databaseUrl: string;
  /** What the workers log in with: the embedded cluster's writer login, or DATABASE_URL. */
  workerDatabaseUrl: string;
  /** What read-only commands use: the embedded cluster's reader login, or REGSWEEP_READER_URL / DATABASE_URL. */
  readerDatabaseUrl: string;
  workers: ChildProcess[];
  stop(): Promise<void>;
}

/**
 * Where `regsweep dev` records the addresses it started (never passwords: those stay in
 * credentials.json), so other commands find them.
 */
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
    const what = `a ${args[1] ?? ''} worker`.replace('  ', ' ');
    child.once('error', (err) => reject(new LocalPartError(what, err.message, 'check the Node installation')));
    child.once('exit', (code) =>
      reject(new LocalPartError(what, `it exited with code ${code}${errors.length ? ` (${errors.slice(-1)[0]!.replace(/^regsweep: /, '')})` : ''}`, 'run `regsweep worker --role ' + (args[1] ?? 'all') + '` alone to see why')),
    );
  });
}

/**
 * The whole stack on one machine: Postgres (embedded unless DATABASE_URL), the Temporal
 * dev server (unless TEMPORAL_ADDRESS), one orchestration worker and N training workers,
 * which share the machine's cores (see training-threads.ts).
 */
export async function startLocalStack(config: Readonly<RegsweepConfig>, options: LocalStackOptions): Promise<LocalStack> {
  ensurePrivateHome(config.home);
  const unlock = lockStackHome(config.home);
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    rmSync(stackFile(config.home), { force: true });
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
    unlock();
  };
  try {
    let databaseUrl = config.databaseUrl;
    let workerDatabaseUrl = config.databaseUrl;
    let readerDatabaseUrl = config.readerUrl ?? config.databaseUrl;
    let database: LocalDatabaseAddress | undefined;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(config.home, config.postgresPort);
      stops.push(pg.stop);
      databaseUrl = pg.url;
      database = pg.address;
      workerDatabaseUrl = localUrl(pg.address, pg.credentials.writer);
      readerDatabaseUrl = localUrl(pg.address, pg.credentials.reader);
    }
    let temporalAddress = config.temporalAddress;
    let uiUrl: string | null = null;
    if (!temporalAddress) {
      if (config.temporalPort !== 0) await assertPortFree(config.temporalPort, 'the Temporal dev server', 'REGSWEEP_TEMPORAL_PORT');
      if (!options.headless && config.temporalUiPort !== 0) await assertPortFree(config.temporalUiPort, 'the Temporal Web UI', 'REGSWEEP_TEMPORAL_UI_PORT');
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
    const env = trainingWorkerEnv({ ...process.env, ...options.workerEnv, DATABASE_URL: workerDatabaseUrl!, TEMPORAL_ADDRESS: temporalAddress }, options.trainWorkers);
    const workers: ChildProcess[] = [];
    // The orchestrator starts first: with DATABASE_URL it migrates, so training workers start on a
    // ready schema (the embedded cluster was migrated by its admin already).
    workers.push(await spawnWorker(['--role', 'orchestrate'], env, options.log));
    stops.push(() => stopChild(workers[0]!, 15_000));
    const trainers = await Promise.all(Array.from({ length: options.trainWorkers }, () => spawnWorker(['--role', 'train'], env, options.log)));
    for (const t of trainers) {
      workers.push(t);
      stops.push(() => stopChild(t, 15_000));
    }
    writeFileSync(stackFile(config.home), JSON.stringify({ temporalAddress, database, uiUrl, pid: process.pid }, null, 2), { mode: 0o600 });
    options.log(`stack up: temporal=${temporalAddress} database=${redactUrl(databaseUrl)}`);
    return { temporalAddress, uiUrl, databaseUrl, workerDatabaseUrl: workerDatabaseUrl!, readerDatabaseUrl: readerDatabaseUrl!, workers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
