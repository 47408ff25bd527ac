import mysql from 'mysql2/promise';
import { DB_SNAPSHOT_SCHEMA, type DbSnapshot, type Digest, type NodeSnapshot, type SnapshotAt, type TableSize } from '../core/resources.ts';
import { Capabilities, describeSqlError, mergeLists, type CapabilityLists } from './capabilities.ts';
import type { DbNodeTarget } from './db.ts';
import { PROBE_MARKER } from './status-read.ts';

/** How many statements db.json keeps per node and snapshot. */
export const TOP_DIGESTS = 50;

/**
 * A snapshot for db.json plus every digest row read, kept in memory only: the statements that
 * mattered during the run need the start's totals for all of them, not just its top 50.
 */
export interface DbCapture {
  snapshot: SnapshotAt;
  digestTotals: Map<string, Digest[]>;
  caps: CapabilityLists;
}

type Rows = mysql.RowDataPacket[];

/** The per-second probe's own statements: issued every second, they would crowd the top of the list. */
const PROBE_STATEMENTS = new Set(['SHOW GLOBAL STATUS', 'SHOW SESSION STATUS', 'SHOW GLOBAL VARIABLES LIKE ?', 'SHOW SLAVE STATUS']);
/** Fragments of the probes' own queries as the server normalises them. */
const OUR_MARKERS = [PROBE_MARKER, 'information_schema_stats_expiry'];

function isOurs(text: string | null): boolean {
  const t = (text ?? '').trim();
  return PROBE_STATEMENTS.has(t) || OUR_MARKERS.some((m) => t.includes(m));
}

const DIGEST_SQL = `
  SELECT 1 AS ${PROBE_MARKER}, SCHEMA_NAME AS schema_name, DIGEST AS digest, LEFT(DIGEST_TEXT, 500) AS digest_text,
         COUNT_STAR AS count_star, SUM_TIMER_WAIT / 1e12 AS sum_timer_wait_seconds,
         MAX_TIMER_WAIT / 1e12 AS max_timer_wait_seconds, SUM_LOCK_TIME / 1e12 AS sum_lock_time_seconds,
         SUM_ERRORS AS sum_errors, SUM_ROWS_EXAMINED AS sum_rows_examined, SUM_ROWS_SENT AS sum_rows_sent,
         SUM_ROWS_AFFECTED AS sum_rows_affected, SUM_NO_INDEX_USED AS sum_no_index_used,
         SUM_NO_GOOD_INDEX_USED AS sum_no_good_index_used, SUM_CREATED_TMP_TABLES AS sum_created_tmp_tables,
         SUM_CREATED_TMP_DISK_TABLES AS sum_created_tmp_disk_tables, SUM_SELECT_FULL_JOIN AS sum_select_full_join,
         SUM_SELECT_SCAN AS sum_select_scan, SUM_SORT_ROWS AS sum_sort_rows
    FROM performance_schema.events_statements_summary_by_digest
   ORDER BY SUM_TIMER_WAIT DESC
   LIMIT 20000`;

const TABLES_SQL = `
  SELECT 1 AS ${PROBE_MARKER}, TABLE_NAME AS table_name, ENGINE AS engine, TABLE_ROWS AS table_rows, DATA_LENGTH AS data_length,
         INDEX_LENGTH AS index_length, DATA_FREE AS data_free
    FROM information_schema.tables
   WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'
   ORDER BY DATA_LENGTH + INDEX_LENGTH DESC, TABLE_NAME`;

type DigestNumber = Exclude<keyof Digest, 'schema' | 'digest' | 'digest_text'>;

const NUMERIC: DigestNumber[] = [
  'count_star', 'sum_timer_wait_seconds', 'max_timer_wait_seconds', 'sum_lock_time_seconds', 'sum_errors', 'sum_rows_examined',
  'sum_rows_sent', 'sum_rows_affected', 'sum_no_index_used', 'sum_no_good_index_used', 'sum_created_tmp_tables',
  'sum_created_tmp_disk_tables', 'sum_select_full_join', 'sum_select_scan', 'sum_sort_rows',
];

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toDigest(r: mysql.RowDataPacket): Digest {
  const numbers = Object.fromEntries(NUMERIC.map((k) => [k, Number(r[k] ?? 0)])) as Record<DigestNumber, number>;
  return { schema: str(r.schema_name), digest: str(r.digest), digest_text: str(r.digest_text), ...numbers };
}

