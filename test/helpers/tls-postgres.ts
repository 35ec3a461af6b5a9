import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../infra/local/free-port';
import { makeSelfSignedCertificate } from './self-signed';

// Test-only setting: the folder of a PostgreSQL server's initdb and pg_ctl.
const binDir = process.env.REGSWEEP_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TlsPostgres {
  host: string;
  port: number;
  /** The CA that signed the server's certificate, and one that did not. */
  caFile: string;
  otherCaFile: string;
  /** `postgres://postgres@localhost:<port>/postgres` plus `query`, e.g. `?sslmode=verify-full&sslrootcert=…`. */
  url(query: string, user?: string, database?: string): string;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server that accepts only TLS connections (hostssl, trust), with a
 * certificate for localhost and 127.0.0.1 signed by a CA made here with openssl. Tests run
 * as root, and Postgres refuses to, so the server runs as the `postgres` OS user; its folder
 * lives under the system temp folder where that user can reach it. `stop()` removes it all.
 */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'regsweep-tls-'));
  chmodSync(dir, 0o755);
  const postgresUid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const postgresGid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const asPostgres = (command: string, ...args: string[]) => {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', path.join(binDir, command), ...args], { stdio: 'pipe' });
    } catch (err) {
      throw new Error(`${command} failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
    }
  };
  const data = file('data');
  // The server's own folder: its socket and log.
  const run = file('run');
  let started = false;
  const stop = async () => {
    if (started) asPostgres('pg_ctl', 'stop', '-D', data, '-m', 'immediate', '-w');
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const ca of ['ca', 'other-ca']) makeSelfSignedCertificate(dir, ca, `regsweep test ${ca}`);
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr'));
    openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      file('server.ext'),
      '-out',
      file('server.pem'),
    );
    // Postgres refuses a key that others may read.
    chownSync(file('server.key'), postgresUid, postgresGid);
    chmodSync(file('server.key'), 0o600);
    for (const name of ['ca.pem', 'other-ca.pem', 'server.pem']) chmodSync(file(name), 0o644);

    for (const folder of [data, run]) execFileSync('install', ['-d', '-o', 'postgres', '-m', '700', folder]);
    asPostgres('initdb', '-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync');
    writeFileSync(file('pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n');
    chmodSync(file('pg_hba.conf'), 0o644);
    const port = await freePort();
    const settings = [
      `port=${port}`,
      "listen_addresses='localhost'",
      `unix_socket_directories='${run}'`,
      'ssl=on',
      `ssl_cert_file='${file('server.pem')}'`,
      `ssl_key_file='${file('server.key')}'`,
      `hba_file='${file('pg_hba.conf')}'`,
      'fsync=off',
    ];
    asPostgres('pg_ctl', 'start', '-w', '-t', '60', '-D', data, '-l', path.join(run, 'server.log'), '-o', settings.map((s) => `-c ${s}`).join(' '));
    started = true;
    return {
      host: 'localhost',
      port,
      caFile: file('ca.pem'),
      otherCaFile: file('other-ca.pem'),
      url: (query, user = 'postgres', database = 'postgres') => `postgres://${user}@localhost:${port}/${database}${query}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
