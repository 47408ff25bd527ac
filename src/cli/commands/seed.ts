import { parseDbUrl } from '../../core/db-url.ts';
import { UsageError } from '../../core/errors.ts';
import { seedDatabase } from '../../target/seed/load.ts';

export interface SeedCommandOptions {
  db: string;
  patients: string | number;
  visits?: string | number;
  obsPerVisit?: string | number;
  seed?: string | number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en');

/** Accepts 50000, 50,000, 50_000 and 50k / 2m, since seed sizes are usually round numbers. */
function parseCount(value: string | number | undefined, flag: string, fallback: number, min: number, max: number, example = String(fallback)): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  const m = /^(\d[\d,_]*)([km]?)$/i.exec(text);
  const n = m ? Number((m[1] ?? '').replace(/[,_]/g, '')) * ({ k: 1e3, m: 1e6 }[(m[2] ?? '').toLowerCase()] ?? 1) : NaN;
  const hint = `give a whole number from ${fmt(min)} to ${fmt(max)}, e.g. ${flag} ${example}`;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: '${text}' is not a whole number`, hint);
  if (n < min || n > max) throw new UsageError(`${flag}: ${fmt(n)} is out of range`, hint);
  return n;
}

/** `loadlab seed --db URL --patients N [--visits V] [--obs-per-visit O] [--seed S]` */
export async function seedCommand(opts: SeedCommandOptions): Promise<void> {
  const db = parseDbUrl(opts.db);
  const patients = parseCount(opts.patients, '--patients', 0, 1, 20_000_000, '50k');
  const visitsPerPatient = parseCount(opts.visits, '--visits', 2, 0, 1000);
  const obsPerVisit = parseCount(opts.obsPerVisit, '--obs-per-visit', 36, 0, 10_000);
  const seed = parseCount(opts.seed, '--seed', 1, 0, 0xffffffff);
  if (patients * visitsPerPatient * Math.max(obsPerVisit, 3) >= 2 ** 31) {
    throw new UsageError(
      `${fmt(patients)} patients × ${visitsPerPatient} visits × ${obsPerVisit} obs would overflow OpenMRS's INT obs ids`,
      'seed fewer patients, visits or obs per visit',
    );
  }

  console.error(`seeding ${fmt(patients)} patients into ${db.host}:${db.port}/${db.database} (seed ${seed}) …`);
  const t0 = performance.now();
  const stats = await seedDatabase(db, {
    patients,
    visitsPerPatient,
    obsPerVisit,
    seed,
    onProgress: (p) => {
      const at = ((performance.now() - t0) / 1000).toFixed(1);
      console.error(`  ${p.table.padEnd(20)} ${fmt(p.rows).padStart(12)} rows  (${at} s)`);
    },
  });
  const r = stats.rows;
  console.log(
    `seeded ${fmt(patients)} patients (${fmt(r.visit)} visits, ${fmt(r.encounter)} encounters, ${fmt(r.obs)} obs) ` +
      `in ${stats.seconds.toFixed(1)} s — ${fmt(stats.patientsPerSecond)} patients/s, ${fmt(stats.rowsPerSecond)} rows/s` +
      (stats.method === 'insert' ? ' (multi-row INSERT: the server has local_infile off)' : ''),
  );
}
