/*
 * Records the sweep workflow's histories that test/workflows/sweep-replay.test.ts replays:
 *
 *   node --import tsx test/workflows/record-sweep-histories.ts
 *
 * Run it only to add a history (a new path through the workflow), never to make a failing
 * replay pass: the saved histories stand for sweeps already running in someone's cluster.
 * Activities are the recording fakes; the workflow and the Temporal dev server are real.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../../config';
import { connectClient } from '../../infra/temporal/connect';
import { startDevServer } from '../../infra/temporal/dev-server';
import { locateTemporalCli } from '../../infra/temporal/temporal-cli';
import { pauseSignal, progressQuery, resumeSignal } from '../../workflows/sweep-messages';
import { createFakeSweep, runFakeWorker } from './fake-sweep-worker';

const queue = 'replay-recording';
const historiesDir = fileURLToPath(new URL('./histories/', import.meta.url));
const orchestration = { heartbeatTimeoutSeconds: 20, retryInitialSeconds: 1, retryMaxSeconds: 2, trainTaskQueue: queue };
const tinyTrain = { lr: 0.5, batchSize: 100, hidden: [8, 8], trainSubset: 100 };

// Saved with `temporal workflow show --output json`, the format Temporal's tools exchange histories in.
function save(cliPath: string, address: string, handle: WorkflowHandle, file: string, runId?: string): void {
  const json = execFileSync(cliPath, ['workflow', 'show', '--address', address, '--workflow-id', handle.workflowId, ...(runId ? ['--run-id', runId] : []), '--output', 'json'], { encoding: 'utf8' });
  writeFileSync(path.join(historiesDir, file), json);
  console.log(`saved ${file} (${(JSON.parse(json) as { events: unknown[] }).events.length} events)`);
}

async function waitForQuery<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  mkdirSync(historiesDir, { recursive: true });
  const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-record-'));
  // A small history threshold so the third sweep continues as new after a few dozen runs.
  const cliPath = locateTemporalCli(loadConfig().temporalCliPath);
  const server = await startDevServer({ cliPath, home, port: 0, uiPort: 0, headless: true, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 150 } });
  const client = await connectClient(server.address, loadConfig({}), 30_000);
  try {
    // 1. Pause and resume while runs are in flight, then completion.
    {
      const fake = createFakeSweep({ gated: true });
      const worker = await runFakeWorker(server.address, queue, fake.activities);
      const spec = { name: 'replay-pause', grid: { dropout1: [0, 0.5], dropout2: [0.5], weightDecay: [0], epochs: [1, 2] }, seeds: [1, 2], train: tinyTrain, maxParallel: 2, orchestration };
      const wf = await client.workflow.start('sweep', { workflowId: 'replay-pause', taskQueue: queue, args: [spec] });
      const [first, second] = await fake.trainRunsStarted(2);
      await wf.signal(pauseSignal);
      fake.release(first!);
      fake.release(second!);
      await waitForQuery(async () => {
        const p = await wf.query(progressQuery);
        return p.paused && p.running === 0 && p.done === 2 ? p : undefined;
      });
      await wf.signal(resumeSignal);
      fake.releaseAll();
      await wf.result();
      save(cliPath, server.address, wf, 'sweep-pause-resume.json');
      await worker.stop();
    }
    // 2. Cancellation while a run is in flight.
    {
      const fake = createFakeSweep({ gated: true });
      const worker = await runFakeWorker(server.address, queue, fake.activities);
      const spec = { name: 'replay-cancel', grid: { dropout1: [0, 0.5], dropout2: [0.5], weightDecay: [0], epochs: [3] }, seeds: [1], train: tinyTrain, maxParallel: 1, orchestration };
      const wf = await client.workflow.start('sweep', { workflowId: 'replay-cancel', taskQueue: queue, args: [spec] });
      await fake.trainRunsStarted(1);
      await wf.cancel();
      await wf.result().catch(() => undefined);
      save(cliPath, server.address, wf, 'sweep-cancelled.json');
      await worker.stop();
    }
    // 3. Continue-as-new: both executions, the second one starting from a carry.
    {
      const fake = createFakeSweep();
      const worker = await runFakeWorker(server.address, queue, fake.activities);
      const spec = { name: 'replay-can', grid: { dropout1: [0, 0.1, 0.2, 0.3, 0.4], dropout2: [0, 0.1, 0.2, 0.3], weightDecay: [0], epochs: [1] }, seeds: [1, 2], train: tinyTrain, maxParallel: 2, orchestration };
      const wf = await client.workflow.start('sweep', { workflowId: 'replay-can', taskQueue: queue, args: [spec] });
      await wf.result();
      save(cliPath, server.address, wf, 'sweep-continue-as-new-first.json', wf.firstExecutionRunId);
      save(cliPath, server.address, wf, 'sweep-continue-as-new-last.json');
      await worker.stop();
    }
  } finally {
    await client.connection.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
