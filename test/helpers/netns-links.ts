import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The network plumbing of multi-host tests: worker "hosts" are network namespaces, each with
 * two veth links into two bridges on this machine, one bridge carrying only Temporal traffic
 * and one only Postgres traffic, so either link of one host can be cut alone. Every name holds
 * a per-run tag, and `removeStaleNetworks` deletes what a crashed run left behind.
 */

/** Which of a host's links a fault applies to. */
export type LinkKind = 'temporal' | 'postgres';
export type LinkTarget = LinkKind | 'both';
/**
 * `down`: the host-side end of the link is set down (the namespace sees NO-CARRIER).
 * `drop`: both ends get a qdisc that queues nothing, so every packet is dropped silently and
 * the link still looks up; this kernel has no netem, and `pfifo limit 0` needs no module.
 */
export type CutMode = 'down' | 'drop';

export const namespacePrefix = 'regsweep-t';
// Interface names are limited to 15 characters: `rsw` + 4-hex tag + host index + kind + side.
const linkPrefix = 'rsw';
const addressPrefix = '10.231';

export const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const tc = (ns: string | null, ...args: string[]): string =>
  ns === null ? execFileSync('tc', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) : ip('netns', 'exec', ns, 'tc', ...args);
const quietly = (f: () => unknown): void => {
  try {
    f();
  } catch {
    // Cleanup of something already gone.
  }
};

/**
 * Null when this process may create namespaces and veth links, else why not (the only reason a
 * multi-host test skips). Where they are required (REGSWEEP_REQUIRE_NETNS=1, set by .ci/run,
 * whose machine runs as root), a missing capability fails the test file instead of skipping it.
 */
export function netnsUnavailable(): string | null {
  const reason = netnsProbe();
  if (reason !== null && process.env.REGSWEEP_REQUIRE_NETNS === '1') {
    throw new Error(`multi-host tests are required (REGSWEEP_REQUIRE_NETNS=1) but cannot run: ${reason}`);
  }
  return reason;
}

