import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';

/** Where each REST resource's rows live (a patient's uuid is its person's). */
const TABLES: Record<string, string> = {
  patient: 'person',
  person: 'person',
  visit: 'visit',
  encounter: 'encounter',
  obs: 'obs',
};

/** A ledger lookup straight in the database: finds writes even if the REST layer would hide them. */
export function dbLookup(db: DbLocation) {
  return async (resource: string, uuids: string[]): Promise<Set<string> | null> => {
    const table = TABLES[resource];
    if (!table) return null;
    const c = await mysql.createConnection(db);
    try {
      const found = new Set<string>();
      for (let i = 0; i < uuids.length; i += 1000) {
        const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT uuid FROM ${table} WHERE uuid IN (?)`, [uuids.slice(i, i + 1000)]);
        for (const r of rows) found.add(r.uuid as string);
      }
      return found;
    } finally {
      await c.end();
    }
  };
}
