/**
 * The Aurora-like local stand-in: one writer and asynchronous GTID readers (see
 * shared/reference/infrastructure.md). Readers start from a file copy of the seeded writer,
 * which is far faster than replaying a bulk seed through the binlog.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';
import { bootstrapNode, launchMariaDb, locations, nodeFiles, waitUntilAccepting, writeConfig, type DbCredentials, type MariaDbNode } from './mariadb.ts';
import { freePort, stopPid, tail } from './processes.ts';

export interface AuroraNodeSpec {
  name: string;
  dir: string;
  port: number;
  serverId: number;
}

export interface AuroraPlan {
  writer: AuroraNodeSpec;
  readers: AuroraNodeSpec[];
}

/** The replication account readers use to pull the writer's binlog. */
export interface ReplicationUser {
  user: string;
  password: string;
}

export interface AuroraCluster {
  writerPid: number;
  /** In the order of `plan.readers`. */
  readerPids: number[];
  repl: ReplicationUser;
}

export interface AuroraStartOptions {
  bufferPool?: string;
  /** Runs on the writer before any reader exists: install the schema and seed here, with `sql_log_bin = 0`. */
  beforeReaders?: (admin: DbLocation, app: DbLocation) => Promise<void>;
}

export interface ReaderStatus {
  ioRunning: boolean;
  sqlRunning: boolean;
  secondsBehind: number | null;
  /** The writer's last seq_no in GTID domain 0 minus the reader's last applied one; null when the writer is unreachable. */
  gtidLag: number | null;
  readerGtid: string;
  writerGtid: string | null;
  lastError: string;
}

const BINLOG = 'mysql-bin';
const HEARTBEAT_TABLE = 'loadlab_heartbeat';

export async function planAurora(dir: string, readers: number): Promise<AuroraPlan> {
  if (!Number.isSafeInteger(readers) || readers < 0) throw new Error(`readers must be a whole number, got ${readers}`);
  const ports = new Set<number>();
  while (ports.size < readers + 1) ports.add(await freePort());
  const [writerPort, ...readerPorts] = [...ports] as [number, ...number[]];
  const root = resolve(dir);
  return {
    writer: { name: 'writer', dir: join(root, 'writer'), port: writerPort, serverId: 1 },
    readers: readerPorts.map((port, i) => ({ name: `reader-${i + 1}`, dir: join(root, `reader-${i + 1}`), port, serverId: i + 2 })),
  };
}

function writerNode(spec: AuroraNodeSpec, bufferPool?: string): MariaDbNode {
  return { dir: spec.dir, port: spec.port, bufferPool, settings: { server_id: spec.serverId, log_bin: BINLOG, binlog_format: 'ROW' } };
}

function readerNode(spec: AuroraNodeSpec, bufferPool?: string): MariaDbNode {
  return {
    dir: spec.dir,
    port: spec.port,
    bufferPool,
    settings: {
      server_id: spec.serverId,
      log_bin: BINLOG,
      binlog_format: 'ROW',
      relay_log: 'relay-bin',
      log_slave_updates: 'ON',
      read_only: 'ON',
      slave_parallel_threads: 2,
      slave_parallel_mode: 'optimistic',
    },
  };
}

