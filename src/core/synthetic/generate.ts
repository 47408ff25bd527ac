/**
 * Pure, deterministic generation of OpenMRS rows for synthetic patients. Every patient k draws from
 * its own random streams (seed, k, ...), so any table and any range of patients can be generated on
 * its own, in any order, in parallel, and a workload can regenerate patient k's identity without
 * touching the database. Nothing here reads the clock: all dates hang off REFERENCE_DATE.
 */
import { CHRONIC, CONCEPT, DIAGNOSES, LABS, VITALS, labValue, visitNote, vitalValues } from './clinical.ts';
import { baseToSequence, openmrsId } from './luhn30.ts';
import { ADDRESS_FORMS, REGIONS, type Country, type Region } from './names.ts';
import { DAY, HOUR, MINUTE, Rng, YEAR, sqlDate, sqlDateTime } from './rng.ts';

/** The date the synthetic world is "now": metadata.sql's creation date. */
export const REFERENCE_DATE = Date.UTC(2026, 0, 1);
/** idgen's first_identifier_base '10000' as a sequence number. */
export const FIRST_SEQUENCE = baseToSequence('10000');
export const ENCOUNTERS_PER_VISIT = 3;
const ENCOUNTER_TYPES = [2, 3, 7] as const; // Vitals, Visit Note, Lab Results
const LAB_LOCATION = 7;
const TAG = { core: 0x636f7265, visit: 0x76697374, obs: 0x6f627373 } as const;

export type Cell = string | number | null;
export type Row = Cell[];

export const COLUMNS = {
  person: ['person_id', 'gender', 'birthdate', 'birthdate_estimated', 'dead', 'death_date', 'creator', 'date_created', 'uuid'],
  person_name: ['person_name_id', 'preferred', 'person_id', 'given_name', 'middle_name', 'family_name', 'family_name2', 'creator', 'date_created', 'uuid'],
  person_address: ['person_address_id', 'person_id', 'preferred', 'address1', 'city_village', 'state_province', 'postal_code', 'country', 'creator', 'date_created', 'uuid'],
  patient: ['patient_id', 'creator', 'date_created'],
  patient_identifier: ['patient_identifier_id', 'patient_id', 'identifier', 'identifier_type', 'preferred', 'location_id', 'creator', 'date_created', 'uuid'],
  visit: ['visit_id', 'patient_id', 'visit_type_id', 'date_started', 'date_stopped', 'location_id', 'creator', 'date_created', 'uuid'],
  encounter: ['encounter_id', 'encounter_type', 'patient_id', 'location_id', 'encounter_datetime', 'creator', 'date_created', 'uuid', 'visit_id'],
  encounter_provider: ['encounter_provider_id', 'encounter_id', 'provider_id', 'encounter_role_id', 'creator', 'date_created', 'uuid'],
  obs: ['obs_id', 'person_id', 'concept_id', 'encounter_id', 'obs_datetime', 'location_id', 'value_coded', 'value_numeric', 'value_text', 'creator', 'date_created', 'uuid'],
  conditions: ['condition_id', 'condition_coded', 'clinical_status', 'verification_status', 'onset_date', 'date_created', 'patient_id', 'encounter_id', 'creator', 'uuid'],
} as const satisfies Record<string, readonly string[]>;
export type TableName = keyof typeof COLUMNS;
export const TABLES = Object.keys(COLUMNS) as TableName[];

export interface SeedParams {
  seed: number;
  patients: number;
  visitsPerPatient: number;
  obsPerVisit: number;
  /** idgen sequence number of patient 0's OpenMRS ID. */
  firstSequence: number;
}

/** The first primary key each table's seeded rows use (one past what the database already holds). */
export type IdBases = Record<TableName, number>;

export interface SeedContext {
  params: SeedParams;
  ids: IdBases;
}

/** What a workload needs to find seeded patient k: search terms and the expected answer. */
export interface PatientIdentity {
  index: number;
  uuid: string;
  identifier: string;
  gender: 'M' | 'F';
  birthdate: string;
  givenName: string;
  middleName: string | null;
  familyName: string;
  familyName2: string | null;
  country: string;
  cityVillage: string;
  dead: boolean;
}

interface VisitCore {
  start: number;
  stop: number;
  type: number;
  location: number;
}

