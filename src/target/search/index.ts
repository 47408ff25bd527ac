import type { Pool } from 'mysql2/promise';
import type { PatientSearch } from '../context.ts';
import { DbPatientSearch } from './db.ts';
import { LocalPatientSearch } from './local.ts';

/** Builds the patient search of `mode`: a per-process index (`local`, OpenMRS's Lucene) or SQL (`db`). */
export async function createPatientSearch(mode: 'local' | 'db', pool: Pool): Promise<PatientSearch> {
  return mode === 'db' ? new DbPatientSearch(pool) : LocalPatientSearch.build(pool);
}

export { DbPatientSearch, searchPersonIds } from './db.ts';
export { LocalPatientSearch, type LocalIndexStats } from './local.ts';
