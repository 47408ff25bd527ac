import type { RowDataPacket } from 'mysql2/promise';
import { isConnectionError } from './capabilities.ts';
import { COUNTERS, toStatusMap, type StatusMap } from './db-status.ts';

/**
 * Where a server's status counters can be read together with the probe connection's own:
 * `information_schema` (MariaDB, MySQL 5.7), `performance_schema` (MySQL 8, Aurora 3), or only
 * `show` (SHOW GLOBAL STATUS, nothing to subtract).
 */
export type StatusSource = 'information_schema' | 'performance_schema' | 'show';

/** Marks the probe's own statements, so that the digest snapshot can leave them out. */
export const PROBE_MARKER = 'loadlab_probe';

const counterList = COUNTERS.map((c) => `'${c}'`).join(', ');

/**
 * Global and session values in one statement, so both include the same share of the statement's
 * own work (its temporary tables, scans and rows sent). Separate SHOW statements cannot do this:
 * MariaDB restores a session's counters after SHOW STATUS but keeps its effect on the global ones.
 */
const combined = (schema: 'information_schema' | 'performance_schema') => `
  SELECT 'g' AS ${PROBE_MARKER}, VARIABLE_NAME AS Variable_name, VARIABLE_VALUE AS Value FROM ${schema}.GLOBAL_STATUS
  UNION ALL
  SELECT 's', VARIABLE_NAME, VARIABLE_VALUE FROM ${schema}.SESSION_STATUS WHERE VARIABLE_NAME IN (${counterList})`;

export interface StatusReading {
  source: StatusSource;
  global: StatusMap;
  /** This connection's counters; null when the source cannot give them. */
  own: StatusMap | null;
}

/**
 * Reads status from `known` or, the first time, from the first source that answers. A lost
 * connection is rethrown; a refused or unknown table moves on to the next source.
 */
export async function readStatus(run: (sql: string) => Promise<RowDataPacket[]>, known?: StatusSource): Promise<StatusReading> {
  const order: StatusSource[] = known ? [known] : ['information_schema', 'performance_schema', 'show'];
  let last: unknown;
  for (const source of order) {
    try {
      if (source === 'show') return { source, global: toStatusMap(await run('SHOW GLOBAL STATUS')), own: null };
      const rows = await run(combined(source));
      return {
        source,
        global: toStatusMap(rows.filter((r) => r[PROBE_MARKER] === 'g')),
        own: toStatusMap(rows.filter((r) => r[PROBE_MARKER] === 's')),
      };
    } catch (e) {
      if (isConnectionError(e)) throw e;
      last = e;
    }
  }
  throw last;
}
