import path from 'node:path';
import { defaultMaxTrials, largestMaxTrials } from './domain/training-limits';
import { sweepTaskQueue } from './workflows/task-queues';

/**
 * Everything regsweep reads from the environment, read once, validated and frozen.
 * Nothing else reads `process.env`. OpenBLAS reads its own `OPENBLAS_NUM_THREADS` and
 * `OPENBLAS_CORETYPE` when the native addon loads; regsweep only fills them in where unset
 * (native/blas-core.ts, infra/local/training-threads.ts).
 */
export interface RegsweepConfig {
  /** Postgres to use; null = start the embedded one. `DATABASE_URL` */
  databaseUrl: string | null;
  /**
   * A login in `regsweep_reader` for read-only commands (`sql`, `results`, `report`); null = the
   * local stack's reader login, else DATABASE_URL with its role lowered to regsweep_reader
   * (which `regsweep sql` refuses when that login is a superuser or may reach server files).
   * `REGSWEEP_READER_URL`
   */
  readerUrl: string | null;
  /** Existing Temporal frontend (host:port); null = start the dev server. `TEMPORAL_ADDRESS` */
  temporalAddress: string | null;
  /** @default "default" `TEMPORAL_NAMESPACE` */
  temporalNamespace: string;
  /** mTLS client certificate / key files for a remote cluster. `TEMPORAL_TLS_CERT`, `TEMPORAL_TLS_KEY` */
  temporalTlsCert: string | null;
  temporalTlsKey: string | null;
  /** API key for Temporal Cloud style clusters. `TEMPORAL_API_KEY` */
  temporalApiKey: string | null;
  /** The `temporal` CLI binary; null = look on PATH and in Go's bin folder. `TEMPORAL_CLI_PATH` */
  temporalCliPath: string | null;
  /** @default "regsweep" `REGSWEEP_TASK_QUEUE` */
  taskQueue: string;
  /** Training engine: auto (native if its addon loads, else wasm), native, wasm, cpu, webgpu, tensorflow or tensorflow-gpu. @default "auto" `REGSWEEP_BACKEND` */
  backend: string;
  /**
   * K: a training worker takes up to this many runs at once and trains those that share seed,
   * data and architecture together, in one batched step (docs/training.md, "Batched runs"); 1
   * trains each run alone. For GPU engines, which one run cannot keep busy. @default 1 `REGSWEEP_BATCH_RUNS`
   */
  batchRuns: number;
  /** Extra folder searched first for Fashion-MNIST. `REGSWEEP_DATA_DIR` */
  dataDir: string | null;
  /** Where the embedded Postgres and the dev server keep their files. @default "<cwd>/.regsweep" `REGSWEEP_HOME` */
  home: string;
  /** Largest accepted sweep; `regsweep run` passes it to the workflow, which holds the sweep to it. @default 100000 `REGSWEEP_MAX_TRIALS` */
  maxTrials: number;
  /** Fixed dev-server ports (0 = pick free ones). @default 7233 / 8233 `REGSWEEP_TEMPORAL_PORT`, `REGSWEEP_TEMPORAL_UI_PORT` */
  temporalPort: number;
  temporalUiPort: number;
  /** @default 5433 `REGSWEEP_POSTGRES_PORT` (embedded Postgres) */
  postgresPort: number;
  /** Grafana to push dashboards to (`regsweep dashboards --push`, and after every sweep when set). `GRAFANA_URL` */
  grafanaUrl: string | null;
  /** Service-account token for that Grafana (Editor). `GRAFANA_TOKEN` */
  grafanaToken: string | null;
  /** Where sweeps write the dashboard JSON when they finish. @default "<home>/dashboards" `REGSWEEP_DASHBOARDS_DIR` */
  dashboardsDir: string;
}

/** The largest `REGSWEEP_BATCH_RUNS`: a worker holds that many activities, database sessions and stacked runs at once. */
export const maxBatchRuns = 1024;

/** Temporal's own default frontend port, where the dev server listens unless `REGSWEEP_TEMPORAL_PORT` says otherwise. */
export const defaultTemporalPort = 7233;

/** A setting in the environment is malformed; `variable` names it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return n;
}

const text = (env: NodeJS.ProcessEnv, name: string): string | null => {
  const v = env[name]?.trim();
  return v ? v : null;
};

function postgresUrl(env: NodeJS.ProcessEnv, name: string): string | null {
  const url = text(env, name);
  if (url !== null && !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(name, `${name} must start with postgres:// or postgresql://, got ${JSON.stringify(url.split('@').pop())}`);
  }
  return url;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<RegsweepConfig> {
  const databaseUrl = postgresUrl(env, 'DATABASE_URL');
  const readerUrl = postgresUrl(env, 'REGSWEEP_READER_URL');
  const home = path.resolve(cwd, text(env, 'REGSWEEP_HOME') ?? '.regsweep');
  return Object.freeze({
    databaseUrl,
    readerUrl,
    temporalAddress: text(env, 'TEMPORAL_ADDRESS'),
    temporalNamespace: text(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    temporalTlsCert: text(env, 'TEMPORAL_TLS_CERT'),
    temporalTlsKey: text(env, 'TEMPORAL_TLS_KEY'),
    temporalApiKey: text(env, 'TEMPORAL_API_KEY'),
    temporalCliPath: text(env, 'TEMPORAL_CLI_PATH'),
    taskQueue: text(env, 'REGSWEEP_TASK_QUEUE') ?? sweepTaskQueue,
    backend: text(env, 'REGSWEEP_BACKEND') ?? 'auto',
    batchRuns: integer(env, 'REGSWEEP_BATCH_RUNS', 1, 1, maxBatchRuns),
    dataDir: text(env, 'REGSWEEP_DATA_DIR'),
    home,
    maxTrials: integer(env, 'REGSWEEP_MAX_TRIALS', defaultMaxTrials, 1, largestMaxTrials),
    temporalPort: integer(env, 'REGSWEEP_TEMPORAL_PORT', defaultTemporalPort, 0, 65535),
    temporalUiPort: integer(env, 'REGSWEEP_TEMPORAL_UI_PORT', 8233, 0, 65535),
    postgresPort: integer(env, 'REGSWEEP_POSTGRES_PORT', 5433, 0, 65535),
    grafanaUrl: text(env, 'GRAFANA_URL'),
    grafanaToken: text(env, 'GRAFANA_TOKEN'),
    dashboardsDir: path.resolve(cwd, text(env, 'REGSWEEP_DASHBOARDS_DIR') ?? path.join(home, 'dashboards')),
  });
}

/** Strips the password from a connection URL before it is printed or logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
