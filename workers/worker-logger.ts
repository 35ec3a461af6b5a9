import { DefaultLogger, type LogEntry } from '@temporalio/worker';

/**
 * The warning a worker without workflows gives at start. Training workers register only the
 * trainRun activity by design, so for them it reports the intended setup, not a problem.
 */
const activitiesOnlyNotice = /^No workflows registered, not polling for workflow tasks/;

/** Whether a Temporal log entry is worth showing: everything except the notice above. */
export function isWorthShowing(entry: Pick<LogEntry, 'message'>): boolean {
  return !activitiesOnlyNotice.test(entry.message);
}

function writeEntry(entry: LogEntry): void {
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta === undefined ? '' : ` ${JSON.stringify(entry.meta)}`;
  process.stderr.write(`${at} [${entry.level}] ${entry.message}${meta}\n`);
}

/**
 * Temporal's logger for worker processes: warnings and errors on stderr. Worker state changes at
 * INFO would drown the progress output of `regsweep dev` and `npm start`.
 */
export function createWorkerLogger(): DefaultLogger {
  return new DefaultLogger('WARN', (entry) => {
    if (isWorthShowing(entry)) writeEntry(entry);
  });
}
