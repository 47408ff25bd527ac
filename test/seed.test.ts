import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbLocation } from '../src/core/db-url.ts';
import { UsageError } from '../src/core/errors.ts';
import { startMariaDb, type MariaDbServer } from '../src/infra/mariadb.ts';
import { FIRST_SEQUENCE, TABLES, emitRows, patientIdentity, seededPatientSample, type Row, type SeedContext } from '../src/core/synthetic/generate.ts';
import { readSeedInfo, seedDatabase, type SeedStats } from '../src/target/seed/load.ts';
import { LUHN30_ALPHABET, baseToSequence, isValidLuhn30, luhn30CheckChar, openmrsId, sequenceToBase } from '../src/core/synthetic/luhn30.ts';

describe('Luhn mod-30 (idgen OpenMRS ID)', () => {
  it('computes check characters worked out by hand', () => {
    // '10000': only the leading 1 counts, doubled (2); (30 - 2) % 30 = 28 → 'X'.
    expect(luhn30CheckChar('10000')).toBe('X');
    // '10001': 1×2 + 1×2 = 4 → 26 → 'V'.
    expect(luhn30CheckChar('10001')).toBe('V');
    // '10004': 4×2 + 1×2 = 10 → 20 → 'M'.
    expect(luhn30CheckChar('10004')).toBe('M');
    // 'AC': C=11 doubled is 22, A=10 single; 32 % 30 = 2 → 28 → 'X'.
    expect(luhn30CheckChar('AC')).toBe('X');
    // 'Y': 29×2 = 58 → 1 + 28 = 29 → 1 → '1'.
    expect(luhn30CheckChar('Y')).toBe('1');
    // '9': 18 → 12 → 'D'.
    expect(luhn30CheckChar('9')).toBe('D');
    expect(isValidLuhn30('10000X')).toBe(true);
    expect(isValidLuhn30('10000Y')).toBe(false);
    expect(isValidLuhn30('10B00X')).toBe(false);
  });

  it('encodes sequence numbers in base 30 padded to min length - 1', () => {
    expect(sequenceToBase(810000, LUHN30_ALPHABET, 6)).toBe('10000');
    expect(sequenceToBase(0, LUHN30_ALPHABET, 6)).toBe('00000');
    expect(sequenceToBase(29, LUHN30_ALPHABET, 6)).toBe('0000Y');
    expect(sequenceToBase(30 ** 5, LUHN30_ALPHABET, 6)).toBe('100000');
    expect(baseToSequence('10000')).toBe(FIRST_SEQUENCE);
    expect(openmrsId(FIRST_SEQUENCE)).toBe('10000X');
    for (const n of [0, 1, 29, 30, 899, 810000, 24_299_999]) expect(baseToSequence(sequenceToBase(n))).toBe(n);
  });

  it('detects every single-character change and adjacent transposition (except 0↔Y)', () => {
    for (let seq = FIRST_SEQUENCE; seq < FIRST_SEQUENCE + 300; seq++) {
      const id = openmrsId(seq);
      expect(isValidLuhn30(id)).toBe(true);
      for (let i = 0; i < id.length; i++) {
        for (const ch of LUHN30_ALPHABET) {
          if (ch === id[i]) continue;
          expect(isValidLuhn30(id.slice(0, i) + ch + id.slice(i + 1)), `${id} with ${ch} at ${i}`).toBe(false);
        }
        const a = id[i];
        const b = id[i + 1];
        if (a === undefined || b === undefined || a === b) continue;
        const swapped = id.slice(0, i) + b + a + id.slice(i + 2);
        // The generic Luhn mod N misses exactly one pair: the lowest and highest characters.
        const blind = (a === '0' && b === 'Y') || (a === 'Y' && b === '0');
        expect(isValidLuhn30(swapped), `${id} → ${swapped}`).toBe(blind);
      }
    }
  });
});

