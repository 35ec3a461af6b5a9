import type { ChildProcess } from 'node:child_process';

/**
 * Asks a child process to stop with `signal`, then SIGKILLs it after `graceMs`; resolves when it
 * is gone. Postgres takes SIGINT (its fast shutdown); the dev server and workers take SIGTERM.
 */
export function stopChild(child: ChildProcess, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
