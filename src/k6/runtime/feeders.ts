/**
 * Feeders inside k6. CSV files are read with open() in the init context and inline records come with
 * the bundled scenario. Seeded patients are regenerated, as the engine does (src/scenario/feeders.ts),
 * from the seed parameters the target publishes; k6 allows no HTTP in the init context, so setup()
 * reads them once and each VU regenerates its records from setup's data on its first iteration.
 * A target loadlab did not seed is sampled by searching common name prefixes, as the engine does.
 */
import encoding from 'k6/encoding';
import http from 'k6/http';
import { seededPatientSample } from '../../core/synthetic/generate.ts';
import { getPath } from '../../scenario/dsl.ts';
import type { FeederSpec } from '../../scenario/types.ts';
import { parseCsv, patientRecord, type FeederRecord } from '../../scenario/records.ts';
import type { Target } from './target.ts';

type SeedParams = { seed: number; patients: number; firstSequence?: number };
/** What setup() hands each VU for its seeded-patients feeders. */
export type SeededData = Record<string, { params: SeedParams; count: number } | { records: FeederRecord[] }>;

const DEFAULT_COUNT = 500;
const REST = '/ws/rest/v1';
const FALLBACK_PREFIXES = ['ma', 'jo', 'an', 'mo', 'ka', 'ch', 'sa', 'ni', 'ba', 'na'];
const FALLBACK_REP = 'custom:(uuid,display,identifiers:(identifier),person:(gender,birthdate,personName:(givenName,middleName,familyName)))';

/** CSV and inline feeders, in the init context (where k6's open() works). `csv` maps feeder names to the paths open() reads. */
export function initFeeders(specs: Record<string, FeederSpec>, csv: Record<string, string>): Record<string, FeederRecord[]> {
  const out: Record<string, FeederRecord[]> = {};
  for (const name in specs) {
    const spec = specs[name]!;
    if (spec.kind === 'inline') out[name] = spec.records.map((r) => Object.assign({}, r));
    else if (spec.kind === 'csv') {
      const path = csv[name] || spec.path;
      const records = parseCsv(open(path), `feeder '${name}' (${path})`);
      if (!records.length) throw new Error(`feeder '${name}': ${path} has a header but no rows`);
      out[name] = records;
    }
  }
  return out;
}

function getJson(t: Target, path: string, auth: string): unknown {
  const res = http.get(`${t.origin}${t.prefix}${path}`, {
    headers: { accept: 'application/json', authorization: auth },
    tags: { name: 'loadlab:setup', step: 'loadlab:setup', request: 'loadlab:setup' },
    responseCallback: http.expectedStatuses(200, 404),
    redirects: 0,
  });
  if (res.status !== 200 || typeof res.body !== 'string') return undefined;
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}

function readSeed(t: Target, auth: string): SeedParams | undefined {
  const value = getPath(getJson(t, `${REST}/systemsetting/loadlab.seed?v=full`, auth), 'value');
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    const p = JSON.parse(value) as Partial<SeedParams>;
    if (typeof p.seed !== 'number' || typeof p.patients !== 'number' || p.patients < 1) return undefined;
    return { seed: p.seed, patients: p.patients, firstSequence: typeof p.firstSequence === 'number' ? p.firstSequence : undefined };
  } catch {
    return undefined;
  }
}

function searchedPatients(t: Target, auth: string, count: number): FeederRecord[] {
  const found: Record<string, FeederRecord> = {};
  let n = 0;
  for (const prefix of FALLBACK_PREFIXES) {
    if (n >= count) break;
    const results = getPath(getJson(t, `${REST}/patient?q=${prefix}&v=${FALLBACK_REP}&limit=100`, auth), 'results');
    for (const r of Array.isArray(results) ? results : []) {
      const uuid = getPath(r, 'uuid');
      const givenName = getPath(r, 'person.personName.givenName');
      const familyName = getPath(r, 'person.personName.familyName');
      if (typeof uuid !== 'string' || typeof givenName !== 'string' || typeof familyName !== 'string' || found[uuid]) continue;
      const text = (path: string) => {
        const v = getPath(r, path);
        return typeof v === 'string' ? v : undefined;
      };
      const birthdate = text('person.birthdate');
      found[uuid] = patientRecord({
        uuid, givenName, familyName, middleName: text('person.personName.middleName') || null, identifier: text('identifiers.0.identifier'),
        gender: text('person.gender'), birthdate: birthdate ? birthdate.slice(0, 10) : undefined,
      });
      n++;
    }
  }
  return Object.keys(found).slice(0, count).map((k) => found[k]!);
}

/** In setup(): the seed parameters (or, on a target loadlab did not seed, searched patients) of each seeded feeder. */
export function setupFeeders(specs: Record<string, FeederSpec>, t: Target, creds: { username: string; password: string }): SeededData {
  const auth = `Basic ${encoding.b64encode(`${creds.username}:${creds.password}`)}`;
  const out: SeededData = {};
  let seed: SeedParams | undefined | null = null;
  for (const name in specs) {
    const spec = specs[name]!;
    if (spec.kind !== 'seeded-patients') continue;
    const count = spec.count || DEFAULT_COUNT;
    if (seed === null) seed = readSeed(t, auth);
    if (seed) {
      out[name] = { params: seed, count };
      continue;
    }
    const records = searchedPatients(t, auth, count);
    if (!records.length) {
      throw new Error(
        `feeder '${name}': the target has no 'loadlab.seed' system setting and searching it for common names found no patients ` +
          `(check LOADLAB_TARGET and the credentials; or seed it: loadlab seed --db … --patients N)`,
      );
    }
    out[name] = { records };
  }
  return out;
}

/** A VU's seeded-patients records, from setup's data (engine: the same sample of the same generator). */
export function seededFeeders(data: SeededData | undefined): Record<string, FeederRecord[]> {
  const out: Record<string, FeederRecord[]> = {};
  for (const name in data || {}) {
    const d = data![name]!;
    out[name] = 'records' in d ? d.records : seededPatientSample(d.params, Math.min(d.count, d.params.patients)).map((p) => patientRecord(p));
  }
  return out;
}
