import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The `temporal` binary could not be found; the message lists every way to get it. */
export class TemporalCliMissingError extends Error {
  constructor(searched: string[]) {
    super(
      `the Temporal CLI was not found (looked in ${searched.join(', ')}); install it with \`npm run temporal:install\` ` +
        '(go install github.com/temporalio/cli/cmd/temporal@v1.5.1), set TEMPORAL_CLI_PATH to a temporal binary, ' +
        'or set TEMPORAL_ADDRESS to use an existing Temporal cluster',
    );
    this.name = 'TemporalCliMissingError';
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the CLI: TEMPORAL_CLI_PATH, then PATH, then Go's bin folder (where the install script puts it). */
export function locateTemporalCli(configured: string | null, envPath = process.env.PATH ?? ''): string {
  const candidates = configured
    ? [configured]
    : [...envPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'temporal')), path.join(os.homedir(), 'go', 'bin', 'temporal')];
  const found = candidates.find(isExecutable);
  if (!found) throw new TemporalCliMissingError(configured ? [configured] : ['PATH', path.join(os.homedir(), 'go', 'bin')]);
  return found;
}
