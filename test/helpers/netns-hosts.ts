import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../config';
import { stopChild } from '../../infra/local/stop-child';
import { connectClient } from '../../infra/temporal/connect';
import { locateTemporalCli } from '../../infra/temporal/temporal-cli';
import {
  addHostNamespace,
  createTestNetwork,
  cutLinks,
  ip,
  recordOwner,
  removeStaleNetworks,
  restoreLinks,
  type CutMode,
  type HostLinks,
  type LinkTarget,
  type TestNetwork,
} from './netns-links';
import { startBridgePostgres, startBridgeTemporal, type HostServer } from './netns-servers';

export { netnsUnavailable, type CutMode, type LinkTarget } from './netns-links';

/** A worker process and everything it printed, line by line. */
export interface HostWorker {
  /** Temporal identity and `runs.worker` value: `<host name>/<pid>`. */
  identity: string;
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string | null>;
}

/** A simulated machine: a network namespace with a Temporal link and a Postgres link. */
export interface WorkerHost {
  name: string;
  links: HostLinks;
  workers: HostWorker[];
}

/** What {@link startHosts} stood up; `stop()` removes all of it. */
export interface HostsCluster {
  network: TestNetwork;
  postgres: HostServer;
  temporal: HostServer;
  /** Admin URL of the harness's Postgres, reachable from this machine and from every host. */
  databaseUrl: string;
  client: Client;
  hosts: WorkerHost[];
  /** Per-run folder: server logs and `<worker identity>.log` files. */
  dir: string;
  addHost(name: string): WorkerHost;
  /** Starts `regsweep worker --role <role> …` on `host` (null: on this machine, outside any namespace); resolves once it is ready. */
  startWorker(host: WorkerHost | null, role: 'orchestrate' | 'train', args?: string[]): Promise<HostWorker>;
  cut(host: WorkerHost, target: LinkTarget, mode: CutMode): void;
  restore(host: WorkerHost, target: LinkTarget): void;
  /** The host's TCP connections over one link, as `ss -tn` inside its namespace lists them (state, local, peer). */
  sockets(host: WorkerHost, kind: 'temporal' | 'postgres'): string[];
  stop(): Promise<void>;
}

const cliEntry = fileURLToPath(new URL('../../bin/regsweep.mjs', import.meta.url));
// Every worker of a sweep uses the same OpenBLAS thread count (results match to the last digit);
// one thread keeps three training hosts from oversubscribing a small machine.
export const hostBlasThreads = '1';

/**
 * Starts Postgres and the Temporal dev server on two bridges of this machine and one namespace
 * per name in `hostNames`, each with its own Temporal and Postgres link (see netns-links.ts).
 * No worker runs until {@link HostsCluster.startWorker}. Leftovers of crashed earlier runs are
 * removed first; everything is removed by `stop()` and, if the process exits without it, by
 * an exit handler.
 */
export async function startHosts(hostNames: string[]): Promise<HostsCluster> {
  removeStaleNetworks();
  const network = createTestNetwork();
  const dir = mkdtempSync(path.join(os.tmpdir(), `regsweep-hosts-${network.tag}-`));
  // The Postgres server runs as its own OS user and must enter this folder.
  chmodSync(dir, 0o711);
  const children: ChildProcess[] = [];
  const onExit = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    network.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const servers: HostServer[] = [];
  try {
    const postgres = await startBridgePostgres(network, dir);
    servers.push(postgres);
    children.push(postgres.process);
    const temporal = await startBridgeTemporal(network, dir, locateTemporalCli(loadConfig().temporalCliPath));
    servers.push(temporal);
    children.push(temporal.process);
    recordOwner(network.tag, [postgres.process.pid!, temporal.process.pid!], dir);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: postgres.address,
      TEMPORAL_ADDRESS: temporal.address,
      REGSWEEP_HOME: path.join(dir, 'home'),
      OPENBLAS_NUM_THREADS: hostBlasThreads,
    };
    const client = await connectClient(temporal.address, loadConfig(env), 30_000);
    const hosts: WorkerHost[] = [];
    const addHost = (name: string): WorkerHost => {
      const host = { name, links: addHostNamespace(network, hosts.length + 1, name), workers: [] };
      hosts.push(host);
      return host;
    };
    for (const name of hostNames) addHost(name);
    const startWorker = async (host: WorkerHost | null, role: 'orchestrate' | 'train', args: string[] = []): Promise<HostWorker> => {
      const node = [process.execPath, cliEntry, 'worker', '--role', role, ...args];
      // A namespace of its own for the host name too, so `os.hostname()` (the first half of the
      // worker identity, stored in runs.worker) names the simulated host.
      const child =
        host === null
          ? spawn(node[0]!, node.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] })
          : spawn('ip', ['netns', 'exec', host.links.ns, 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', host.name, ...node], {
              env,
              stdio: ['ignore', 'pipe', 'pipe'],
            });
      children.push(child);
      const worker = await collectUntilReady(child, host?.name ?? os.hostname(), role, dir);
      host?.workers.push(worker);
      return worker;
    };
    return {
      network,
      postgres,
      temporal,
      databaseUrl: postgres.address,
      client,
      hosts,
      dir,
      addHost,
      startWorker,
      cut: (host, target, mode) => cutLinks(host.links, target, mode),
      restore: (host, target) => restoreLinks(host.links, target),
      sockets: (host, kind) =>
        ip('netns', 'exec', host.links.ns, 'ss', '-tnH', 'dst', network[kind].address)
          .split('\n')
          .filter(Boolean)
          .map((l) =>
            l
              .trim()
              .split(/\s+/)
              .filter((_, i) => i !== 1 && i !== 2)
              .join(' '),
          ),
      stop: async () => {
        await client.connection.close().catch(() => undefined);
        // Restored first, so that workers can deregister and exit cleanly.
        for (const host of hosts) restoreLinks(host.links, 'both');
        await Promise.all(children.filter((c) => !servers.some((s) => s.process === c)).map((c) => stopChild(c, 10_000)));
        for (const s of servers.reverse()) await s.stop();
        network.remove();
        process.removeListener('exit', onExit);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const s of servers.reverse()) await s.stop().catch(() => undefined);
    onExit();
    process.removeListener('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Collects a worker's output (also into `<dir>/<host>-<pid>.log`) and resolves once it prints its ready line. */
function collectUntilReady(child: ChildProcess, hostName: string, role: string, dir: string): Promise<HostWorker> {
  const logFile = path.join(dir, `${hostName}-${child.pid}.log`);
  const worker: HostWorker = {
    identity: `${hostName}/${child.pid}`,
    child,
    stdout: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal))),
  };
  const record = (line: string): void => {
    try {
      appendFileSync(logFile, `${line}\n`);
    } catch {
      // The run's folder is already removed: the test is over.
    }
  };
  const verbose = process.env.REGSWEEP_TEST_VERBOSE ? (l: string) => process.stderr.write(`[${worker.identity}] ${l}\n`) : () => undefined;
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (l) => {
      worker.stderr.push(l);
      record(`stderr ${l}`);
      verbose(l);
    });
    createInterface({ input: child.stdout! }).on('line', (l) => {
      worker.stdout.push(l);
      record(`stdout ${l}`);
      verbose(l);
      // The ready line names the identity the worker registered with: `worker <host>/<pid> role=… ready`.
      const ready = /^worker (\S+) role=.* ready$/.exec(l);
      if (ready) {
        worker.identity = ready[1]!;
        resolve(worker);
      }
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the ${role} worker on ${hostName} exited with code ${code} before it was ready: ${worker.stderr.slice(-3).join(' | ')}`)),
    );
  });
}
