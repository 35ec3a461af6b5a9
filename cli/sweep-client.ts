import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import cliProgress from 'cli-progress';
import type { sweep } from '../workflows/index';
import { progressQuery } from '../workflows/sweep-messages';
import type { SweepLaunchOptions } from '../workflows/sweep-workflow';
import type { SweepSummary } from '../workflows/sweep-state';
import { sweepWorkflowType } from '../workflows/workflow-types';

/**
 * Starts the sweep workflow, or attaches to the one already running under that id:
 * one sweep id is one workflow, and relaunching a finished one reuses its trained runs.
 * `launch` carries what the workflow cannot read itself, such as the trials cap of this CLI's config.
 */
export async function startOrAttach(client: Client, id: string, taskQueue: string, rawSpec: unknown, launch: SweepLaunchOptions, log: (l: string) => void): Promise<WorkflowHandle<typeof sweep>> {
  try {
    // The second argument is the continue-as-new carry, absent on a fresh launch.
    return await client.workflow.start<typeof sweep>(sweepWorkflowType, { workflowId: id, taskQueue, args: [rawSpec, undefined, launch] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    log(`sweep ${id} is already running; following it (cancel it with: regsweep cancel ${id})`);
    return client.workflow.getHandle<typeof sweep>(id);
  }
}

/** Waits for the sweep, drawing a progress bar from the workflow's `progress` query when attached to a terminal. */
export async function followSweep(handle: WorkflowHandle<typeof sweep>, options: { interactive: boolean; log: (l: string) => void }): Promise<SweepSummary> {
  const bar = options.interactive
    ? new cliProgress.SingleBar({ format: 'runs {bar} {value}/{total} | running {running} | failed {failed} | best test acc {best}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  let started = false;
  let lastLine = '';
  const poll = setInterval(() => {
    handle
      .query(progressQuery)
      .then((p) => {
        const best = p.best ? p.best.testAcc.toFixed(4) : '-';
        if (bar) {
          if (!started) bar.start(p.total, p.done, { running: p.running, failed: p.failed, best });
          started = true;
          bar.setTotal(p.total);
          bar.update(p.done, { running: p.running, failed: p.failed, best });
        } else {
          const line = `progress ${p.done}/${p.total} running=${p.running} failed=${p.failed}${p.paused ? ' paused' : ''}`;
          if (line !== lastLine) options.log(line);
          lastLine = line;
        }
      })
      // Between continue-as-new executions and before the first workflow task there is nothing to query.
      .catch(() => undefined);
  }, 1000);
  try {
    return await handle.result();
  } finally {
    clearInterval(poll);
    bar?.stop();
  }
}
