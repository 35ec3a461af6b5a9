import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Runtime, Worker } from '@temporalio/worker';
import type { RegsweepConfig } from '../config';
import { createRecordActivities, createTrainingActivities } from '../activities/index';
import { assertDatabaseReachable, openDatabase } from '../db/connect';
import { connectWorker } from '../infra/temporal/connect';
import { migrateToLatest } from '../infra/postgres/migrate';
import { createDashboardPublisher } from '../infra/grafana/publish-dashboards';
import { loadTrainingDeps } from './training-deps';
import { createWorkerLogger } from './worker-logger';

export type WorkerRole = 'orchestrate' | 'train';

export interface WorkerOptions {
  role: WorkerRole;
  temporalAddress: string;
  databaseUrl: string;
  /** Defaults: sweepTaskQueue for orchestration, trainTaskQueue for training (workflows/task-queues.ts). */
  taskQueue: string;
  /** Training runs in parallel in this process. @default 1 */
  concurrency: number;
  backend: string;
  /** After SIGTERM, in-flight runs get this long before they are cancelled (they resume from their last checkpoint elsewhere). */
  shutdownGraceSeconds: number;
  log: (line: string) => void;
}

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * The composition root of one worker process: connects, migrates, builds the activities
 * for its role, polls until SIGINT/SIGTERM, and closes everything it opened.
 */
export async function runWorker(options: WorkerOptions, config: Readonly<RegsweepConfig>): Promise<void> {
  const workerName = `${os.hostname()}/${process.pid}`;
  Runtime.install({ logger: createWorkerLogger() });
  // A batching training worker holds up to K runs (each with its own activity and session) at once.
  const slots = options.role === 'train' ? Math.max(options.concurrency, config.batchRuns) : options.concurrency;
  const database = openDatabase(options.databaseUrl, { max: slots + 3, applicationName: `regsweep-${options.role}` });
  try {
    await assertDatabaseReachable(database, options.databaseUrl);
    await migrateToLatest(database.db);
    // Each role builds only its own activities from only what it has: a training worker never
    // registers the record activities, and an orchestration worker never loads the dataset.
    const training = options.role === 'train' ? await loadTrainingDeps(config, options.backend, workerName, options.log) : null;
    const connection = await connectWorker(options.temporalAddress, config);
    try {
      const worker =
        training !== null
          ? await Worker.create({
              connection,
              namespace: config.temporalNamespace,
              taskQueue: options.taskQueue,
              activities: createTrainingActivities({ db: database.db, training }),
              maxConcurrentActivityTaskExecutions: slots,
              shutdownGraceTime: `${options.shutdownGraceSeconds}s`,
              // Cancellation reaches an activity only in a heartbeat response; the default
              // throttle (80% of the heartbeat timeout) would let a cancelled run train for minutes.
              maxHeartbeatThrottleInterval: '1s',
              identity: workerName,
            })
          : await Worker.create({
              connection,
              namespace: config.temporalNamespace,
              taskQueue: options.taskQueue,
              workflowsPath,
              activities: createRecordActivities({ db: database.db, publishDashboards: createDashboardPublisher(config, options.log) }),
              identity: workerName,
            });
      const batch = training?.train !== undefined ? ` batch=${config.batchRuns}` : '';
      options.log(`worker ${workerName} role=${options.role} queue=${options.taskQueue}${training ? ` backend=${training.backend}` : ''}${batch} ready`);
      await worker.run();
    } finally {
      await connection.close();
    }
  } finally {
    await database.close();
  }
}
