import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { UsageError } from '../core/errors.ts';
import type { DbLocation } from '../core/db-url.ts';
import { findExecutable, freePort, searchDirs, isAlive, readPidFile, stopPid, tail } from './processes.ts';

export interface MariaDbOptions {
  /** Folder for datadir, socket, pid file and log; a fresh temp folder when omitted (and removed on stop). */
  dir?: string;
  port?: number;
  database?: string;
  bufferPool?: string;
  /** Extra `[mariadbd]` settings, e.g. Galera or replication options. */
  settings?: Record<string, string | number | boolean>;
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

const APP_USER = 'openmrs';
const ADMIN_USER = 'loadlab';

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

function configText(opts: {
  dir: string;
  port: number;
  bufferPool: string;
  initFile?: string;
  settings: Record<string, string | number | boolean>;
}): string {
  const s: Record<string, string | number | boolean> = {
    datadir: join(opts.dir, 'data'),
    port: opts.port,
    socket: join(opts.dir, 'mysqld.sock'),
    'pid-file': join(opts.dir, 'mysqld.pid'),
    'log-error': join(opts.dir, 'error.log'),
    'bind-address': '127.0.0.1',
    'skip-name-resolve': true,
    'innodb_buffer_pool_size': opts.bufferPool,
    'innodb_log_file_size': '64M',
    'performance_schema': 'ON',
    'max_connections': 500,
    'character-set-server': 'utf8mb4',
    'collation-server': 'utf8mb4_general_ci',
    'local_infile': 'ON',
    ...(process.getuid?.() === 0 ? { user: 'root' } : {}),
    ...(opts.initFile ? { 'init-file': opts.initFile } : {}),
    ...opts.settings,
  };
  const lines = Object.entries(s).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return `[mariadbd]\n${lines.join('\n')}\n`;
}

/**
 * Creates a datadir and starts a private MariaDB. Users are created through an init file that is
 * deleted once the server is up, so passwords live only in this process's memory (and in state files
 * the caller chooses to write).
 */
export async function startMariaDb(opts: MariaDbOptions = {}): Promise<MariaDbServer> {
  const { mariadbd, installDb } = mariadbBinaries();
  const ownDir = !opts.dir;
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), 'loadlab-mariadb-')));
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? 'openmrs';
  const appPassword = randomBytes(12).toString('hex');
  const adminPassword = randomBytes(12).toString('hex');
  const initFile = join(dir, 'init.sql');
  writeFileSync(
    initFile,
    [
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4;`,
      ...['127.0.0.1', 'localhost'].flatMap((h) => [
        `CREATE OR REPLACE USER '${APP_USER}'@'${h}' IDENTIFIED BY '${appPassword}';`,
        `GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${APP_USER}'@'${h}';`,
        `GRANT PROCESS, REPLICATION CLIENT ON *.* TO '${APP_USER}'@'${h}';`,
        `CREATE OR REPLACE USER '${ADMIN_USER}'@'${h}' IDENTIFIED BY '${adminPassword}';`,
        `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'${h}' WITH GRANT OPTION;`,
      ]),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const cnf = join(dir, 'my.cnf');
  const cnfArgs = { dir, port, bufferPool: opts.bufferPool ?? '256M', settings: opts.settings ?? {} };
  writeFileSync(cnf, configText({ ...cnfArgs, initFile }));

  const install = spawnSync(installDb, [`--defaults-file=${cnf}`, '--skip-test-db', '--auth-root-authentication-method=socket'], {
    encoding: 'utf8',
  });
  if (install.status !== 0) {
    throw new Error(`mariadb-install-db failed (exit ${install.status}):\n${install.stderr || install.stdout}`);
  }

  const child = spawn(mariadbd, [`--defaults-file=${cnf}`], { detached: true, stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  child.unref();
  const log = join(dir, 'error.log');
  let pid: number;
  try {
    pid = await readPidFile(join(dir, 'mysqld.pid'), 60_000, () => exited);
  } catch (e) {
    throw new Error(`mariadbd did not start: ${(e as Error).message}\n${tail(log)}`);
  }

  const host = '127.0.0.1';
  const app: DbLocation = { host, port, user: APP_USER, password: appPassword, database };
  const admin: DbLocation = { host, port, user: ADMIN_USER, password: adminPassword, database };
  try {
    await waitUntilAccepting(admin, pid, 60_000);
  } catch (e) {
    await stopPid(pid, 'SIGKILL');
    throw new Error(`${(e as Error).message}\n${tail(log)}`);
  }
  unlinkSync(initFile);
  // Restarts (faults, `up` after a crash) must not depend on the deleted init file.
  writeFileSync(cnf, configText(cnfArgs));

  let stopped = false;
  return {
    pid,
    port,
    dir,
    socket: join(dir, 'mysqld.sock'),
    app,
    admin,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopPid(pid, 'SIGTERM', 60_000);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilAccepting(db: DbLocation, pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error('mariadbd exited during start-up');
    try {
      const c = await mysql.createConnection({ ...db, connectTimeout: 2000 });
      await c.end();
      return;
    } catch (e) {
      last = e;
      await sleep(100);
    }
  }
  throw new Error(`mariadbd did not accept connections within ${timeoutMs} ms: ${(last as Error)?.message}`);
}
