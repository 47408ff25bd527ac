import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import type { DbLocation } from '../../src/core/db-url.ts';

/** One query on a fresh connection (tests talk to several servers at once). */
export async function query(db: DbLocation, sql: string, params: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const c = await mysql.createConnection(db);
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>(sql, params);
    return rows;
  } finally {
    await c.end();
  }
}

/** Polls `fn` until `ok` holds; errors count as "not yet" (a node still joining, a reader catching up). */
export async function poll<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch {
      /* not there yet */
    }
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