describe('row generation', () => {
  const ctx = (seed: number): SeedContext => ({
    params: { seed, patients: 30, visitsPerPatient: 2, obsPerVisit: 36, firstSequence: FIRST_SEQUENCE },
    ids: Object.fromEntries(TABLES.map((t) => [t, 1])) as SeedContext['ids'],
  });
  const all = (c: SeedContext): Row[] => {
    const rows: Row[] = [];
    for (const t of TABLES) emitRows(t, c, 0, c.params.patients, (r) => rows.push(r));
    return rows;
  };

  it('is deterministic and depends on the seed', () => {
    expect(JSON.stringify(all(ctx(7)))).toBe(JSON.stringify(all(ctx(7))));
    expect(JSON.stringify(all(ctx(7)))).not.toBe(JSON.stringify(all(ctx(8))));
  });

  it('gives unique v4-shaped uuids and exactly obsPerVisit obs per visit', () => {
    const uuids = all(ctx(3)).flatMap((r) => r.filter((v) => typeof v === 'string' && /^[0-9a-f]{8}-/.test(v)));
    expect(new Set(uuids).size).toBe(uuids.length);
    for (const u of uuids) expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    let obs = 0;
    emitRows('obs', ctx(3), 0, 30, () => obs++);
    expect(obs).toBe(30 * 2 * 36);
  });

  it('regenerates a patient identity without the rest of the population', () => {
    const p = patientIdentity({ seed: 5 }, 17);
    expect(p.identifier).toBe(openmrsId(FIRST_SEQUENCE + 17));
    expect(patientIdentity({ seed: 5 }, 17)).toEqual(p);
    const sample = seededPatientSample({ seed: 5, patients: 1000 }, 20);
    expect(sample).toHaveLength(20);
    expect(new Set(sample.map((s) => s.index)).size).toBe(20);
    // As many live patients as asked for when the population has them, dead ones replaced, none twice.
    const full = seededPatientSample({ seed: 1, patients: 20_000 }, 500);
    expect(full).toHaveLength(500);
    expect(full.some((p) => p.dead)).toBe(false);
    expect(new Set(full.map((p) => p.index)).size).toBe(500);
    expect(seededPatientSample({ seed: 1, patients: 3 }, 10).length).toBeLessThanOrEqual(3);
  });
});