async function digestsOf(c: mysql.Connection, node: string, caps: Capabilities): Promise<Digest[] | null> {
  const what = 'statement digests';
  try {
    const [vars] = await c.query<Rows>("SHOW GLOBAL VARIABLES LIKE 'performance_schema'");
    const on = String(vars[0]?.Value ?? 'OFF').toUpperCase();
    if (on !== 'ON' && on !== '1') {
      caps.missing(node, what, 'performance_schema is off');
      return null;
    }
    // Only a hint: where setup_consumers is hidden the digest table itself may still be readable.
    const consumer = await c.query<Rows>(`SELECT 1 AS ${PROBE_MARKER}, ENABLED FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'`).catch(() => null);
    if (consumer?.[0][0] && consumer[0][0].ENABLED !== 'YES') {
      caps.missing(node, what, 'the statements_digest consumer is disabled');
      return null;
    }
    const [rows] = await c.query<Rows>(DIGEST_SQL);
    caps.ok(node, what);
    return rows.map(toDigest).filter((d) => !isOurs(d.digest_text));
  } catch (e) {
    caps.missing(node, what, describeSqlError(e));
    return null;
  }
}

async function tablesOf(c: mysql.Connection, node: string, database: string, caps: Capabilities): Promise<TableSize[] | null> {
  const what = `table sizes of ${database}`;
  try {
    // MySQL 8 (and Aurora 3) cache these statistics for a day by default; MariaDB has no such variable.
    await c.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
    const [rows] = await c.query<Rows>(TABLES_SQL, [database]);
    if (rows.length === 0) caps.missing(node, what, `no tables visible in ${database}`);
    else caps.ok(node, what);
    return rows.map((r) => ({
      table_name: String(r.table_name),
      engine: str(r.engine),
      table_rows: r.table_rows === null || r.table_rows === undefined ? null : Number(r.table_rows),
      data_length: Number(r.data_length ?? 0),
      index_length: Number(r.index_length ?? 0),
      data_free: Number(r.data_free ?? 0),
    }));
  } catch (e) {
    caps.missing(node, what, describeSqlError(e));
    return null;
  }
}

async function snapshotNode(n: DbNodeTarget, caps: Capabilities, limit: number): Promise<{ snap: NodeSnapshot; all: Digest[] | null }> {
  let c: mysql.Connection;
  try {
    const { database: _database, ...where } = n.db;
    c = await mysql.createConnection({ ...where, connectTimeout: 5000 });
  } catch (e) {
    const error = describeSqlError(e);
    caps.missing(n.node, 'snapshot', `unreachable: ${error}`);
    return { snap: { node: n.node, role: n.role, up: false, error, digests: null, tables: null }, all: null };
  }
  try {
    const all = await digestsOf(c, n.node, caps);
    const tables = await tablesOf(c, n.node, n.db.database, caps);
    return { snap: { node: n.node, role: n.role, up: true, digests: all ? all.slice(0, limit) : null, tables }, all };
  } finally {
    c.destroy();
  }
}

/** Digests and table sizes of every node, read in parallel; a node that is down is recorded as such. */
export async function snapshotDb(nodes: DbNodeTarget[], opts: { limit?: number } = {}): Promise<DbCapture> {
  const caps = new Capabilities();
  const at = new Date().toISOString();
  const results = await Promise.all(nodes.map((n) => snapshotNode(n, caps, opts.limit ?? TOP_DIGESTS)));
  const digestTotals = new Map<string, Digest[]>();
  for (const r of results) if (r.all) digestTotals.set(r.snap.node, r.all);
  return { snapshot: { at, nodes: results.map((r) => r.snap) }, digestTotals, caps: caps.lists() };
}

const digestKey = (d: Digest) => `${d.schema ?? ''}\u0000${d.digest ?? ''}`;

/**
 * What each statement cost between two snapshots, top `limit` by time. A statement absent at the
 * start is new; the maximum wait is the end's (a maximum cannot be differenced).
 */
export function digestsBetween(start: Digest[], end: Digest[], limit = TOP_DIGESTS): Digest[] {
  const before = new Map(start.map((d) => [digestKey(d), d]));
  const out: Digest[] = [];
  for (const e of end) {
    const s = before.get(digestKey(e));
    const d = { ...e };
    if (s) {
      // Rounded to picoseconds, the timer's own unit, so that float noise does not show in db.json.
      for (const k of NUMERIC) if (k !== 'max_timer_wait_seconds') d[k] = Math.max(0, Math.round((e[k] - s[k]) * 1e12) / 1e12);
    }
    if (d.count_star > 0) out.push(d);
  }
  return out.sort((a, b) => b.sum_timer_wait_seconds - a.sum_timer_wait_seconds).slice(0, limit);
}

/** db.json from the captures at start and end and what the per-second probes found. */
export function dbJson(start: DbCapture | null, end: DbCapture | null, probes?: CapabilityLists, limit = TOP_DIGESTS): DbSnapshot {
  const duringRun: Record<string, Digest[]> = {};
  if (start && end) {
    for (const [node, endRows] of end.digestTotals) {
      const startRows = start.digestTotals.get(node);
      if (startRows) duringRun[node] = digestsBetween(startRows, endRows, limit);
    }
  }
  return {
    schema: DB_SNAPSHOT_SCHEMA,
    start: start?.snapshot ?? null,
    end: end?.snapshot ?? null,
    duringRun,
    ...mergeLists(start?.caps, end?.caps, probes),
  };
}
