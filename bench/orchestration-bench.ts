/**
 * Orchestration load benchmark: a sweep of N tiny but real training runs (Fashion-MNIST
 * subset, 1 epoch) over 2 training worker processes, on the real Temporal dev server and
 * Postgres. Reports wall time, runs/s, continue-as-new count, the largest history of the
 * workflow chain, and each worker's peak memory.
 *
 *   node --import tsx bench/orchestration-bench.ts [--runs 10000] [--train-workers 2] [--concurrency 4]
 *
 * Uses DATABASE_URL when set, otherwise a fresh database on 127.0.0.1:5432.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createScratchDatabase } from '../infra/postgres/scratch-database';
import { startScratchStack } from '../infra/local/scratch-stack';
import type { SweepSummary } from '../workflows/sweep-state';
import { sweepWorkflowType } from '../workflows/workflow-types';
import { sweepTaskQueue } from '../workflows/task-queues';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    'train-workers': { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    out: { type: 'string', default: 'bench/orchestration.json' },
  },
});
const runs = Number(values.runs);
const side = Math.round(Math.cbrt(runs / 10));
if (side ** 3 * 10 !== runs) throw new Error(`--runs must be 10 * k^3 (10, 80, 270, 640, 1250, 2160, 10000), got ${runs}`);

/** Peak resident memory of a process, from the kernel's high-water mark. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

const axis = (n: number, step: number) => Array.from({ length: n }, (_, i) => Number((i * step).toFixed(6)));
const spec = {
  name: `load-${runs}`,
  grid: { dropout1: axis(side, 0.9 / side), dropout2: axis(side, 0.9 / side), weightDecay: axis(side, 0.0001), epochs: [1] },
  seeds: axis(10, 1),
  train: { lr: 0.5, batchSize: 100, hidden: [8, 8], trainSubset: 100 },
  maxParallel: Number(values['train-workers']) * Number(values.concurrency) * 2,
  orchestration: { heartbeatTimeoutSeconds: 60, retryInitialSeconds: 1, retryMaxSeconds: 10 },
};

const database = loadConfig().databaseUrl ? null : await createScratchDatabase('regsweep_bench');
const url = loadConfig().databaseUrl ?? database!.url;
const stack = await startScratchStack(url, ['orchestrate']);
try {
  for (let i = 0; i < Number(values['train-workers']); i++) await stack.addWorker(['--role', 'train', '--concurrency', values.concurrency!]);
  const started = Date.now();
  const handle = await stack.client.workflow.start(sweepWorkflowType, { workflowId: spec.name, taskQueue: sweepTaskQueue, args: [spec] });
  const summary = (await handle.result()) as SweepSummary;
  const seconds = (Date.now() - started) / 1000;
  let largestHistory = 0;
  for await (const execution of stack.client.workflow.list({ query: `WorkflowId = '${spec.name}'` })) {
    largestHistory = Math.max(largestHistory, execution.historyLength);
  }
  const result = {
    runs,
    trainWorkers: Number(values['train-workers']),
    concurrencyPerWorker: Number(values.concurrency),
    maxParallel: spec.maxParallel,
    wallSeconds: Number(seconds.toFixed(1)),
    runsPerSecond: Number((summary.trained / seconds).toFixed(2)),
    trained: summary.trained,
    failed: summary.failed,
    continuedAsNew: summary.continuedAsNew,
    largestHistoryEvents: largestHistory,
    peakRssMiB: Object.fromEntries(stack.workers.map((w, i) => [i === 0 ? `orchestrator-${w.pid}` : `trainer-${w.pid}`, peakRssMiB(w.pid!)])),
    at: new Date().toISOString(),
  };
  mkdirSync('bench', { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await stack.stop();
  await database?.drop();
}
