import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../../infra/local/free-port';
import { removeEmbeddedCluster } from '../../infra/postgres/embedded';

/*
 * `regsweep studies` end to end on the local stack (embedded Postgres, the Temporal dev server,
 * training workers on the native engine) with two tiny studies on a 600-image subset: it trains
 * them, writes findings with every comparison of each study, and a second run reuses every run.
 */

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');
const root = mkdtempSync(path.join(os.tmpdir(), 'regsweep-studies-'));
chmodSync(root, 0o700);
const home = path.join(root, '.regsweep');
const studies = path.join(root, 'studies');
const out = path.join(root, 'out');
mkdirSync(studies);
after(async () => {
  await removeEmbeddedCluster(home);
  rmSync(root, { recursive: true, force: true });
});

const train = { trainSubset: 600, batchSize: 100, hidden: [32, 32] };
writeFileSync(
  path.join(studies, 'swap.json'),
  JSON.stringify({ name: 'tiny-swap', grid: { dropout1: [0.2, 0.5], dropout2: [0.2, 0.5], weightDecay: [0], epochs: [2] }, seeds: [1, 2, 3], train }),
);
writeFileSync(
  path.join(studies, 'noise.json'),
  JSON.stringify({
    name: 'tiny-noise',
    grid: { dropout1: [0.2], dropout2: [0.5], weightDecay: [0], epochs: [1, 2], regularizer: ['dropout', 'gaussian'] },
    seeds: [1, 2, 3],
    train: { ...train, evalDropoutSamples: 3 },
  }),
);
writeFileSync(
  path.join(studies, 'studies.json'),
  JSON.stringify({
    studies: [
      { spec: 'swap.json', exercise: 1, title: 'Tiny swap', question: 'Does the order matter?', sections: ['swap', 'configs', 'divergence'] },
      {
        spec: 'noise.json',
        exercise: 7,
        title: 'Tiny noise',
        question: 'Does Gaussian noise differ?',
        sections: ['vs-variant', 'test-time-dropout', 'curves'],
      },
    ],
  }),
);

async function studiesCommand(): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REGSWEEP_HOME: home,
    REGSWEEP_POSTGRES_PORT: String(await freePort()),
    REGSWEEP_TEMPORAL_PORT: '0',
    REGSWEEP_TEMPORAL_UI_PORT: '0',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  return run(process.execPath, [cli, 'studies', '--dir', studies, '--out', out, '--train-workers', '1'], { env, timeout: 400_000 });
}

test(
  'regsweep studies trains every study, writes findings with all their comparisons, and reuses every run the second time',
  { timeout: 900_000 },
  async () => {
    const first = await studiesCommand();
    // The noise study's dropout runs share their grid point with the swap study's, but they record
    // test-time dropout, so they are runs of their own.
    assert.match(first.stdout, /^swap\.json: sweep tiny-swap, 12 runs \(12 trained, 0 reused\), 0 failed, in \d+ s$/m);
    assert.match(first.stdout, /^noise\.json: sweep tiny-noise, 6 runs \(6 trained, 0 reused\), 0 failed, in \d+ s$/m);
    const text = readFileSync(path.join(out, 'findings.md'), 'utf8');
    assert.ok(text.includes(`\n    regsweep studies --dir ${studies} --out ${out}\n`));
    assert.match(text, /## Exercise 1: Tiny swap\n\n\*\*Question\.\*\* Does the order matter\?/);
    assert.match(text, /Engine that trained the runs \(runs\.backend\): `native \(OpenBLAS \w+ kernels, \d+ threads?\)`/);
    const swaps = text.slice(text.indexOf('### Swapped dropout rates'), text.indexOf('## Exercise 7'));
    // One pair of rates, two metrics, one epochs value.
    assert.equal(swaps.split('\n').filter((l) => l.startsWith('- dropout1=0.2, dropout2=0.5 vs dropout1=0.5, dropout2=0.2')).length, 2);
    const noise = text.slice(text.indexOf('## Exercise 7'));
    // The Gaussian variant against dropout: two metrics at two epochs values.
    assert.equal(noise.split('\n').filter((l) => l.startsWith('- gaussian lr=0.5 vs dropout lr=0.5 at dropout1=0.2, dropout2=0.5, weight decay 0')).length, 4);
    assert.equal(noise.split('\n').filter((l) => / stochastic passes: inference mode \d/.test(l)).length, 4);
    assert.ok(existsSync(path.join(out, 'findings', 'tiny-noise-test-accuracy.svg')));

    const second = await studiesCommand();
    assert.match(second.stdout, /^swap\.json: sweep tiny-swap, 12 runs \(0 trained, 12 reused\)/m);
    assert.match(second.stdout, /^noise\.json: sweep tiny-noise, 6 runs \(0 trained, 6 reused\)/m);
    assert.equal(readFileSync(path.join(out, 'findings.md'), 'utf8').replace(/Generated \S+/, ''), text.replace(/Generated \S+/, ''));
  },
);
