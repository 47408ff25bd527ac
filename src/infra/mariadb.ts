import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';
import { UsageError } from '../core/errors.ts';
import { findExecutable, freePort, isAlive, readPidFile, searchDirs, stopPid, tail } from './processes.ts';

/** One MariaDB node's files and settings; every path lives under `dir`. */
export interface MariaDbNode {
  dir: string;
  port: number;
  bufferPool?: string;
  /** Extra `[mariadbd]` settings, e.g. Galera or replication options. */
  settings?: Record<string, string | number | boolean>;
}

/** The users loadlab creates: the application's (on its database) and an administrator for probes and set-up. */
export interface DbCredentials {
  database: string;
  app: { user: string; password: string };
  admin: { user: string; password: string };
}

/** A MariaDB server that this process started and owns: its own datadir, port, socket and pid file. */
export interface MariaDbServer {
  readonly pid: number;
  readonly port: number;
  readonly dir: string;
  readonly socket: string;
  /** The application user (all privileges on the application database). */
  readonly app: DbLocation;
  /** An administrative user (all privileges), for probes and schema work. */
  readonly admin: DbLocation;
  stop(): Promise<void>;
}

export const nodeFiles = (dir: string) => ({
  cnf: join(dir, 'my.cnf'),
  data: join(dir, 'data'),
  socket: join(dir, 'mysqld.sock'),
  pid: join(dir, 'mysqld.pid'),
  log: join(dir, 'error.log'),
  init: join(dir, 'init.sql'),
});

export function mariadbBinaries(dirs = searchDirs()): { mariadbd: string; installDb: string } {
  const mariadbd = findExecutable('mariadbd', dirs) ?? findExecutable('mysqld', dirs);
  const installDb = findExecutable('mariadb-install-db', dirs) ?? findExecutable('mysql_install_db', dirs);
  if (!mariadbd || !installDb) {
    throw new UsageError(
      'MariaDB server binaries (mariadbd, mariadb-install-db) were not found',
      'install them with: sudo apt-get install -y mariadb-server  (loadlab starts its own private server; nothing needs to be running)',
    );
  }
  return { mariadbd, installDb };
}

export function newCredentials(database = 'openmrs'): DbCredentials {
  const pw = () => randomBytes(12).toString('hex');
  return { database, app: { user: 'openmrs', password: pw() }, admin: { user: 'loadlab', password: pw() } };
}

export function locations(port: number, c: DbCredentials): { app: DbLocation; admin: DbLocation } {
  const host = '127.0.0.1';
  return {
    app: { host, port, user: c.app.user, password: c.app.password, database: c.database },
    admin: { host, port, user: c.admin.user, password: c.admin.password, database: c.database },
  };
}

/** Writes `my.cnf`; with `initFile`, the server runs it once at start (users are created that way). */
export function writeConfig(node: MariaDbNode, initFile?: string): void {
  mkdirSync(node.dir, { recursive: true });
  const f = nodeFiles(node.dir);
  const s: Record<string, string | number | boolean> = {
    datadir: f.data,
    port: node.port,
    socket: f.socket,
    'pid-file': f.pid,
    'log-error': f.log,
    'bind-address': '127.0.0.1',
    'skip-name-resolve': true,
    innodb_buffer_pool_size: node.bufferPool ?? '256M',
    innodb_log_file_size: '64M',
    performance_schema: 'ON',
    max_connections: 500,
    'character-set-server': 'utf8mb4',
    'collation-server': 'utf8mb4_general_ci',
    local_infile: 'ON',
    ...(process.getuid?.() === 0 ? { user: 'root' } : {}),
    ...(initFile ? { 'init-file': initFile } : {}),
    ...node.settings,
  };
  const lines = Object.entries(s).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  writeFileSync(f.cnf, `[mariadbd]\n${lines.join('\n')}\n`);
}

