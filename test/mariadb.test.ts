import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import { mariadbBinaries, startMariaDb, type MariaDbServer } from '../src/infra/mariadb.ts';
import { isAlive } from '../src/infra/processes.ts';

describe('private MariaDB server', () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    server = await startMariaDb();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs as its own process with its own pid file, socket and port', () => {
    expect(isAlive(server.pid)).toBe(true);
    expect(Number(readFileSync(join(server.dir, 'mysqld.pid'), 'utf8'))).toBe(server.pid);
    expect(existsSync(server.socket)).toBe(true);
    expect(server.port).not.toBe(3306);
  });

  it('lets the application user in over TCP, to its database only', async () => {
    const c = await mysql.createConnection(server.app);
    try {
      const [[row]] = await c.query<mysql.RowDataPacket[]>('SELECT DATABASE() AS db, @@port AS port');
      expect(row).toMatchObject({ db: 'openmrs', port: server.port });
      await expect(c.query('CREATE DATABASE other')).rejects.toThrow(/denied/i);
    } finally {
      await c.end();
    }
  });

  it('has performance_schema on, for statement digests', async () => {
    const c = await mysql.createConnection(server.admin);
    try {
      const [[row]] = await c.query<mysql.RowDataPacket[]>('SELECT @@performance_schema AS ps');
      expect(Number(row?.ps)).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('leaves no password behind in its folder', () => {
    expect(existsSync(join(server.dir, 'init.sql'))).toBe(false);
    const cnf = readFileSync(join(server.dir, 'my.cnf'), 'utf8');
    expect(cnf).not.toContain(server.app.password);
    expect(cnf).not.toContain('init-file');
  });

  it('stops exactly its own process and removes its temporary folder', async () => {
    const other = await startMariaDb();
    const { pid, dir } = other;
    await other.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(isAlive(server.pid)).toBe(true);
  });
});

describe('missing MariaDB', () => {
  it('names the package to install', () => {
    let err: unknown;
    try {
      mariadbBinaries(['/nonexistent']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(String((err as UsageError).hint)).toContain('apt-get install -y mariadb-server');
  });
});
