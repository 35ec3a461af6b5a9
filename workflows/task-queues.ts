import { defaultOrchestration } from '../domain/sweep-spec';

/*
 * Task queue names, defined once for the CLI, the workers and the tests. Plain constants from
 * pure code, so the workflow sandbox could import this module too.
 */

/** The queue of the sweep workflow and its record activities, unless REGSWEEP_TASK_QUEUE names another. */
export const sweepTaskQueue = 'regsweep';

/** The training workers' queue, unless a spec names another in `orchestration.trainTaskQueue`. */
export const trainTaskQueue = defaultOrchestration.trainTaskQueue;