/** SQL that creates loadlab's users (and the HAProxy health-check user) on a fresh server. */
export function usersSql(c: DbCredentials, extra: string[] = []): string {
  return [
    `CREATE DATABASE IF NOT EXISTS \`${c.database}\` CHARACTER SET utf8mb4;`,
    ...['127.0.0.1', 'localhost'].flatMap((h) => [
      `CREATE OR REPLACE USER '${c.app.user}'@'${h}' IDENTIFIED BY '${c.app.password}';`,
      `GRANT ALL PRIVILEGES ON \`${c.database}\`.* TO '${c.app.user}'@'${h}';`,
      `GRANT PROCESS, REPLICATION CLIENT ON *.* TO '${c.app.user}'@'${h}';`,
      `CREATE OR REPLACE USER '${c.admin.user}'@'${h}' IDENTIFIED BY '${c.admin.password}';`,
      `GRANT ALL PRIVILEGES ON *.* TO '${c.admin.user}'@'${h}' WITH GRANT OPTION;`,
    ]),
    `CREATE OR REPLACE USER 'haproxy'@'127.0.0.1';`,
    ...extra,
    '',
  ].join('\n');
}

/** Creates an empty datadir with mariadb-install-db. */
export function installDatadir(node: MariaDbNode): void {
  const { installDb } = mariadbBinaries();
  const r = spawnSync(installDb, [`--defaults-file=${nodeFiles(node.dir).cnf}`, '--skip-test-db', '--auth-root-authentication-method=socket'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`mariadb-install-db failed (exit ${r.status}) for ${node.dir}:\n${r.stderr || r.stdout}`);
}

/**
 * Starts mariadbd on an existing config and returns its PID (from the pid file, not the spawn,
 * so the number is the server's own). `args` come after --defaults-file, e.g. `--wsrep-new-cluster`.
 */
export async function launchMariaDb(dir: string, args: string[] = [], timeoutMs = 60_000): Promise<number> {
  const { mariadbd } = mariadbBinaries();
  const f = nodeFiles(dir);
  if (existsSync(f.pid)) unlinkSync(f.pid);
  const child = spawn(mariadbd, [`--defaults-file=${f.cnf}`, ...args], { detached: true, stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  child.unref();
  try {
    return await readPidFile(f.pid, timeoutMs, () => exited);
  } catch (e) {
    throw new Error(`mariadbd in ${dir} did not start: ${(e as Error).message}; see ${f.log}:\n${tail(f.log)}`);
  }
}

export async function waitUntilAccepting(db: DbLocation, pid: number, log: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`mariadbd (pid ${pid}) exited during start-up; see ${log}:\n${tail(log)}`);
    try {
      const c = await mysql.createConnection({ ...db, connectTimeout: 2000 });
      await c.end();
      return;
    } catch (e) {
      last = e;
      await sleep(100);
    }
  }
  throw new Error(`mariadbd did not accept connections within ${timeoutMs} ms (${(last as Error)?.message}); see ${log}:\n${tail(log)}`);
}

/**
 * Initialises and starts a node whose users come from a one-off init file, deleted once the
 * server is up, so passwords live only in memory and in state the caller chooses to write.
 */
export async function bootstrapNode(node: MariaDbNode, c: DbCredentials, opts: { args?: string[]; extraSql?: string[] } = {}) {
  const f = nodeFiles(node.dir);
  mkdirSync(node.dir, { recursive: true });
  writeFileSync(f.init, usersSql(c, opts.extraSql), { mode: 0o600 });
  writeConfig(node, f.init);
  installDatadir(node);
  const pid = await launchMariaDb(node.dir, opts.args);
  try {
    await waitUntilAccepting(locations(node.port, c).admin, pid, f.log);
  } catch (e) {
    await stopPid(pid, 'SIGKILL');
    throw e;
  } finally {
    if (existsSync(f.init)) unlinkSync(f.init);
  }
  // Restarts (faults, recovery) must not depend on the deleted init file.
  writeConfig(node);
  return pid;
}

/** A standalone private MariaDB for tests, `demo` and single-database topologies. */
export async function startMariaDb(
  opts: { dir?: string; port?: number; database?: string; bufferPool?: string; settings?: MariaDbNode['settings'] } = {},
): Promise<MariaDbServer> {
  mariadbBinaries();
  const ownDir = !opts.dir;
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), 'loadlab-mariadb-')));
  const port = opts.port ?? (await freePort());
  const creds = newCredentials(opts.database);
  const pid = await bootstrapNode({ dir, port, bufferPool: opts.bufferPool, settings: opts.settings }, creds);
  let stopped = false;
  return {
    pid,
    port,
    dir,
    socket: nodeFiles(dir).socket,
    ...locations(port, creds),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopPid(pid, 'SIGTERM', 60_000);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
