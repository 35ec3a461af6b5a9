import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { attemptNoticePrefix } from '../activities/run-attempt';

/**
 * The warning a worker without workflows gives at start. Training workers register only the
 * trainRun activity by design, so for them it reports the intended setup, not a problem.
 */
const activitiesOnlyNotice = /^No workflows registered, not polling for workflow tasks/;

/** Whether a Temporal log entry is worth showing: everything except the notice above. */
export function isWorthShowing(entry: Pick<LogEntry, 'message'>): boolean {
  return !activitiesOnlyNotice.test(entry.message);
}

/** One log line: time, level, message and, except after regsweep's own notices, the entry's metadata as JSON. */
export function formatEntry(entry: Pick<LogEntry, 'timestampNanos' | 'level' | 'message' | 'meta'>): string {
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  // regsweep's own notices are whole sentences that name the run; the activity's metadata
  // (workflow, task queue, attempt: some 700 characters of JSON) would bury them.
  const meta = entry.meta === undefined || entry.message.startsWith(attemptNoticePrefix) ? '' : ` ${JSON.stringify(entry.meta)}`;
  return `${at} [${entry.level}] ${entry.message}${meta}`;
}

/**
 * Temporal's logger for worker processes: warnings and errors on stderr. Worker state changes at
 * INFO would drown the progress output of `regsweep dev` and `npm start`.
 */
export function createWorkerLogger(): DefaultLogger {
  return new DefaultLogger('WARN', (entry) => {
    if (isWorthShowing(entry)) process.stderr.write(`${formatEntry(entry)}\n`);
  });
}
