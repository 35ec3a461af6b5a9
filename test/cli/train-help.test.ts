import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { d2lRunDefaults, defaultTrainSettings } from '../../domain/training-limits';

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');

/** The `(default: …)` commander prints after `flag`, or undefined when it prints none. */
function shownDefault(help: string, flag: string): string | undefined {
  // Commander wraps long descriptions; one space between words makes every option one line.
  const line = help.replace(/\s+/g, ' ').split(/ (?=--)/).find((l) => l.startsWith(`${flag} `));
  assert.ok(line, `regsweep train --help does not list ${flag}:\n${help}`);
  return /\(default: ([^)]*)\)$/.exec(line.trim())?.[1];
}

test('regsweep train --help shows the shared training defaults of domain/training-limits.ts', async () => {
  const { stdout } = await run(process.execPath, [cli, 'train', '--help']);
  assert.equal(shownDefault(stdout, '--lr'), String(defaultTrainSettings.lr));
  assert.equal(shownDefault(stdout, '--batch-size'), String(defaultTrainSettings.batchSize));
  assert.equal(shownDefault(stdout, '--hidden'), JSON.stringify(defaultTrainSettings.hidden.join(',')));
  assert.equal(defaultTrainSettings.trainSubset, null);
  assert.equal(shownDefault(stdout, '--train-subset'), undefined);
});

test('regsweep train --help shows the d2l values for the settings a sweep varies', async () => {
  const { stdout } = await run(process.execPath, [cli, 'train', '--help']);
  assert.equal(shownDefault(stdout, '--dropout1'), '0.2');
  assert.equal(shownDefault(stdout, '--dropout1'), String(d2lRunDefaults.dropout1));
  assert.equal(shownDefault(stdout, '--dropout2'), String(d2lRunDefaults.dropout2));
  assert.equal(shownDefault(stdout, '--weight-decay'), String(d2lRunDefaults.weightDecay));
  assert.equal(shownDefault(stdout, '--epochs'), String(d2lRunDefaults.epochs));
  assert.equal(shownDefault(stdout, '--seed'), String(d2lRunDefaults.seed));
  assert.equal(shownDefault(stdout, '--lr'), '0.5');
  assert.equal(shownDefault(stdout, '--hidden'), '"256,256"');
});
