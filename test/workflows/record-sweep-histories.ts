/*
 * Records the sweep workflow's histories that test/workflows/sweep-replay.test.ts replays:
 *
 *   node --import tsx test/workflows/record-sweep-histories.ts
 *
 * It records only the histories missing from histories/: add a recording to add a path through
 * the workflow. Never delete a saved history to make a failing replay pass: each stands for
 * sweeps already running under the workflow code that recorded it.
 * Activities are the recording fakes; the workflow and the Temporal dev server are real.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../../config';
import { connectClient } from '../../infra/temporal/connect';
import { startDevServer } from '../../infra/temporal/dev-server';
import { locateTemporalCli } from '../../infra/temporal/temporal-cli';
import { pauseSignal, progressQuery, resumeSignal } from '../../workflows/sweep-messages';
import { startOrAttach } from '../../cli/sweep-client';
import { createFakeSweep, runFakeWorker } from './fake-sweep-worker';
import { sweepWorkflowType } from '../../workflows/workflow-types';

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

type Recorder = (ctx: { client: Client; address: string; save: (handle: WorkflowHandle, file: string, runId?: string) => void }) => Promise<void>;

/** Each recording, by the files it writes. Existing files are kept: they stand for older workflow code. */
const recordings: { files: string[]; record: Recorder }[] = [
  {
    // Pause and resume while runs are in flight, then completion.
    files: ['sweep-pause-resume.json'],
    record: async ({ client, address, save }) => {
      const fake = createFakeSweep({ gated: true });
      const worker = await runFakeWorker(address, queue, fake.activities);
      const spec = { name: 'replay-pause', grid: { dropout1: [0, 0.5], dropout2: [0.5], weightDecay: [0], epochs: [1, 2] }, seeds: [1, 2], train: tinyTrain, maxParallel: 2, orchestration };
      const wf = await client.workflow.start(sweepWorkflowType, { workflowId: 'replay-pause', taskQueue: queue, args: [spec] });
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
      save(wf, 'sweep-pause-resume.json');
      await worker.stop();
    },
  },
  {
    // Cancellation while a run is in flight.
    files: ['sweep-cancelled.json'],
    record: async ({ client, address, save }) => {
      const fake = createFakeSweep({ gated: true });
      const worker = await runFakeWorker(address, queue, fake.activities);
      const spec = { name: 'replay-cancel', grid: { dropout1: [0, 0.5], dropout2: [0.5], weightDecay: [0], epochs: [3] }, seeds: [1], train: tinyTrain, maxParallel: 1, orchestration };
      const wf = await client.workflow.start(sweepWorkflowType, { workflowId: 'replay-cancel', taskQueue: queue, args: [spec] });
      await fake.trainRunsStarted(1);
      await wf.cancel();
      await wf.result().catch(() => undefined);
      save(wf, 'sweep-cancelled.json');
      await worker.stop();
    },
  },
  {
    // Continue-as-new: both executions, the second one starting from a carry.
    files: ['sweep-continue-as-new-first.json', 'sweep-continue-as-new-last.json'],
    record: async ({ client, address, save }) => {
      const fake = createFakeSweep();
      const worker = await runFakeWorker(address, queue, fake.activities);
      const spec = { name: 'replay-can', grid: { dropout1: [0, 0.1, 0.2, 0.3, 0.4], dropout2: [0, 0.1, 0.2, 0.3], weightDecay: [0], epochs: [1] }, seeds: [1, 2], train: tinyTrain, maxParallel: 2, orchestration };
      const wf = await client.workflow.start(sweepWorkflowType, { workflowId: 'replay-can', taskQueue: queue, args: [spec] });
      await wf.result();
      save(wf, 'sweep-continue-as-new-first.json', wf.firstExecutionRunId);
      save(wf, 'sweep-continue-as-new-last.json');
      await worker.stop();
    },
  },
  {
    // Launched as `regsweep run` launches, with launch options, continuing as new with them.
    files: ['sweep-launch-options-first.json', 'sweep-launch-options-last.json'],
    record: async ({ client, address, save }) => {
      const fake = createFakeSweep();
      const worker = await runFakeWorker(address, queue, fake.activities);
      const spec = { name: 'replay-options', grid: { dropout1: [0, 0.1, 0.2, 0.3, 0.4], dropout2: [0, 0.1, 0.2, 0.3], weightDecay: [0], epochs: [1] }, seeds: [1, 2], train: tinyTrain, maxParallel: 2, orchestration };
      const wf = await startOrAttach(client, 'replay-options', queue, spec, { maxTrials: 200_000 }, () => undefined);
      await wf.result();
      // startOrAttach's handle follows the chain; the first execution's run id is in the last one's start event.
      save(wf, 'sweep-launch-options-last.json');
      const last = JSON.parse(readFileSync(path.join(historiesDir, 'sweep-launch-options-last.json'), 'utf8')) as { events: { workflowExecutionStartedEventAttributes?: { firstExecutionRunId?: string } }[] };
      save(wf, 'sweep-launch-options-first.json', last.events[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId);
      await worker.stop();
    },
  },
];

async function main(): Promise<void> {
  mkdirSync(historiesDir, { recursive: true });
  const missing = recordings.filter((r) => r.files.some((f) => !existsSync(path.join(historiesDir, f))));
  if (missing.length === 0) return console.log('every history is recorded already');
  const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-record-'));
  // A small history threshold so the 40-run sweeps continue as new after a few dozen runs.
  const cliPath = locateTemporalCli(loadConfig().temporalCliPath);
  const server = await startDevServer({ cliPath, home, port: 0, uiPort: 0, headless: true, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 150 } });
  const client = await connectClient(server.address, loadConfig({}), 30_000);
  try {
    for (const r of missing) await r.record({ client, address: server.address, save: (handle, file, runId) => save(cliPath, server.address, handle, file, runId) });
  } finally {
    await client.connection.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
