import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/openmrs/${name}`, import.meta.url));

/** True when the database already holds the OpenMRS tables. */
export async function hasSchema(db: DbLocation): Promise<boolean> {
  const c = await mysql.createConnection(db);
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = 'patient'",
      [db.database],
    );
    return Number(rows[0]?.n) > 0;
  } finally {
    await c.end();
  }
}

/** Creates OpenMRS's tables and loads the reference metadata into an empty database. */
export async function installSchema(db: DbLocation): Promise<void> {
  const c = await mysql.createConnection({ ...db, multipleStatements: true });
  try {
    await c.query(readFileSync(fixture('schema.sql'), 'utf8'));
    await c.query(readFileSync(fixture('metadata.sql'), 'utf8'));
  } finally {
    await c.end();
  }
}
