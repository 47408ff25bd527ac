/**
 * A Galera cluster of private MariaDB nodes on loopback (see shared/reference/infrastructure.md).
 * Node 1 is bootstrapped and seeded alone; the joiners receive its files by rsync SST, which
 * is much faster than replicating a bulk seed write-set by write-set.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, fstatSync, lchownSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';
import {
  bootstrapNode,
  launchMariaDb,
  locations,
  mariadbBinaries,
  nodeFiles,
  writeConfig,
  type DbCredentials,
  type MariaDbNode,
} from './mariadb.ts';
import { freePort, isAlive, stopPid, tail } from './processes.ts';

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

export interface GaleraNodeSpec {
  /** 1-based; node 1 bootstraps the cluster. */
  index: number;
  dir: string;
  port: number;
  gmcastPort: number;
  istPort: number;
  sstPort: number;
}

export interface GaleraStatus {
  clusterSize: number;
  state: string;
  ready: boolean;
  flowControlPaused: number;
  certFailures: number;
  bfAborts: number;
  recvQueue: number;
  sendQueue: number;
  lastCommitted: number;
}

export interface GaleraStartOptions {
  bufferPool?: string;
  /** Runs on node 1 alone, before any joiner: install the schema and seed here, with `wsrep_on = OFF`. */
  beforeJoin?: (admin: DbLocation, app: DbLocation) => Promise<void>;
  /** How long one node may take to reach Synced (a joiner's SST copies the whole seed). */
  syncTimeoutMs?: number;
}

const CLUSTER_NAME = 'loadlab';
const DEFAULT_SYNC_TIMEOUT = 300_000;

/** Distinct free ports; the kernel may hand the same one out twice once its listener is closed. */
async function distinctPorts(n: number): Promise<number[]> {
  const seen = new Set<number>();
  while (seen.size < n) seen.add(await freePort());
  return [...seen];
}

/** Chooses ports and folders for `n` nodes under `dir`; nothing is written yet. */
export async function planGalera(dir: string, n: number): Promise<GaleraNodeSpec[]> {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`a Galera cluster needs at least one node, got ${n}`);
  const ports = await distinctPorts(4 * n);
  const at = (i: number) => ports[i] as number;
  return Array.from({ length: n }, (_, i) => ({
    index: i + 1,
    dir: join(resolve(dir), `galera-${i + 1}`),
    port: at(4 * i),
    gmcastPort: at(4 * i + 1),
    istPort: at(4 * i + 2),
    sstPort: at(4 * i + 3),
  }));
}

export const galeraNodeName = (spec: GaleraNodeSpec) => `galera-${spec.index}`;

function galeraSettings(spec: GaleraNodeSpec, all: GaleraNodeSpec[]): Record<string, string | number> {
  const provider = [`gmcast.listen_addr=tcp://127.0.0.1:${spec.gmcastPort}`, `ist.recv_addr=127.0.0.1:${spec.istPort}`, 'gcache.size=64M'];
  return {
    binlog_format: 'ROW',
    innodb_autoinc_lock_mode: 2,
    wsrep_on: 'ON',
    wsrep_provider: GALERA_PROVIDER,
    wsrep_cluster_name: CLUSTER_NAME,
    wsrep_cluster_address: `gcomm://${all.map((n) => `127.0.0.1:${n.gmcastPort}`).join(',')}`,
    wsrep_node_address: `127.0.0.1:${spec.gmcastPort}`,
    wsrep_node_name: galeraNodeName(spec),
    wsrep_provider_options: `"${provider.join(';')}"`,
    wsrep_sst_method: 'rsync',
    wsrep_sst_receive_address: `127.0.0.1:${spec.sstPort}`,
    wsrep_slave_threads: 2,
  };
}

function mariaDbNode(spec: GaleraNodeSpec, all: GaleraNodeSpec[], bufferPool?: string): MariaDbNode {
  return { dir: spec.dir, port: spec.port, bufferPool, settings: galeraSettings(spec, all) };
}

