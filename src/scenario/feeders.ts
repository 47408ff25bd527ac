/**
 * Feeders turn a scenario's FeederSpecs into records for `vu.feed(name)`. Seeded patients are
 * regenerated from the seed parameters the target publishes, so no list of patients has to be
 * exported, shipped or kept in step with the database.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { seededPatientSample, type PatientIdentity } from '../core/synthetic/generate.ts';
import { getPath } from './dsl.ts';
import { parseCsv, patientRecord, type FeederRecord } from './records.ts';
import type { FeederSpec } from './types.ts';

export { parseCsv, patientRecord, type FeederRecord };

export interface FeederContext {
  /** GET a path under the target's base path (e.g. `/ws/rest/v1/systemsetting/loadlab.seed`), authenticated; the parsed body. */
  fetchJson(path: string): Promise<unknown>;
  /** Where relative CSV paths start (default: the working directory). */
  baseDir?: string;
}

const DEFAULT_COUNT = 500;
const SEED_PROPERTY = 'loadlab.seed';
const REST = '/ws/rest/v1';
/** Common starts of given and family names across the regions OpenMRS serves (for targets loadlab did not seed). */
const FALLBACK_PREFIXES = ['ma', 'jo', 'an', 'mo', 'ka', 'ch', 'sa', 'ni', 'ba', 'na'];
const FALLBACK_REP = 'custom:(uuid,display,identifiers:(identifier),person:(gender,birthdate,personName:(givenName,middleName,familyName)))';

const seedInfo = z.object({ seed: z.number().int(), patients: z.number().int().positive(), firstSequence: z.number().int().optional() });

/** The seed parameters the target publishes, or why there are none. */
async function readSeed(ctx: FeederContext): Promise<z.infer<typeof seedInfo> | string> {
  let body: unknown;
  try {
    body = await ctx.fetchJson(`${REST}/systemsetting/${SEED_PROPERTY}?v=full`);
  } catch (e) {
    return `reading system setting '${SEED_PROPERTY}' failed: ${(e as Error).message}`;
  }
  const value = getPath(body, 'value');
  if (typeof value !== 'string' || !value.trim()) return `the target has no '${SEED_PROPERTY}' system setting (not seeded by loadlab)`;
  try {
    const parsed = seedInfo.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : `'${SEED_PROPERTY}' does not hold seed parameters`;
  } catch {
    return `'${SEED_PROPERTY}' is not JSON`;
  }
}

/**
 * Without seed parameters (a real OpenMRS), patients come from live searches of common name
 * prefixes: a sample of whoever is registered, which is what a clinic's searches hit anyway.
 */
async function searchedPatients(ctx: FeederContext, count: number): Promise<FeederRecord[]> {
  const found = new Map<string, FeederRecord>();
  for (const prefix of FALLBACK_PREFIXES) {
    if (found.size >= count) break;
    let body: unknown;
    try {
      body = await ctx.fetchJson(`${REST}/patient?q=${prefix}&v=${FALLBACK_REP}&limit=100`);
    } catch {
      continue;
    }
    const results = getPath(body, 'results');
    for (const r of Array.isArray(results) ? results : []) {
      const uuid = getPath(r, 'uuid');
      const givenName = getPath(r, 'person.personName.givenName');
      const familyName = getPath(r, 'person.personName.familyName');
      if (typeof uuid !== 'string' || typeof givenName !== 'string' || typeof familyName !== 'string' || found.has(uuid)) continue;
      const middle = getPath(r, 'person.personName.middleName');
      const identifier = getPath(r, 'identifiers.0.identifier');
      const gender = getPath(r, 'person.gender');
      const birthdate = getPath(r, 'person.birthdate');
      found.set(uuid, patientRecord({
        uuid, givenName, familyName, middleName: typeof middle === 'string' ? middle : null,
        identifier: typeof identifier === 'string' ? identifier : undefined,
        gender: typeof gender === 'string' ? gender : undefined,
        birthdate: typeof birthdate === 'string' ? birthdate.slice(0, 10) : undefined,
      }));
    }
  }
  return [...found.values()].slice(0, count);
}

async function seededPatients(name: string, spec: { count?: number }, ctx: FeederContext): Promise<FeederRecord[]> {
  const count = spec.count ?? DEFAULT_COUNT;
  const seed = await readSeed(ctx);
  if (typeof seed !== 'string') {
    return seededPatientSample(seed, Math.min(count, seed.patients)).map((p: PatientIdentity) => patientRecord(p));
  }
  const records = await searchedPatients(ctx, count);
  if (records.length) return records;
  throw new UsageError(
    `feeder '${name}': ${seed}, and searching it for common names found no patients`,
    `seed the target (loadlab seed --db … --patients N) or give the scenario a CSV feeder: feeders: { ${name}: { kind: 'csv', path: 'patients.csv' } } with columns such as givenName,familyName,identifier`,
  );
}

function csvFeeder(name: string, path: string, ctx: FeederContext): FeederRecord[] {
  const file = resolve(ctx.baseDir ?? process.cwd(), path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`feeder '${name}': cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'CSV paths are relative to the working directory');
  }
  const records = parseCsv(text, `feeder '${name}' (${path})`);
  if (!records.length) throw new UsageError(`feeder '${name}': ${path} has a header but no rows`);
  return records;
}

/** Records for every feeder of a scenario, by name. */
export async function resolveFeeders(specs: Record<string, FeederSpec>, ctx: FeederContext): Promise<Record<string, FeederRecord[]>> {
  const out: Record<string, FeederRecord[]> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.kind === 'seeded-patients') out[name] = await seededPatients(name, spec, ctx);
    else if (spec.kind === 'csv') out[name] = csvFeeder(name, spec.path, ctx);
    else out[name] = spec.records.map((r) => ({ ...r }));
  }
  return out;
}
