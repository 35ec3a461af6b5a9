import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { FinalizeSweepResult, PendingRun, RegisterSweepResult, TrainRunResult } from '../../activities/index';
import { expandRuns } from '../../domain/grid-expansion';
import { countTrials } from '../../domain/spec-validation';
import type { RunPlan } from '../../domain/run-identity';
import type { SweepSpec } from '../../domain/sweep-spec';
import { loadConfig } from '../../config';
import { connectClient } from '../../infra/temporal/connect';
import { startDevServer, type DevServer } from '../../infra/temporal/dev-server';
import { locateTemporalCli } from '../../infra/temporal/temporal-cli';

/*
 * Fake activities for workflow tests: they keep the sweep in memory, record every call in
 * order, and let the test decide when each training run finishes. Nothing trains and no
 * database is touched, so control flow (pause, cancel, continue-as-new) is tested without
 * relying on how long real training takes. The workflow and the Temporal server are real.
 */

export type FakeCall =
  | { activity: 'registerSweep'; sweepId: string }
  | { activity: 'nextPendingRuns'; sweepId: string; afterOrdinal: number; limit: number; returned: number[]; execution: string }
  | { activity: 'trainRun'; runId: string; ordinal: number; input: Record<string, unknown> }
  | { activity: 'trainRunCancelled'; runId: string }
  | { activity: 'finalizeSweep'; sweepId: string; status: string };

export interface FakeSweepOptions {
  /** Runs a registered spec has; default: its real grid expansion. */
  plan?: (spec: SweepSpec) => RunPlan[];
  /** When true, each trainRun waits until the test calls `release(runId)` (or `releaseAll`). */
  gated?: boolean;
}

export interface FakeSweep {
  calls: FakeCall[];
  activities: ReturnType<typeof createFakeActivityFunctions>;
  /** Lets one gated run finish. */
  release(runId: string): void;
  /** Lets every gated run, current and future, finish at once. */
  releaseAll(): void;
  /** Resolves once `count` trainRun calls have started. */
  trainRunsStarted(count: number): Promise<string[]>;
}

/** The test accuracy the fake reports for the run at this ordinal: distinct, so the best run is known. */
export const fakeTestAcc = (ordinal: number): number => 0.5 + ordinal / 1000;

function createFakeActivityFunctions(options: FakeSweepOptions, calls: FakeCall[], gate: (runId: string) => Promise<void>) {
  const pending = new Map<string, PendingRun[]>();
  return {
    async registerSweep({ sweepId, spec }: { sweepId: string; spec: SweepSpec }): Promise<RegisterSweepResult> {
      calls.push({ activity: 'registerSweep', sweepId });
      const runs = (options.plan ?? expandRuns)(spec).map((r, ordinal) => ({ ...r, ordinal }));
      pending.set(sweepId, runs);
      return { trials: countTrials(spec), runs: runs.length, reused: 0 };
    },
    async nextPendingRuns({ sweepId, afterOrdinal, limit }: { sweepId: string; afterOrdinal: number; limit: number }): Promise<PendingRun[]> {
      const page = (pending.get(sweepId) ?? []).filter((r) => r.ordinal > afterOrdinal).slice(0, limit);
      calls.push({ activity: 'nextPendingRuns', sweepId, afterOrdinal, limit, returned: page.map((r) => r.ordinal), execution: Context.current().info.workflowExecution?.runId ?? '' });
      return page;
    },
    async trainRun(input: { run: RunPlan }): Promise<TrainRunResult> {
      const { run } = input;
      const ordinal = [...pending.values()].flat().find((r) => r.runId === run.runId)?.ordinal ?? -1;
      calls.push({ activity: 'trainRun', runId: run.runId, ordinal, input: { ...input } });
      const ctx = Context.current();
      // Cancellation reaches an activity only through heartbeat responses, so a waiting run heartbeats.
      const beat = setInterval(() => ctx.heartbeat(), 200);
      try {
        await Promise.race([
          gate(run.runId),
          new Promise<never>((_, reject) => ctx.cancellationSignal.addEventListener('abort', () => reject(new CancelledFailure('run cancelled')))),
        ]);
      } catch (err) {
        calls.push({ activity: 'trainRunCancelled', runId: run.runId });
        throw err;
      } finally {
        clearInterval(beat);
      }
      return { runId: run.runId, outcome: 'trained', epochsTrained: run.maxEpochs, testAcc: fakeTestAcc(ordinal), divergedAtEpoch: null };
    },
    async finalizeSweep({ sweepId, status }: { sweepId: string; status: string }): Promise<FinalizeSweepResult> {
      calls.push({ activity: 'finalizeSweep', sweepId, status });
      const trained = calls.filter((c) => c.activity === 'trainRun').length;
      return { dashboards: [], completed: trained, failed: 0, cancelled: 0, diverged: 0, best: null };
    },
  };
}

export function createFakeSweep(options: FakeSweepOptions = {}): FakeSweep {
  const calls: FakeCall[] = [];
  const releases = new Map<string, () => void>();
  const released = new Set<string>();
  let allReleased = !options.gated;
  const waiters: { count: number; resolve: (ids: string[]) => void }[] = [];
  const startedIds = (): string[] => calls.flatMap((c) => (c.activity === 'trainRun' ? [c.runId] : []));
  const gate = (runId: string): Promise<void> => {
    for (const w of waiters.splice(0)) {
      if (startedIds().length >= w.count) w.resolve(startedIds());
      else waiters.push(w);
    }
    if (allReleased || released.has(runId)) return Promise.resolve();
    return new Promise((resolve) => releases.set(runId, resolve));
  };
  return {
    calls,
    activities: createFakeActivityFunctions(options, calls, gate),
    release(runId) {
      released.add(runId);
      releases.get(runId)?.();
    },
    releaseAll() {
      allReleased = true;
      for (const r of releases.values()) r();
    },
    trainRunsStarted(count) {
      if (startedIds().length >= count) return Promise.resolve(startedIds());
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The current workflow code, bundled once per test process as the worker bundles it. */
export function sweepWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), logger: quietBundlerLogger });
  return bundle;
}

const quietBundlerLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => process.stderr.write(`${m}\n`) };

export interface RunningFakeWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * An in-process worker on `taskQueue` with the real workflow bundle and the given (fake)
 * activities. Specs in these tests set `orchestration.trainTaskQueue` to the same queue, so
 * one worker serves the workflow, the record activities and trainRun.
 */
export async function runFakeWorker(address: string, taskQueue: string, activities: object): Promise<RunningFakeWorker> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await sweepWorkflowBundle(),
    activities,
    // As on the real training workers: cancellation must reach a waiting activity within a second.
    maxHeartbeatThrottleInterval: '1s',
  });
  const running = worker.run();
  return {
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export interface DevServerStack {
  server: DevServer;
  client: Client;
  home: string;
  cliPath: string;
  stop(): Promise<void>;
}

/** A real Temporal dev server (headless, free port, its own folder) and a client, without worker processes or a database. */
export async function startDevServerStack(dynamicConfig?: Record<string, string | number | boolean>): Promise<DevServerStack> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-wf-test-'));
  const cliPath = locateTemporalCli(loadConfig().temporalCliPath);
  const server = await startDevServer({ cliPath, home, port: 0, uiPort: 0, headless: true, dynamicConfig });
  try {
    const client = await connectClient(server.address, loadConfig({}), 30_000);
    return {
      server,
      client,
      home,
      cliPath,
      stop: async () => {
        await client.connection.close();
        await server.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