export async function galeraStatus(admin: DbLocation): Promise<GaleraStatus> {
  const c = await mysql.createConnection({ ...admin, connectTimeout: 2000 });
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'wsrep_%'");
    const v = new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
    const num = (k: string) => Number(v.get(k) ?? NaN);
    return {
      clusterSize: num('wsrep_cluster_size'),
      state: v.get('wsrep_local_state_comment') ?? '',
      ready: v.get('wsrep_ready') === 'ON',
      flowControlPaused: num('wsrep_flow_control_paused'),
      certFailures: num('wsrep_local_cert_failures'),
      bfAborts: num('wsrep_local_bf_aborts'),
      recvQueue: num('wsrep_local_recv_queue'),
      sendQueue: num('wsrep_local_send_queue'),
      lastCommitted: num('wsrep_last_committed'),
    };
  } finally {
    await c.end();
  }
}

/**
 * Polls until the node at `admin` is Synced and ready (and, with `clusterSize`, sees that many
 * members). Fails fast when `pid` exits, naming the node's port and log.
 */
export async function waitSynced(admin: DbLocation, pid: number, log: string, timeoutMs: number, clusterSize?: number): Promise<GaleraStatus> {
  const deadline = Date.now() + timeoutMs;
  const who = `Galera node on port ${admin.port} (pid ${pid})`;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`${who} exited before it was Synced; see ${log}:\n${tail(log, 25)}`);
    try {
      const s = await galeraStatus(admin);
      if (s.ready && s.state === 'Synced' && (clusterSize === undefined || s.clusterSize === clusterSize)) return s;
      last = `state ${s.state || '?'}, ready ${s.ready}, cluster size ${s.clusterSize}`;
    } catch (e) {
      // Refused while a joiner receives its SST; that is the normal case here.
      last = (e as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${who} was not Synced${clusterSize ? ` in a cluster of ${clusterSize}` : ''} within ${timeoutMs} ms (${last}); see ${log}:\n${tail(log, 25)}`);
}

/**
 * rsync's SST daemon drops to nobody:nogroup when started as root, so a datadir that receives
 * state (a full SST, or even IST, whose completion marker comes by rsync) must belong to nobody,
 * folders included, and every folder above it must be enterable by others. mariadbd, as root,
 * still reads and writes everything.
 */
function openDatadirToRsync(spec: GaleraNodeSpec, root: string, empty: boolean): void {
  const data = nodeFiles(spec.dir).data;
  if (empty) {
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
  }
  if (process.getuid?.() !== 0) return;
  const uid = nobodyId('passwd', 'nobody', 65534);
  const gid = nobodyId('group', 'nogroup', 65534);
  chownSync(data, uid, gid);
  for (const entry of readdirSync(data, { recursive: true, encoding: 'utf8' })) lchownSync(join(data, entry), uid, gid);
  for (let d = dirname(data); ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      // Our own folders (the cluster's dir included, which the caller gave us) may be opened up.
      if (d === root || d.startsWith(root + '/')) chmodSync(d, (mode & 0o7777) | 0o011);
      else throw new Error(`rsync SST runs as 'nobody' and cannot enter ${d} (mode ${(mode & 0o777).toString(8)}); put the cluster under /tmp or chmod o+x ${d}`);
    }
    if (d === dirname(d)) break;
  }
}

function nobodyId(db: 'passwd' | 'group', name: string, fallback: number): number {
  const r = spawnSync('getent', [db, name], { encoding: 'utf8' });
  const id = Number(r.stdout?.split(':')[2]);
  return r.status === 0 && Number.isInteger(id) ? id : fallback;
}

/**
 * Bootstraps node 1, lets `beforeJoin` fill it, then adds the joiners one at a time (a donor
 * serves one SST at a time anyway). Returns the PIDs in node order; on failure stops what it started.
 */
export async function startGalera(nodes: GaleraNodeSpec[], creds: DbCredentials, opts: GaleraStartOptions = {}): Promise<number[]> {
  const first = nodes[0];
  if (!first) throw new Error('startGalera needs at least one node');
  if (!existsSync(GALERA_PROVIDER)) throw new Error(`the Galera provider ${GALERA_PROVIDER} is missing; install it with: apt-get install -y galera-4`);
  mariadbBinaries();
  const timeout = opts.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT;
  const root = dirname(first.dir);
  const pids: number[] = [];
  try {
    mkdirSync(first.dir, { recursive: true });
    const pid1 = await bootstrapNode(mariaDbNode(first, nodes, opts.bufferPool), creds, { args: ['--wsrep-new-cluster'] });
    pids.push(pid1);
    const loc1 = locations(first.port, creds);
    await waitSynced(loc1.admin, pid1, nodeFiles(first.dir).log, timeout, 1);
    await opts.beforeJoin?.(loc1.admin, loc1.app);

    for (const spec of nodes.slice(1)) {
      writeConfig(mariaDbNode(spec, nodes, opts.bufferPool));
      openDatadirToRsync(spec, root, true);
      // The pid file may only appear once the SST is in, so the launch waits as long as the sync.
      const pid = await launchMariaDb(spec.dir, [], timeout);
      pids.push(pid);
      await waitSynced(locations(spec.port, creds).admin, pid, nodeFiles(spec.dir).log, timeout, pids.length);
    }
    return pids;
  } catch (e) {
    for (const pid of pids.reverse()) await stopPid(pid, 'SIGKILL');
    throw e;
  }
}

/** The bytes appended to `path` since it was `from` bytes long. */
function readFrom(path: string, from: number): string {
  if (!existsSync(path)) return '';
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= from) return '';
    const buf = Buffer.alloc(size - from);
    readSync(fd, buf, 0, buf.length, from);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** Whether `pid` is a server on this config; a killed node's stale pid file may name a reused PID. */
function runsConfig(pid: number, cnf: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(cnf);
  } catch {
    return true;
  }
}

/**
 * Brings back a node that was killed or stopped while the others kept running: --wsrep-recover
 * finds the last committed position in its InnoDB files, and starting from that position lets a
 * donor send the missed write-sets from its gcache (IST) instead of the whole datadir (SST).
 */
export async function restartGaleraNode(node: GaleraNodeSpec, creds: DbCredentials, timeoutMs = DEFAULT_SYNC_TIMEOUT): Promise<number> {
  const f = nodeFiles(node.dir);
  const name = `${galeraNodeName(node)} (port ${node.port})`;
  const old = existsSync(f.pid) ? Number(readFileSync(f.pid, 'utf8').trim()) : 0;
  if (old > 0 && isAlive(old) && runsConfig(old, f.cnf)) throw new Error(`${name} is still running as pid ${old}; stop it before restarting it`);
  const { mariadbd } = mariadbBinaries();
  openDatadirToRsync(node, dirname(node.dir), false);
  const before = sizeOf(f.log);
  const r = spawnSync(mariadbd, [`--defaults-file=${f.cnf}`, '--wsrep-recover'], { encoding: 'utf8', timeout: timeoutMs });
  const recovered = [...readFrom(f.log, before).matchAll(/Recovered position:\s*(\S+:-?\d+)/g)].pop()?.[1];
  if (!recovered) {
    throw new Error(`${name}: --wsrep-recover (exit ${r.status}) reported no position; see ${f.log}:\n${tail(f.log, 25)}${r.stderr ? `\n${r.stderr.trim()}` : ''}`);
  }
  let pid: number;
  try {
    pid = await launchMariaDb(node.dir, [`--wsrep_start_position=${recovered}`], timeoutMs);
  } catch (e) {
    throw new Error(`${name} could not rejoin: ${(e as Error).message}`);
  }
  try {
    await waitSynced(locations(node.port, creds).admin, pid, f.log, timeoutMs);
  } catch (e) {
    await stopPid(pid, 'SIGKILL');
    throw new Error(`${name} could not rejoin the cluster from position ${recovered}: ${(e as Error).message}`);
  }
  return pid;
}