interface PatientCore extends PatientIdentity {
  identity: PatientIdentity;
  birthMs: number;
  birthEstimated: number;
  stateProvince: string;
  address1: string;
  postalCode: string | null;
  nameUuid: string;
  addressUuid: string;
  identifierUuid: string;
  identifierLocation: number;
  visits: VisitCore[];
  registered: number;
  deathMs: number | null;
  condition: { concept: number; active: boolean; uuid: string } | null;
}

const sumOf = (xs: readonly { weight: number }[]): number => xs.reduce((s, x) => s + x.weight, 0);
const REGION_WEIGHTS = REGIONS.map((r) => r.weight);
const REGION_TOTAL = sumOf(REGIONS);
const LOCATION_WEIGHTS = [45, 15, 10, 5, 15, 10]; // locations 3..8: mostly outpatient
const VISIT_TYPE_WEIGHTS = [50, 10, 40]; // Facility, Home, OPD

function pickCountry(region: Region, rng: Rng): Country {
  const c = region.countries[rng.weighted(region.countries.map((x) => x.weight), sumOf(region.countries))];
  if (!c) throw new Error(`region ${region.name} has no countries`);
  return c;
}

function postalCode(pattern: string, rng: Rng): string | null {
  if (!pattern) return null;
  return pattern.replace(/#/g, () => String(rng.int(0, 9)));
}

function patientCore(params: Pick<SeedParams, 'seed' | 'visitsPerPatient' | 'firstSequence'>, k: number): PatientCore {
  const rng = new Rng(params.seed, k, 0, TAG.core);
  const uuid = rng.uuid();
  const gender = rng.chance(0.5) ? 'F' : 'M';
  const ageDays = 30 + Math.floor(rng.float() * 90 * 365.25);
  const estimated = ageDays > 18 * 365 && rng.chance(0.15);
  let birthMs = REFERENCE_DATE - ageDays * DAY;
  // An estimated birthdate is the one OpenMRS derives from a stated age: 1 January of that year.
  if (estimated) birthMs = Date.UTC(new Date(birthMs).getUTCFullYear(), 0, 1);
  const region = REGIONS[rng.weighted(REGION_WEIGHTS, REGION_TOTAL)] ?? REGIONS[0];
  if (!region) throw new Error('no regions defined');
  const country = pickCountry(region, rng);
  const place = rng.pick(country.places);
  const names = country.names ?? region;
  const givenList = gender === 'F' ? names.female : names.male;
  const givenName = rng.pick(givenList);
  const middleName = rng.chance(region.middleRate) ? rng.pick(givenList) : null;
  const familyName = rng.pick(names.family);
  const familyName2 = country.family2Rate > 0 && rng.chance(country.family2Rate) ? rng.pick(names.family) : null;
  const address1 = rng.pick(ADDRESS_FORMS).replace('#', String(rng.int(1, 400)));
  const postal = postalCode(country.postal, rng);
  const nameUuid = rng.uuid();
  const addressUuid = rng.uuid();
  const identifierUuid = rng.uuid();
  const identifierLocation = 3 + rng.int(0, 5);
  // Drawn before the visits, so that identities do not depend on visitsPerPatient.
  const dead = rng.chance(0.01);
  const deathAt = rng.float();

  const lo = Math.max(REFERENCE_DATE - 3 * YEAR, birthMs + DAY);
  const hi = REFERENCE_DATE - 6 * DAY;
  const visits: VisitCore[] = [];
  for (let j = 0; j < params.visitsPerPatient; j++) {
    const day = Math.floor(rng.range(lo, hi) / DAY) * DAY;
    const start = day + 7 * HOUR + Math.floor(rng.float() * 600) * MINUTE;
    const type = 1 + rng.weighted(VISIT_TYPE_WEIGHTS, 100);
    const location = 3 + rng.weighted(LOCATION_WEIGHTS, 100);
    const inpatient = type === 1 && rng.chance(0.1);
    const minutes = inpatient ? rng.int(1440, 5 * 1440) : type === 2 ? rng.int(20, 90) : rng.int(30, 240);
    visits.push({ start, stop: start + minutes * MINUTE, type, location });
  }
  visits.sort((a, b) => a.start - b.start);
  const registered = visits[0] ? visits[0].start - 10 * MINUTE : Math.floor(rng.range(lo, hi) / MINUTE) * MINUTE;
  const lastEvent = visits.reduce((t, v) => Math.max(t, v.stop), registered);
  const deathMs = dead ? Math.floor((lastEvent + HOUR + deathAt * (REFERENCE_DATE - lastEvent - HOUR)) / MINUTE) * MINUTE : null;
  const condition =
    visits.length > 0 && rng.chance(0.15) ? { concept: rng.pick(CHRONIC), active: rng.chance(0.85), uuid: rng.uuid() } : null;

  const identity: PatientIdentity = {
    index: k, uuid, identifier: openmrsId(params.firstSequence + k), gender, birthdate: sqlDate(birthMs),
    givenName, middleName, familyName, familyName2, country: country.name, cityVillage: place.city, dead,
  };
  return {
    ...identity, identity, birthMs, birthEstimated: estimated ? 1 : 0, stateProvince: place.province, address1, postalCode: postal,
    nameUuid, addressUuid, identifierUuid, identifierLocation, visits, registered, deathMs, condition,
  };
}

/** Seeded patient k as a workload sees it (pure; matches what seedDatabase wrote for the same seed). */
export function patientIdentity(params: { seed: number; firstSequence?: number }, k: number): PatientIdentity {
  return patientCore({ seed: params.seed, visitsPerPatient: 0, firstSequence: params.firstSequence ?? FIRST_SEQUENCE }, k).identity;
}

/**
 * `n` seeded patients spread evenly over the whole population (a feeder for search and chart
 * workloads). Dead patients are left out, since searches drop them by default.
 */
export function seededPatientSample(params: { seed: number; patients: number; firstSequence?: number }, n: number): PatientIdentity[] {
  const out: PatientIdentity[] = [];
  const step = Math.max(1, params.patients / Math.max(1, n));
  // A dead patient's place goes to the next untried index, so each patient is generated at most once.
  const tried = new Set<number>();
  for (let i = 0; out.length < n && tried.size < params.patients; i++) {
    let k = Math.floor((i * step + step / 2) % params.patients);
    while (tried.has(k)) k = (k + 1) % params.patients;
    tried.add(k);
    const p = patientIdentity(params, k);
    if (!p.dead) out.push(p);
  }
  return out;
}

const T = (ms: number): string => sqlDateTime(ms);

function encounterTimes(v: VisitCore): [number, number, number] {
  const d = v.stop - v.start;
  const at = (f: number): number => v.start + Math.floor((d * f) / MINUTE) * MINUTE;
  return [at(0.1), at(0.4), at(0.75)];
}

function emitVisitObs(ctx: SeedContext, c: PatientCore, j: number, v: VisitCore, emit: (row: Row) => void): void {
  const { params, ids } = ctx;
  const O = params.obsPerVisit;
  const vi = c.index * params.visitsPerPatient + j;
  const pid = ids.person + c.index;
  const enc = ids.encounter + vi * ENCOUNTERS_PER_VISIT;
  let obsId = ids.obs + vi * O;
  const [tv, tn, tl] = encounterTimes(v).map(T) as [string, string, string];
  const rng = new Rng(params.seed, c.index, j + 1, TAG.obs);
  const vitals = vitalValues((v.start - c.birthMs) / YEAR, rng);
  const nVitals = Math.min(VITALS.length, O);
  for (let i = 0; i < nVitals; i++) {
    emit([obsId++, pid, VITALS[i] ?? 0, enc, tv, v.location, null, vitals[i] ?? null, null, 1, tv, rng.uuid()]);
  }
  let rest = O - nVitals;
  if (rest > 0) {
    emit([obsId++, pid, CONCEPT.visitNote, enc + 1, tn, v.location, null, null, visitNote(rng), 1, tn, rng.uuid()]);
    rest--;
    const nDiag = Math.min(rest, rng.int(1, 2));
    for (let i = 0; i < nDiag; i++) {
      emit([obsId++, pid, CONCEPT.diagnosis, enc + 1, tn, v.location, rng.pick(DIAGNOSES), null, null, 1, tn, rng.uuid()]);
    }
    rest -= nDiag;
  }
  const offset = rng.int(0, LABS.length - 1);
  for (let i = 0; i < rest; i++) {
    const spec = LABS[(offset + i) % LABS.length];
    if (!spec) continue;
    emit([obsId++, pid, spec.concept, enc + 2, tl, LAB_LOCATION, null, labValue(spec, rng), null, 1, tl, rng.uuid()]);
  }
}

function emitVisitRows(table: TableName, ctx: SeedContext, c: PatientCore, emit: (row: Row) => void): void {
  const { params, ids } = ctx;
  const pid = ids.person + c.index;
  c.visits.forEach((v, j) => {
    if (table === 'obs') return emitVisitObs(ctx, c, j, v, emit);
    const vi = c.index * params.visitsPerPatient + j;
    const rng = new Rng(params.seed, c.index, j + 1, TAG.visit);
    const visitUuid = rng.uuid();
    if (table === 'visit') {
      emit([ids.visit + vi, pid, v.type, T(v.start), T(v.stop), v.location, 1, T(v.start), visitUuid]);
      return;
    }
    const times = encounterTimes(v);
    for (let e = 0; e < ENCOUNTERS_PER_VISIT; e++) {
      const encId = ids.encounter + vi * ENCOUNTERS_PER_VISIT + e;
      // Both uuids are drawn whichever table is wanted, so the two tables never share one.
      const encUuid = rng.uuid();
      const providerUuid = rng.uuid();
      const t = T(times[e] ?? v.start);
      if (table === 'encounter') {
        const loc = e === 2 ? LAB_LOCATION : v.location;
        emit([encId, ENCOUNTER_TYPES[e] ?? 1, pid, loc, t, 1, t, encUuid, ids.visit + vi]);
      } else {
        emit([ids.encounter_provider + vi * ENCOUNTERS_PER_VISIT + e, encId, 1, 2, 1, t, providerUuid]);
      }
    }
  });
}

function emitPatientRows(table: TableName, ctx: SeedContext, c: PatientCore, emit: (row: Row) => void): void {
  const { ids } = ctx;
  const k = c.index;
  const pid = ids.person + k;
  const created = T(c.registered);
  switch (table) {
    case 'person':
      return emit([pid, c.gender, c.birthdate, c.birthEstimated, c.dead ? 1 : 0, c.deathMs === null ? null : T(c.deathMs), 1, created, c.uuid]);
    case 'person_name':
      return emit([ids.person_name + k, 1, pid, c.givenName, c.middleName, c.familyName, c.familyName2, 1, created, c.nameUuid]);
    case 'person_address':
      return emit([ids.person_address + k, pid, 1, c.address1, c.cityVillage, c.stateProvince, c.postalCode, c.country, 1, created, c.addressUuid]);
    case 'patient':
      return emit([pid, 1, created]);
    case 'patient_identifier':
      return emit([ids.patient_identifier + k, pid, c.identifier, 3, 1, c.identifierLocation, 1, created, c.identifierUuid]);
    case 'conditions': {
      const first = c.visits[0];
      if (!c.condition || !first) return;
      const noteEncounter = ids.encounter + k * ctx.params.visitsPerPatient * ENCOUNTERS_PER_VISIT + 1;
      const when = T(encounterTimes(first)[1]);
      const status = c.condition.active ? 'ACTIVE' : 'INACTIVE';
      return emit([ids.conditions + k, c.condition.concept, status, 'CONFIRMED', T(first.start), when, pid, noteEncounter, 1, c.condition.uuid]);
    }
    default:
      return emitVisitRows(table, ctx, c, emit);
  }
}

/** Calls `emit` with every row of `table` for patients [from, to), in primary-key order. */
export function emitRows(table: TableName, ctx: SeedContext, from: number, to: number, emit: (row: Row) => void): void {
  for (let k = from; k < to; k++) emitPatientRows(table, ctx, patientCore(ctx.params, k), emit);
}

/** About how many rows of `table` one patient produces (for sizing chunks and progress). */
export function rowsPerPatient(table: TableName, params: SeedParams): number {
  const v = params.visitsPerPatient;
  if (table === 'visit') return v;
  if (table === 'encounter' || table === 'encounter_provider') return v * ENCOUNTERS_PER_VISIT;
  if (table === 'obs') return v * params.obsPerVisit;
  if (table === 'conditions') return 0.15;
  return 1;
}
