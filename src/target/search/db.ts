import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { PatientSearch } from '../context.ts';
import { escapeLike, identifierTerm, nameTerms } from './text.ts';

const NAME_COLUMNS = ['given_name', 'middle_name', 'family_name', 'family_name2'] as const;

/**
 * Every term must start one of the four name columns of the same person_name row, as a Lucene
 * document per name requires. Accents need no SQL folding: utf8mb4_general_ci compares "é" equal to "e".
 */
function nameCondition(terms: string[], alias: string): { sql: string; params: string[] } {
  const params: string[] = [];
  const clauses = terms.map((t) => {
    const pattern = `${escapeLike(t)}%`;
    params.push(...NAME_COLUMNS.map(() => pattern));
    return `(${NAME_COLUMNS.map((c) => `${alias}.${c} LIKE ?`).join(' OR ')})`;
  });
  return { sql: clauses.join(' AND '), params };
}

/** The preferred non-voided name row of a person, for ordering (OpenMRS shows that name first). */
const PREFERRED_NAME = (personCol: string) => `person_name n ON n.person_name_id = (
  SELECT pn2.person_name_id FROM person_name pn2 WHERE pn2.person_id = ${personCol} AND pn2.voided = 0
   ORDER BY pn2.preferred DESC, pn2.person_name_id LIMIT 1)`;

/**
 * Patient search straight from SQL: per query word a prefix LIKE on the name columns (AND across
 * words), united with identifiers equal to or starting with the query. Every replica sees every
 * committed patient, at the cost of a database round trip with LIKE scans per search.
 */
export class DbPatientSearch implements PatientSearch {
  readonly mode = 'db' as const;
  constructor(private readonly pool: Pool) {}

  async search(q: string, opts: { includeDead: boolean; cap: number }): Promise<number[]> {
    const id = identifierTerm(q);
    const terms = nameTerms(q);
    const parts: string[] = [];
    const params: unknown[] = [];
    if (id) {
      parts.push(`SELECT pi.patient_id AS pid, IF(pi.identifier = ?, 0, 1) AS grp
                    FROM patient_identifier pi WHERE pi.voided = 0 AND pi.identifier LIKE ?`);
      params.push(id, `${escapeLike(id)}%`);
    }
    if (terms.length) {
      const cond = nameCondition(terms, 'pn');
      parts.push(`SELECT pn.person_id AS pid, 2 AS grp FROM person_name pn WHERE pn.voided = 0 AND ${cond.sql}`);
      params.push(...cond.params);
    }
    if (!parts.length) return [];
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT h.pid, h.grp FROM (
         SELECT m.pid, MIN(m.grp) AS grp FROM (${parts.join(' UNION ALL ')}) m
           JOIN patient p ON p.patient_id = m.pid AND p.voided = 0
           JOIN person ps ON ps.person_id = m.pid AND ps.voided = 0${opts.includeDead ? '' : ' AND ps.dead = 0'}
          GROUP BY m.pid) h
         LEFT JOIN ${PREFERRED_NAME('h.pid')}
        ORDER BY h.grp, n.family_name, n.given_name, h.pid
        LIMIT ?`,
      [...params, opts.cap],
    );
    return rows.map((r) => r.pid as number);
  }

  async patientSaved(): Promise<void> {
    // Nothing to learn: the next query reads the database.
  }
}

/** Person search by name (GET /person?q=): any non-voided person, patient or not. */
export async function searchPersonIds(pool: Pool, q: string, cap: number): Promise<number[]> {
  const terms = nameTerms(q);
  if (!terms.length) return [];
  const cond = nameCondition(terms, 'pn');
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT h.pid FROM (
       SELECT DISTINCT pn.person_id AS pid FROM person_name pn
         JOIN person ps ON ps.person_id = pn.person_id AND ps.voided = 0
        WHERE pn.voided = 0 AND ${cond.sql}) h
       LEFT JOIN ${PREFERRED_NAME('h.pid')}
      ORDER BY n.family_name, n.given_name, h.pid
      LIMIT ?`,
    [...cond.params, cap],
  );
  return rows.map((r) => r.pid as number);
}
