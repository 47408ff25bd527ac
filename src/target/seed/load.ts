/**
 * Bulk loading of the synthetic population. Rows are generated on the fly and streamed to the server
 * with LOAD DATA LOCAL INFILE, one connection and one transaction per table (several tables at once),
 * with foreign-key and unique checks off. On an empty InnoDB table that combination takes MariaDB's
 * bulk-insert path (10.6+): rows are sorted into the indexes at commit instead of one B-tree insert
 * each, and no undo log is written. Multi-row INSERTs remain as the fallback for servers that refuse
 * LOCAL INFILE.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import type { DbLocation } from '../../core/db-url.ts';
import { UsageError } from '../../core/errors.ts';
import { hasSchema, installSchema } from '../schema.ts';
import { sqlTuple, tsvLine } from './encode.ts';
import { COLUMNS, FIRST_SEQUENCE, TABLES, emitRows, rowsPerPatient, type IdBases, type SeedContext, type SeedParams, type TableName } from '../../core/synthetic/generate.ts';
import { LUHN30_ALPHABET, baseToSequence } from '../../core/synthetic/luhn30.ts';

export type LoadMethod = 'load-data' | 'insert';

export interface SeedOptions {
  patients: number;
  visitsPerPatient?: number;
  obsPerVisit?: number;
  seed?: number;
  /** 'load-data' (default; falls back to 'insert' when the server has local_infile off). */
  method?: LoadMethod;
  /** Tables loading at the same time, each on its own connection (default 3). */
  concurrency?: number;
  onProgress?: (p: { table: string; rows: number }) => void;
  /**
   * Statements run on each loading connection first, e.g. `SET SESSION wsrep_on = OFF` or
   * `SET SESSION sql_log_bin = 0` when peers will copy the seeded files instead of replaying them.
   */
  sessionSql?: string[];
}

export interface SeedStats {
  patients: number;
  visitsPerPatient: number;
  obsPerVisit: number;
  seed: number;
  method: LoadMethod;
  firstSequence: number;
  rows: Record<TableName, number>;
  totalRows: number;
  seconds: number;
  patientsPerSecond: number;
  rowsPerSecond: number;
}

/** What seedDatabase records in global_property 'loadlab.seed', for workloads to find seeded patients. */
export interface SeedInfo {
  patients: number;
  visitsPerPatient: number;
  obsPerVisit: number;
  seed: number;
  firstSequence: number;
  firstPersonId: number;
}

const SEED_PROPERTY = 'loadlab.seed';
const CHUNK_ROWS = 4000;
const INSERT_BYTES = 1 << 20;
// Largest first: the obs stream bounds the run, so it must start at once.
const LOAD_ORDER: readonly TableName[] = ['obs', 'encounter', 'encounter_provider', 'visit', 'person', 'person_name',
  'person_address', 'patient_identifier', 'patient', 'conditions'];
const PK: Record<TableName, string> = {
  person: 'person_id', person_name: 'person_name_id', person_address: 'person_address_id', patient: 'patient_id',
  patient_identifier: 'patient_identifier_id', visit: 'visit_id', encounter: 'encounter_id',
  encounter_provider: 'encounter_provider_id', obs: 'obs_id', conditions: 'condition_id',
};

function checkCount(name: string, value: number | undefined, min: number, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new UsageError(`${name} must be a whole number of at least ${min}, got ${String(value)}`);
  }
  return v;
}

/** A connection whose socket we hold, so that streamed rows can wait for it to drain. */
async function openConnection(db: DbLocation): Promise<{ conn: mysql.Connection; socket: Socket }> {
  const socket = netConnect(db.port, db.host);
  const conn = await mysql.createConnection({ ...db, stream: socket, flags: ['LOCAL_FILES'], supportBigNumbers: true });
  return { conn, socket };
}

const chunkPatients = (table: TableName, ctx: SeedContext): number =>
  Math.max(1, Math.floor(CHUNK_ROWS / Math.max(rowsPerPatient(table, ctx.params), 0.01)));