describe('seedDatabase', () => {
  const PATIENTS = 200;
  let server: MariaDbServer;
  let dbB: DbLocation;
  let dbC: DbLocation;
  let stats: SeedStats;

  const checksums = async (db: DbLocation): Promise<Record<string, string>> => {
    const c = await mysql.createConnection(db);
    try {
      const [rows] = await c.query<mysql.RowDataPacket[]>(`CHECKSUM TABLE ${TABLES.join(', ')}`);
      return Object.fromEntries(rows.map((r) => [String(r.Table).split('.')[1], String(r.Checksum)]));
    } finally {
      await c.end();
    }
  };
  const query = async (db: DbLocation, sql: string): Promise<mysql.RowDataPacket[]> => {
    const c = await mysql.createConnection(db);
    try {
      return (await c.query<mysql.RowDataPacket[]>(sql))[0];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    server = await startMariaDb({ database: 'seed_a' });
    const admin = await mysql.createConnection(server.admin);
    await admin.query('CREATE DATABASE seed_b CHARACTER SET utf8mb4');
    await admin.query('CREATE DATABASE seed_c CHARACTER SET utf8mb4');
    await admin.end();
    dbB = { ...server.admin, database: 'seed_b' };
    dbC = { ...server.admin, database: 'seed_c' };
    stats = await seedDatabase(server.app, { patients: PATIENTS, seed: 42 });
    await seedDatabase(dbB, { patients: PATIENTS, seed: 42 });
    await seedDatabase(dbC, { patients: PATIENTS, seed: 43 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('loads the requested numbers of rows', async () => {
    expect(stats.method).toBe('load-data');
    const [counts] = await query(
      server.app,
      `SELECT (SELECT COUNT(*) FROM patient) AS patients, (SELECT COUNT(*) FROM visit) AS visits,
              (SELECT COUNT(*) FROM encounter) AS encounters, (SELECT COUNT(*) FROM obs) AS obs,
              (SELECT COUNT(*) FROM person) AS persons, (SELECT COUNT(*) FROM encounter_provider) AS providers`,
    );
    expect(counts).toMatchObject({ patients: PATIENTS, visits: PATIENTS * 2, encounters: PATIENTS * 6, obs: PATIENTS * 2 * 36 });
    expect(counts?.persons).toBe(PATIENTS + 2);
    expect(counts?.providers).toBe(PATIENTS * 6);
    expect(stats.rows.obs).toBe(PATIENTS * 72);
    expect(stats.totalRows).toBeGreaterThan(PATIENTS * 80);
  });

  it('is identical for the same seed and different for another', async () => {
    const [a, b, c] = await Promise.all([checksums(server.app), checksums(dbB), checksums(dbC)]);
    expect(b).toEqual(a);
    for (const t of ['person', 'person_name', 'visit', 'obs']) expect(c[t]).not.toBe(a[t]);
  });

  it('gives every patient a valid preferred OpenMRS ID and advances idgen past them', async () => {
    const rows = await query(
      server.app,
      `SELECT p.patient_id, pi.identifier FROM patient p LEFT JOIN patient_identifier pi
         ON pi.patient_id = p.patient_id AND pi.preferred = 1 AND pi.identifier_type = 3 AND pi.voided = 0`,
    );
    expect(rows).toHaveLength(PATIENTS);
    const ids = rows.map((r) => String(r.identifier));
    expect(new Set(ids).size).toBe(PATIENTS);
    for (const id of ids) expect(isValidLuhn30(id), id).toBe(true);
    const [gen] = await query(server.app, 'SELECT next_sequence_value AS next FROM idgen_seq_id_gen WHERE id = 1');
    const maxUsed = Math.max(...ids.map((id) => baseToSequence(id.slice(0, -1))));
    expect(Number(gen?.next)).toBe(maxUsed + 1);
  });

  it('keeps clinical data consistent', async () => {
    const [bad] = await query(
      server.app,
      `SELECT
         (SELECT COUNT(*) FROM obs o JOIN encounter e ON e.encounter_id = o.encounter_id WHERE e.patient_id <> o.person_id) AS wrong_person,
         (SELECT COUNT(*) FROM encounter e JOIN visit v ON v.visit_id = e.visit_id
            WHERE e.encounter_datetime < v.date_started OR e.encounter_datetime > v.date_stopped) AS outside_visit,
         (SELECT COUNT(*) FROM obs o JOIN concept_numeric n ON n.concept_id = o.concept_id
            WHERE o.value_numeric < n.low_absolute OR o.value_numeric > n.hi_absolute) AS out_of_range,
         (SELECT COUNT(*) FROM person p JOIN visit v ON v.patient_id = p.person_id
            WHERE v.date_started < p.birthdate OR (p.dead = 1 AND v.date_stopped > p.death_date)) AS impossible_dates,
         (SELECT COUNT(*) FROM visit WHERE date_stopped IS NULL) AS open_visits`,
    );
    expect(bad).toMatchObject({ wrong_person: 0, outside_visit: 0, out_of_range: 0, impossible_dates: 0, open_visits: 0 });
  });

  it('records the seed and lets workloads regenerate identities of seeded patients', async () => {
    const info = await readSeedInfo(server.app);
    expect(info).toMatchObject({ patients: PATIENTS, visitsPerPatient: 2, obsPerVisit: 36, seed: 42 });
    const [deadOne] = await query(server.app, 'SELECT person_id, uuid FROM person WHERE dead = 1 ORDER BY person_id LIMIT 1');
    if (deadOne && info) expect(patientIdentity({ seed: 42 }, Number(deadOne.person_id) - info.firstPersonId)).toMatchObject({ uuid: deadOne.uuid, dead: true });
    for (const p of seededPatientSample({ seed: 42, patients: PATIENTS, firstSequence: info?.firstSequence }, 5)) {
      const [row] = await query(
        server.app,
        `SELECT pe.uuid, n.given_name, n.family_name, pe.dead FROM patient_identifier pi
           JOIN person pe ON pe.person_id = pi.patient_id JOIN person_name n ON n.person_id = pe.person_id
          WHERE pi.identifier = ${mysql.escape(p.identifier)}`,
      );
      expect(row).toEqual({ uuid: p.uuid, given_name: p.givenName, family_name: p.familyName, dead: 0 });
    }
  });

  it('falls back to multi-row INSERTs, with identical rows, when the server refuses LOCAL INFILE', async () => {
    const admin = await mysql.createConnection(server.admin);
    try {
      await admin.query('CREATE DATABASE seed_d CHARACTER SET utf8mb4');
      await admin.query('SET GLOBAL local_infile = 0');
      const s = await seedDatabase({ ...server.admin, database: 'seed_d' }, { patients: PATIENTS, seed: 42 });
      expect(s.method).toBe('insert');
    } finally {
      await admin.query('SET GLOBAL local_infile = 1');
      await admin.end();
    }
    expect(await checksums({ ...server.admin, database: 'seed_d' })).toEqual(await checksums(server.app));
  });

  it('refuses to seed a database that already holds patients', async () => {
    await expect(seedDatabase(server.app, { patients: 10 })).rejects.toBeInstanceOf(UsageError);
    await expect(seedDatabase(server.app, { patients: 10 })).rejects.toThrow(/already holds 200 patients/);
  });
});
