import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalPartError } from './local-part-error';

export const stackLockFile = (home: string): string => path.join(home, 'stack.lock');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the state folder for this process: one local stack per folder, since two would share
 * the Postgres data, the Temporal history file and stack.json. The lock stays held while a
 * stack shuts down; one left by a process that died is taken over.
 * @returns a function that releases it.
 * @throws LocalPartError naming the process that holds it.
 */
export function lockStackHome(home: string, pid = process.pid): () => void {
  const file = stackLockFile(home);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        if (readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new LocalPartError(
          'the local stack',
          `another regsweep dev or quickstart (pid ${holder}) is running or still shutting down with state in ${home}`,
          `stop it first (Ctrl-C in its terminal, or kill ${holder}) and wait for it to exit, or set REGSWEEP_HOME to another folder`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new LocalPartError('the local stack', `could not take ${file}`, 'remove it if no regsweep dev is running');
}