/** Rows of `table` for all patients as a TSV stream, generated as the server consumes them. */
function tsvStream(table: TableName, ctx: SeedContext, socket: Socket, count: { rows: number }): Readable {
  const step = chunkPatients(table, ctx);
  const total = ctx.params.patients;
  let k = 0;
  return new Readable({
    read() {
      const produce = (): void => {
        let out = '';
        // mysql2 does not pause a LOCAL INFILE stream for a full socket, so this waits for 'drain' itself.
        while (out === '' && k < total) {
          const end = Math.min(total, k + step);
          emitRows(table, ctx, k, end, (row) => {
            out += tsvLine(row);
            count.rows++;
          });
          k = end;
        }
        this.push(out === '' ? null : out);
      };
      if (socket.writableNeedDrain) socket.once('drain', produce);
      else produce();
    },
  });
}

/** Loads one table on its own connection, in one transaction; returns the number of rows. */
async function loadTable(db: DbLocation, table: TableName, ctx: SeedContext, method: LoadMethod, sessionSql: string[]): Promise<number> {
  const { conn, socket } = await openConnection(db);
  const count = { rows: 0 };
  const cols = COLUMNS[table].join(', ');
  try {
    for (const sql of sessionSql) await conn.query(sql);
    await conn.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    await conn.query('START TRANSACTION');
    let affected = 0;
    if (method === 'load-data') {
      const [res] = await conn.query<mysql.ResultSetHeader>({
        sql: `LOAD DATA LOCAL INFILE '${table}.tsv' INTO TABLE \`${table}\` CHARACTER SET utf8mb4 (${cols})`,
        infileStreamFactory: () => tsvStream(table, ctx, socket, count),
      });
      affected = res.affectedRows;
      if (res.warningStatus > 0) {
        const [w] = await conn.query<mysql.RowDataPacket[]>('SHOW WARNINGS LIMIT 3');
        throw new Error(`loading ${table} raised ${res.warningStatus} warnings, e.g. ${w.map((x) => String(x.Message)).join('; ')}`);
      }
    } else {
      let sql = '';
      let pending: Promise<void> = Promise.resolve();
      let failure: unknown;
      // The next statement is built while the server executes the previous one.
      const flush = async (): Promise<void> => {
        const text = `INSERT INTO \`${table}\` (${cols}) VALUES ${sql}`;
        sql = '';
        await pending;
        if (failure) throw failure;
        pending = conn.query<mysql.ResultSetHeader>(text).then(
          ([res]) => void (affected += res.affectedRows),
          (e: unknown) => void (failure = e),
        );
      };
      const step = chunkPatients(table, ctx);
      for (let k = 0; k < ctx.params.patients; k += step) {
        emitRows(table, ctx, k, Math.min(ctx.params.patients, k + step), (row) => {
          sql += (sql === '' ? '' : ',') + sqlTuple(row);
          count.rows++;
        });
        if (sql.length >= INSERT_BYTES) await flush();
      }
      if (sql !== '') await flush();
      await pending;
      if (failure) throw failure;
    }
    await conn.query('COMMIT');
    // With unique checks off a duplicate would be skipped silently; the counts must agree.
    if (affected !== count.rows) throw new Error(`${table}: generated ${count.rows} rows but the server stored ${affected}`);
    return count.rows;
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

async function nextIds(c: mysql.Connection): Promise<IdBases> {
  const parts = TABLES.map((t) => `(SELECT COALESCE(MAX(${PK[t]}), 0) FROM \`${t}\`) AS \`${t}\``).join(', ');
  const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT ${parts}`);
  const r: mysql.RowDataPacket | undefined = rows[0];
  const ids = {} as IdBases;
  for (const t of TABLES) ids[t] = Number(r?.[t] ?? 0) + 1;
  // Patients are persons: the two tables share ids.
  ids.person = ids.patient = Math.max(ids.person, ids.patient);
  return ids;
}

async function firstSequence(c: mysql.Connection): Promise<number> {
  const [rows] = await c.query<mysql.RowDataPacket[]>(
    'SELECT next_sequence_value, first_identifier_base, base_character_set FROM idgen_seq_id_gen WHERE id = 1',
  );
  const row = rows[0];
  if (!row) return FIRST_SEQUENCE;
  if (row.base_character_set !== LUHN30_ALPHABET) {
    throw new UsageError('idgen_seq_id_gen (id 1) does not use the Luhn mod-30 character set', 'seed a database created from loadlab\'s schema');
  }
  const next = Number(row.next_sequence_value);
  return next >= 0 ? next : baseToSequence(String(row.first_identifier_base));
}

/** Fills an OpenMRS database with `patients` synthetic patients, their visits, encounters and obs. */
export async function seedDatabase(db: DbLocation, opts: SeedOptions): Promise<SeedStats> {
  const started = performance.now();
  const patients = checkCount('patients', opts.patients, 1, 0);
  const visitsPerPatient = checkCount('visits per patient', opts.visitsPerPatient, 0, 2);
  const obsPerVisit = checkCount('obs per visit', opts.obsPerVisit, 0, 36);
  const seed = checkCount('seed', opts.seed, 0, 1);
  if (seed > 0xffffffff) throw new UsageError(`seed must fit in 32 bits, got ${seed}`);
  if (!(await hasSchema(db))) await installSchema(db);

  const c = await mysql.createConnection(db);
  let ctx: SeedContext;
  let method: LoadMethod = opts.method ?? 'load-data';
  try {
    const [existing] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM patient');
    const n = Number(existing[0]?.n ?? 0);
    if (n > 0) {
      throw new UsageError(
        `database '${db.database}' already holds ${n.toLocaleString('en')} patients; seeding adds to an empty one only`,
        'seed a fresh database (drop and re-create it, or start a new private one) so that runs compare like with like',
      );
    }
    const [li] = await c.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.local_infile AS on_');
    if (Number(li[0]?.on_) !== 1) method = 'insert';
    const params: SeedParams = { seed, patients, visitsPerPatient, obsPerVisit, firstSequence: await firstSequence(c) };
    ctx = { params, ids: await nextIds(c) };
    if (ctx.ids.obs + patients * visitsPerPatient * Math.max(obsPerVisit, 3) >= 2 ** 31) {
      throw new UsageError(`${patients} patients with ${visitsPerPatient} visits of ${obsPerVisit} obs would overflow OpenMRS's INT ids`);
    }
  } finally {
    await c.end();
  }

  const rows = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>;
  // obs is not split over connections: measured slower, since the first takes InnoDB's bulk path
  // and its table lock and the second then inserts row by row.
  const queue = [...LOAD_ORDER];
  const worker = async (): Promise<void> => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      rows[t] = await loadTable(db, t, ctx, method, opts.sessionSql ?? []);
      opts.onProgress?.({ table: t, rows: rows[t] });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 3) }, worker));

  const info: SeedInfo = { patients, visitsPerPatient, obsPerVisit, seed, firstSequence: ctx.params.firstSequence, firstPersonId: ctx.ids.person };
  const f = await mysql.createConnection(db);
  try {
    for (const sql of opts.sessionSql ?? []) await f.query(sql);
    await f.query('UPDATE idgen_seq_id_gen SET next_sequence_value = ? WHERE id = 1', [ctx.params.firstSequence + patients]);
    await f.query(
      `INSERT INTO global_property (property, property_value, description, uuid) VALUES (?, ?, ?, '2d7a7c0e-0000-4000-8000-0000000000ff')
       ON DUPLICATE KEY UPDATE property_value = VALUES(property_value)`,
      [SEED_PROPERTY, JSON.stringify(info), 'Parameters of the last loadlab seed (patients, visits, seed)'],
    );
    // Fresh statistics, or the first workload queries plan against an empty table's.
    await f.query(`ANALYZE TABLE ${TABLES.map((t) => `\`${t}\``).join(', ')}`);
  } finally {
    await f.end();
  }

  const seconds = (performance.now() - started) / 1000;
  const totalRows = TABLES.reduce((s, t) => s + rows[t], 0);
  return {
    patients, visitsPerPatient, obsPerVisit, seed, method, firstSequence: ctx.params.firstSequence, rows, totalRows, seconds,
    patientsPerSecond: patients / seconds,
    rowsPerSecond: totalRows / seconds,
  };
}

/** The parameters of the seed in `db`, or null when it was never seeded by loadlab. */
export async function readSeedInfo(db: DbLocation): Promise<SeedInfo | null> {
  const c = await mysql.createConnection(db);
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT property_value FROM global_property WHERE property = ?', [SEED_PROPERTY]);
    const v = rows[0]?.property_value;
    return typeof v === 'string' && v.startsWith('{') ? (JSON.parse(v) as SeedInfo) : null;
  } finally {
    await c.end();
  }
}
