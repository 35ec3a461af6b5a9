import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../config';
import { connectWorker } from '../../infra/temporal/connect';
import { startDevServer, type DevServer } from '../../infra/temporal/dev-server';
import { locateTemporalCli } from '../../infra/temporal/temporal-cli';
import { makeSelfSignedCertificate } from '../helpers/self-signed';

// The Temporal settings README.md lists for a remote cluster (TEMPORAL_TLS_CERT,
// TEMPORAL_TLS_KEY, TEMPORAL_API_KEY), tried through `regsweep status` as far as this machine
// can: every wrong file fails at once naming its variable, and TLS against the plaintext dev
// server fails naming the variable that turned TLS on.

const run = promisify(execFile);
const cli = path.resolve('bin/regsweep.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-temporal-tls-'));
const file = (name: string) => path.join(dir, name);
const closedPort = '127.0.0.1:1';

let server: DevServer;
// A host name, not an IP: Node warns on stderr when TLS is given an IP address as server name.
let devAddress: string;

before(async () => {
  for (const name of ['client', 'other']) makeSelfSignedCertificate(dir, name, `regsweep ${name}`);
  writeFileSync(file('not-pem.txt'), 'not a certificate\n');
  server = await startDevServer({ cliPath: locateTemporalCli(loadConfig().temporalCliPath), home: file('server'), port: 0, uiPort: 0, headless: true });
  devAddress = `localhost:${server.address.split(':').pop()}`;
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function status(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const settings = { TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '', TEMPORAL_API_KEY: '', ...env };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'status', 'some-sweep'], { env: { ...process.env, REGSWEEP_HOME: dir, ...settings } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function assertOneLine(env: NodeJS.ProcessEnv, expected: string | RegExp): Promise<void> {
  const r = await status(env);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  if (typeof expected === 'string') assert.equal(r.stderr.trim(), expected);
  else assert.match(r.stderr.trim(), expected);
}

test('regsweep status names TEMPORAL_TLS_CERT when its file is missing', async () => {
  const missing = file('missing.pem');
  await assertOneLine(
    { TEMPORAL_ADDRESS: closedPort, TEMPORAL_TLS_CERT: missing, TEMPORAL_TLS_KEY: file('client.key') },
    `regsweep: cannot read TEMPORAL_TLS_CERT=${missing} (ENOENT)`,
  );
});

test('regsweep status names TEMPORAL_TLS_KEY when its file is missing', async () => {
  const missing = file('missing.key');
  await assertOneLine(
    { TEMPORAL_ADDRESS: closedPort, TEMPORAL_TLS_CERT: file('client.pem'), TEMPORAL_TLS_KEY: missing },
    `regsweep: cannot read TEMPORAL_TLS_KEY=${missing} (ENOENT)`,
  );
});

test('regsweep status says the certificate and its key go together when only one is set', async () => {
  await assertOneLine(
    { TEMPORAL_ADDRESS: closedPort, TEMPORAL_TLS_CERT: file('client.pem') },
    'regsweep: TEMPORAL_TLS_CERT is set, so TEMPORAL_TLS_KEY must name its private key file, and it is not set',
  );
  await assertOneLine(
    { TEMPORAL_ADDRESS: closedPort, TEMPORAL_TLS_KEY: file('client.key') },
    'regsweep: TEMPORAL_TLS_KEY is set, so TEMPORAL_TLS_CERT must name its certificate file, and it is not set',
  );
});

test('regsweep status names the variable whose file is not PEM, or whose key is another', async () => {
  await assertOneLine(
    { TEMPORAL_ADDRESS: closedPort, TEMPORAL_TLS_CERT: file('not-pem.txt'), TEMPORAL_TLS_KEY: file('client.key') },
    `regsweep: TEMPORAL_TLS_CERT=${file('not-pem.txt')} must be a PEM certificate, and it is not one`,
  );
  await assertOneLine(
    { TEMPORAL_ADDRESS: closedPort, TEMPORAL_TLS_CERT: file('client.pem'), TEMPORAL_TLS_KEY: file('not-pem.txt') },
    `regsweep: TEMPORAL_TLS_KEY=${file('not-pem.txt')} must be a PEM private key, and it is not one`,
  );
  await assertOneLine(
    { TEMPORAL_ADDRESS: closedPort, TEMPORAL_TLS_CERT: file('client.pem'), TEMPORAL_TLS_KEY: file('other.key') },
    `regsweep: TEMPORAL_TLS_KEY=${file('other.key')} must be the private key of TEMPORAL_TLS_CERT=${file('client.pem')}, and it is another key`,
  );
});

const plaintextAdvice = (variable: string) =>
  `; point TEMPORAL_ADDRESS at a TLS endpoint, or unset ${variable} for a server without TLS such as \`regsweep dev\`'s`;

test('regsweep status names TEMPORAL_API_KEY when TLS meets the plaintext dev server', async () => {
  await assertOneLine(
    { TEMPORAL_ADDRESS: devAddress, TEMPORAL_API_KEY: 'not-a-real-key' },
    `regsweep: cannot reach Temporal at ${devAddress} over TLS, which TEMPORAL_API_KEY turns on (the server does not speak TLS)${plaintextAdvice('TEMPORAL_API_KEY')}`,
  );
});

test('regsweep status names TEMPORAL_TLS_CERT when mTLS meets the plaintext dev server', async () => {
  await assertOneLine(
    { TEMPORAL_ADDRESS: devAddress, TEMPORAL_TLS_CERT: file('client.pem'), TEMPORAL_TLS_KEY: file('client.key') },
    `regsweep: cannot reach Temporal at ${devAddress} over TLS, which TEMPORAL_TLS_CERT turns on (the server does not speak TLS)${plaintextAdvice('TEMPORAL_TLS_CERT')}`,
  );
});

test('connectWorker names the setting too when TLS meets the plaintext dev server', async () => {
  const config = loadConfig({ TEMPORAL_API_KEY: 'not-a-real-key', REGSWEEP_HOME: dir }, dir);
  await assert.rejects(connectWorker(devAddress, config, 1000), {
    name: 'TemporalUnreachableError',
    message: `cannot reach Temporal at ${devAddress} over TLS, which TEMPORAL_API_KEY turns on (the server does not speak TLS)${plaintextAdvice('TEMPORAL_API_KEY')}`,
  });
});

test('regsweep status still reaches the plaintext dev server without TLS settings', async () => {
  // The control: the same server answers once TLS is off, so the failures above are TLS's.
  const r = await status({ TEMPORAL_ADDRESS: devAddress, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^regsweep: no sweep with id "some-sweep"; /);
});