function netnsProbe(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `${namespacePrefix}probe-${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (err) {
    return `ip netns add failed: ${String((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`;
  }
}

/** One bridge on this machine: the servers listen on its address, hosts' links attach to it. */
export interface Bridge {
  name: string;
  /** The subnet's first three octets, e.g. `10.231.42`. */
  subnet: string;
  address: string;
}

/** A network of one test run: its tag, its two bridges and the hosts attached so far. */
export interface TestNetwork {
  tag: string;
  temporal: Bridge;
  postgres: Bridge;
  namespaces: string[];
  /** Removes every namespace and link of this network; safe to call twice. */
  remove(): void;
}

// Which process owns each tag, and the server processes it started outside the namespaces: a
// later run removes a tag's leftovers only once its owner is gone, so concurrent runs coexist.
const ownersDir = path.join(os.tmpdir(), 'regsweep-netns-owners');
const ownerFile = (tag: string): string => path.join(ownersDir, `${tag}.json`);

/** Records that this process owns `tag`, started `pids` and wrote `dir` (killed and removed by a later run if this one crashes). */
export function recordOwner(tag: string, pids: number[], dir: string | null = null): void {
  mkdirSync(ownersDir, { recursive: true, mode: 0o700 });
  writeFileSync(ownerFile(tag), JSON.stringify({ owner: process.pid, pids, dir }));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function ownerOf(tag: string): { owner: number; pids: number[]; dir?: string | null } | null {
  try {
    return JSON.parse(readFileSync(ownerFile(tag), 'utf8')) as { owner: number; pids: number[]; dir?: string | null };
  } catch {
    return null;
  }
}

const killNamespace = (ns: string): void => {
  quietly(() => {
    for (const pid of ip('netns', 'pids', ns).split('\n').filter(Boolean)) quietly(() => process.kill(Number(pid), 'SIGKILL'));
  });
  quietly(() => ip('netns', 'del', ns));
};

/**
 * Deletes the namespaces, links and server processes of earlier runs whose owner process is
 * gone (a crashed or killed test run), killing processes still inside the namespaces.
 */
export function removeStaleNetworks(): void {
  const stale = (tag: string): boolean => {
    const record = ownerOf(tag);
    return record === null || !alive(record.owner);
  };
  for (const line of ip('netns', 'list').split('\n')) {
    const ns = line.split(' ')[0];
    const tag = ns?.startsWith(namespacePrefix) ? /^([0-9a-f]{4})-/.exec(ns.slice(namespacePrefix.length))?.[1] : undefined;
    if (ns && tag && stale(tag)) killNamespace(ns);
  }
  for (const line of ip('-o', 'link', 'show').split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    const tag = name ? new RegExp(`^${linkPrefix}([0-9a-f]{4})`).exec(name)?.[1] : undefined;
    if (name && tag && stale(tag)) quietly(() => ip('link', 'del', name));
  }
  for (const file of (() => {
    try {
      return readdirSync(ownersDir);
    } catch {
      return [];
    }
  })()) {
    const tag = file.replace(/\.json$/, '');
    const record = ownerOf(tag);
    if (record !== null && alive(record.owner)) continue;
    for (const pid of record?.pids ?? []) if (alive(pid)) quietly(() => process.kill(pid, 'SIGKILL'));
    if (record?.dir) rmSync(record.dir, { recursive: true, force: true });
    rmSync(ownerFile(tag), { force: true });
  }
}

function usedSubnets(): Set<string> {
  return new Set([...ip('-4', '-o', 'addr', 'show').matchAll(/inet (\d+\.\d+\.\d+)\.\d+/g)].map((m) => m[1]!));
}

function addBridge(name: string, subnet: string): Bridge {
  const address = `${subnet}.1`;
  ip('link', 'add', name, 'type', 'bridge');
  ip('addr', 'add', `${address}/24`, 'dev', name);
  ip('link', 'set', name, 'up');
  return { name, subnet, address };
}

/** Two fresh bridges on free 10.231.x.0/24 subnets, named with a fresh tag. */
export function createTestNetwork(): TestNetwork {
  const tag = randomBytes(2).toString('hex');
  const used = usedSubnets();
  const free = Array.from({ length: 127 }, (_, i) => 2 * i).filter((k) => !used.has(`${addressPrefix}.${k}`) && !used.has(`${addressPrefix}.${k + 1}`));
  const k = free[Math.floor(Math.random() * free.length)];
  if (k === undefined) throw new Error(`no free pair of ${addressPrefix}.x.0/24 subnets on this machine`);
  recordOwner(tag, []);
  const network: TestNetwork = {
    tag,
    temporal: null as unknown as Bridge,
    postgres: null as unknown as Bridge,
    namespaces: [],
    remove: () => {
      for (const ns of network.namespaces) killNamespace(ns);
      network.namespaces.length = 0;
      for (const b of [network.temporal, network.postgres]) if (b) quietly(() => ip('link', 'del', b.name));
      rmSync(ownerFile(tag), { force: true });
    },
  };
  try {
    network.temporal = addBridge(`${linkPrefix}${tag}t`, `${addressPrefix}.${k}`);
    network.postgres = addBridge(`${linkPrefix}${tag}p`, `${addressPrefix}.${k + 1}`);
  } catch (err) {
    network.remove();
    throw err;
  }
  return network;
}

/** A namespace with its two links; the address of each inside the namespace. */
export interface HostLinks {
  ns: string;
  /** Host-side veth ends (on the bridges), by link kind. */
  hostSide: Record<LinkKind, string>;
  /** Namespace-side interface names (`temporal0`, `postgres0`). */
  inside: Record<LinkKind, string>;
  addresses: Record<LinkKind, string>;
}

/** Adds host number `index` (1-based, at most 9) as namespace `regsweep-t<tag>-<name>` with one link into each bridge. */
export function addHostNamespace(network: TestNetwork, index: number, name: string): HostLinks {
  const ns = `${namespacePrefix}${network.tag}-${name}`;
  ip('netns', 'add', ns);
  network.namespaces.push(ns);
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  const links = { ns, hostSide: {}, inside: {}, addresses: {} } as HostLinks;
  for (const kind of ['temporal', 'postgres'] as const) {
    const bridge = network[kind];
    const hostSide = `${linkPrefix}${network.tag}${index}${kind[0]}`;
    const inside = `${kind}0`;
    const address = `${bridge.subnet}.${10 + index}`;
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', `${hostSide}n`);
    ip('link', 'set', `${hostSide}n`, 'netns', ns);
    ip('-n', ns, 'link', 'set', `${hostSide}n`, 'name', inside);
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', inside);
    ip('-n', ns, 'link', 'set', inside, 'up');
    ip('link', 'set', hostSide, 'master', bridge.name, 'up');
    links.hostSide[kind] = hostSide;
    links.inside[kind] = inside;
    links.addresses[kind] = address;
  }
  return links;
}

const kindsOf = (target: LinkTarget): LinkKind[] => (target === 'both' ? ['temporal', 'postgres'] : [target]);

/** Cuts a host's link(s): set down, or silently dropping every packet in both directions. */
export function cutLinks(host: HostLinks, target: LinkTarget, mode: CutMode): void {
  for (const kind of kindsOf(target)) {
    if (mode === 'down') {
      ip('link', 'set', host.hostSide[kind], 'down');
    } else {
      tc(null, 'qdisc', 'replace', 'dev', host.hostSide[kind], 'root', 'pfifo', 'limit', '0');
      tc(host.ns, 'qdisc', 'replace', 'dev', host.inside[kind], 'root', 'pfifo', 'limit', '0');
    }
  }
}

/** Undoes {@link cutLinks} of either mode: the link up, the dropping qdiscs removed. */
export function restoreLinks(host: HostLinks, target: LinkTarget): void {
  for (const kind of kindsOf(target)) {
    ip('link', 'set', host.hostSide[kind], 'up');
    quietly(() => tc(null, 'qdisc', 'del', 'dev', host.hostSide[kind], 'root'));
    quietly(() => tc(host.ns, 'qdisc', 'del', 'dev', host.inside[kind], 'root'));
  }
}