async function withConnection<T>(db: DbLocation, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ ...db, connectTimeout: 2000 });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function scalar(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<unknown> {
  const [rows] = await c.query<mysql.RowDataPacket[]>(sql, params);
  const row = rows[0];
  return row ? Object.values(row)[0] : undefined;
}

/**
 * Starts the writer, lets `beforeReaders` fill it, then stops it once to copy its files to every
 * reader and points each reader at the writer from the writer's GTID position. On failure stops
 * what it started.
 */
export async function startAurora(plan: AuroraPlan, creds: DbCredentials, opts: AuroraStartOptions = {}): Promise<AuroraCluster> {
  const repl: ReplicationUser = { user: 'repl', password: randomBytes(12).toString('hex') };
  const pids: number[] = [];
  const w = plan.writer;
  const wLoc = locations(w.port, creds);
  const wLog = nodeFiles(w.dir).log;
  try {
    mkdirSync(w.dir, { recursive: true });
    let writerPid = await bootstrapNode(writerNode(w, opts.bufferPool), creds, {
      extraSql: [
        `CREATE OR REPLACE USER '${repl.user}'@'127.0.0.1' IDENTIFIED BY '${repl.password}';`,
        `GRANT REPLICATION SLAVE ON *.* TO '${repl.user}'@'127.0.0.1';`,
      ],
    });
    pids.push(writerPid);
    await opts.beforeReaders?.(wLoc.admin, wLoc.app);
    if (plan.readers.length === 0) return { writerPid, readerPids: [], repl };

    // A clean shutdown leaves consistent files; the readers then start their own binlogs.
    await stopPid(writerPid, 'SIGTERM', 120_000);
    pids.pop();
    for (const r of plan.readers) {
      writeConfig(readerNode(r, opts.bufferPool));
      copyDatadir(w.dir, r.dir);
    }
    writerPid = await launchMariaDb(w.dir);
    pids.push(writerPid);
    await waitUntilAccepting(wLoc.admin, writerPid, wLog);
    const gtid = String((await withConnection(wLoc.admin, (c) => scalar(c, 'SELECT @@GLOBAL.gtid_binlog_pos'))) ?? '');

    const readerPids: number[] = [];
    for (const r of plan.readers) {
      const pid = await launchMariaDb(r.dir);
      pids.push(pid);
      readerPids.push(pid);
      const rLoc = locations(r.port, creds);
      await waitUntilAccepting(rLoc.admin, pid, nodeFiles(r.dir).log);
      await withConnection(rLoc.admin, async (c) => {
        await c.query('SET GLOBAL gtid_slave_pos = ?', [gtid]);
        // A 1 s retry (not the default 60 s) so readers reconnect promptly after a writer fault.
        await c.query(
          `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?,
           MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
          [w.port, repl.user, repl.password],
        );
        await c.query('START SLAVE');
      });
      await waitReplicating(r, rLoc.admin, wLoc.admin);
    }
    return { writerPid, readerPids, repl };
  } catch (e) {
    for (const pid of pids.reverse()) await stopPid(pid, 'SIGKILL');
    throw e;
  }
}

/** Copies the writer's datadir without its binlogs: a reader's own binlog history starts empty. */
function copyDatadir(fromDir: string, toDir: string): void {
  const from = nodeFiles(fromDir).data;
  const to = nodeFiles(toDir).data;
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, preserveTimestamps: true, filter: (src) => !basename(src).startsWith(`${BINLOG}.`) });
}

async function waitReplicating(spec: Pick<AuroraNodeSpec, 'name' | 'dir' | 'port'>, admin: DbLocation, writer?: DbLocation | null, timeoutMs = 60_000): Promise<ReaderStatus> {
  const deadline = Date.now() + timeoutMs;
  const log = nodeFiles(spec.dir).log;
  let last: ReaderStatus | undefined;
  while (Date.now() < deadline) {
    last = await readerStatus(admin, writer);
    if (last.ioRunning && last.sqlRunning) return last;
    await sleep(100);
  }
  throw new Error(
    `${spec.name} (port ${spec.port}) is not replicating after ${timeoutMs} ms ` +
      `(io ${last?.ioRunning}, sql ${last?.sqlRunning}${last?.lastError ? `: ${last.lastError}` : ''}); see ${log}:\n${tail(log, 25)}`,
  );
}

/**
 * Starts a stopped or killed reader again (its folder and port as planned); its replication
 * settings persist, so it resumes by itself. Waits until both replication threads run.
 */
export async function restartReader(dir: string, port: number, creds: DbCredentials, writerAdmin: DbLocation | null = null): Promise<number> {
  const pid = await launchMariaDb(dir);
  const admin = locations(port, creds).admin;
  try {
    await waitUntilAccepting(admin, pid, nodeFiles(dir).log);
    await waitReplicating({ name: basename(dir), dir, port }, admin, writerAdmin);
  } catch (e) {
    await stopPid(pid, 'SIGKILL');
    throw e;
  }
  return pid;
}

/** Starts a stopped or killed writer again; readers reconnect within about a second. */
export async function restartWriter(dir: string, port: number, creds: DbCredentials): Promise<number> {
  const pid = await launchMariaDb(dir);
  await waitUntilAccepting(locations(port, creds).admin, pid, nodeFiles(dir).log);
  return pid;
}

/** The sequence number of `domain` in a GTID list such as `0-1-812,1-3-4`; 0 when absent. */
export function gtidSeq(list: string, domain = 0): number {
  for (const g of list.split(',')) {
    const [d, , seq] = g.trim().split('-');
    if (Number(d) === domain && seq !== undefined) return Number(seq);
  }
  return 0;
}

export async function readerStatus(readerAdmin: DbLocation, writerAdmin?: DbLocation | null): Promise<ReaderStatus> {
  const { row, readerGtid } = await withConnection(readerAdmin, async (c) => {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
    return { row: rows[0], readerGtid: String((await scalar(c, 'SELECT @@GLOBAL.gtid_slave_pos')) ?? '') };
  });
  let writerGtid: string | null = null;
  if (writerAdmin) {
    try {
      writerGtid = String((await withConnection(writerAdmin, (c) => scalar(c, 'SELECT @@GLOBAL.gtid_binlog_pos'))) ?? '');
    } catch {
      // A writer that is down is a state to report, not a failure to probe.
    }
  }
  const behind = row?.Seconds_Behind_Master;
  return {
    ioRunning: row?.Slave_IO_Running === 'Yes',
    sqlRunning: row?.Slave_SQL_Running === 'Yes',
    secondsBehind: behind === null || behind === undefined ? null : Number(behind),
    gtidLag: writerGtid === null ? null : gtidSeq(writerGtid) - gtidSeq(readerGtid),
    readerGtid,
    writerGtid,
    lastError: [row?.Last_IO_Error, row?.Last_SQL_Error].filter((s): s is string => typeof s === 'string' && s !== '').join('; '),
  };
}

/**
 * Replication lag as a client sees it: milliseconds from a heartbeat's commit on the writer until
 * the reader returns it. The heartbeat table is created on first use (and replicated like any table).
 */
export async function measureLag(writerAdmin: DbLocation, readerAdmin: DbLocation, timeoutMs = 30_000): Promise<number> {
  const written = await withConnection(writerAdmin, async (c) => {
    const exists = await scalar(c, 'SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [HEARTBEAT_TABLE]);
    if (Number(exists) === 0) await c.query(`CREATE TABLE IF NOT EXISTS ${HEARTBEAT_TABLE} (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL)`);
    await c.query('SET @hb = NOW(6)');
    await c.query(`REPLACE INTO ${HEARTBEAT_TABLE} (id, ts) VALUES (1, @hb)`);
    return String(await scalar(c, "SELECT DATE_FORMAT(@hb, '%Y-%m-%d %H:%i:%s.%f')"));
  });
  const started = performance.now();
  return withConnection(readerAdmin, async (c) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if (Number(await scalar(c, `SELECT COUNT(*) FROM ${HEARTBEAT_TABLE} WHERE id = 1 AND ts >= ?`, [written])) > 0) {
          return performance.now() - started;
        }
      } catch (e) {
        // The table itself may still be on its way.
        if ((e as { errno?: number }).errno !== 1146) throw e;
      }
      await sleep(1);
    }
    throw new Error(`the heartbeat written at ${written} did not reach the reader on port ${readerAdmin.port} within ${timeoutMs} ms`);
  });
}
