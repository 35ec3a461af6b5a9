import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { waitForPort } from '../../infra/local/free-port';
import { startDevServer, type DevServer } from '../../infra/temporal/dev-server';
import { locateTemporalCli } from '../../infra/temporal/temporal-cli';

// The dev server has no authentication, so it must not be reachable from other machines:
// every port it listens on, the frontend, the Web UI and its internal services alike, is
// bound to 127.0.0.1. Read from the kernel's socket tables, not from the server's own flags.

const home = mkdtempSync(path.join(os.tmpdir(), 'regsweep-dev-bind-'));
let server: DevServer;

before(async () => {
  server = await startDevServer({ cliPath: locateTemporalCli(loadConfig().temporalCliPath), home, port: 0, uiPort: 0 });
  const ui = new URL(server.uiUrl!);
  await waitForPort(ui.hostname, Number(ui.port), 60_000, 'the Temporal Web UI');
});
after(async () => {
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** The process and its descendants. */
function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    const file = `/proc/${pid}/task/${tid}/children`;
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
  });
  return [pid, ...children.flatMap(processTree)];
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // The descriptor closed while we listed them.
    }
  }
  return inodes;
}

/** A /proc/net address: 32-bit words in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => [...Buffer.from(word, 'hex').reverse()]);
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return groups.join(':');
}

/** Every TCP socket in LISTEN state that the processes hold, as `address:port`. */
function listeningSockets(pids: number[]): { address: string; port: number }[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const sockets: { address: string; port: number }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [addressHex, portHex] = fields[1]!.split(':');
      // State 0A is LISTEN; field 9 is the socket's inode.
      if (fields[3] === '0A' && inodes.has(fields[9]!)) sockets.push({ address: decodeAddress(addressHex!), port: parseInt(portHex!, 16) });
    }
  }
  return sockets;
}

test('the dev server listens on 127.0.0.1 only, for its frontend, its Web UI and every other port', () => {
  const sockets = listeningSockets(processTree(server.process.pid!));
  const ports = sockets.map((s) => s.port);
  assert.ok(ports.includes(Number(server.address.split(':').pop())), `frontend port missing from ${JSON.stringify(sockets)}`);
  assert.ok(ports.includes(Number(new URL(server.uiUrl!).port)), `Web UI port missing from ${JSON.stringify(sockets)}`);
  assert.deepEqual(
    sockets.filter((s) => s.address !== '127.0.0.1'),
    [],
    `sockets listening beyond 127.0.0.1: ${JSON.stringify(sockets)}`,
  );
});

test('decodeAddress reads the kernel tables of IPv4 and IPv6 sockets', () => {
  // The helper above must see a wildcard listener for what it is, or the test proves nothing.
  assert.equal(decodeAddress('0100007F'), '127.0.0.1');
  assert.equal(decodeAddress('00000000'), '0.0.0.0');
  assert.equal(decodeAddress('00000000000000000000000000000000'), '0:0:0:0:0:0:0:0');
  assert.equal(decodeAddress('00000000000000000000000001000000'), '0:0:0:0:0:0:0:1');
});
