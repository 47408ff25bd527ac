import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { MetadataCache } from '../cache.ts';
import { DEFAULT, FULL, REF, wants, type Rep, type ResourceDef } from '../rep.ts';
import { loadPatients, type PatientAgg, type PersonAgg } from './people.ts';

/** A visit row plus whatever a representation needed (patient, encounters). */
export interface VisitAgg {
  id: number;
  uuid: string;
  patientId: number;
  typeId: number;
  locationId: number | null;
  start: Date;
  stop: Date | null;
  voided: boolean;
  dateCreated: Date;
  cache: MetadataCache;
  patient?: PatientAgg;
  encounters?: EncounterAgg[];
}

export interface EncounterAgg {
  id: number;
  uuid: string;
  typeId: number;
  patientId: number;
  locationId: number | null;
  datetime: Date;
  visitId: number | null;
  voided: boolean;
  dateCreated: Date;
  cache: MetadataCache;
  patient?: PatientAgg;
  visit?: VisitAgg | null;
  /** Top-level obs only, as EncounterResource renders `getObsAtTopLevel`. */
  obs?: ObsAgg[];
  providers?: EncounterProviderAgg[];
}

export interface ObsAgg {
  id: number;
  uuid: string;
  personId: number;
  conceptId: number;
  encounterId: number | null;
  datetime: Date;
  locationId: number | null;
  groupId: number | null;
  accessionNumber: string | null;
  valueCoded: number | null;
  valueNumeric: number | null;
  valueText: string | null;
  valueDatetime: Date | null;
  valueModifier: string | null;
  comment: string | null;
  status: string;
  interpretation: string | null;
  formPath: string | null;
  voided: boolean;
  dateCreated: Date;
  cache: MetadataCache;
  person?: PersonAgg;
  encounter?: EncounterAgg | null;
  group?: ObsAgg | null;
  members?: ObsAgg[];
}

export interface EncounterProviderAgg {
  id: number;
  uuid: string;
  providerId: number;
  roleId: number;
  voided: boolean;
  cache: MetadataCache;
  person?: PersonAgg;
}

/** Which resource definitions the graph consults to decide what a representation renders. */
export interface Defs {
  visit: ResourceDef<VisitAgg>;
  encounter: ResourceDef<EncounterAgg>;
  obs: ResourceDef<ObsAgg>;
}

/** The representation `field` renders with under `rep`, or undefined when it is not rendered. */
function sub<T>(def: ResourceDef<T>, rep: Rep, field: string, inDefault: Rep = REF, inFull: Rep = DEFAULT): Rep | undefined {
  if (!wants(rep, field, def as unknown as ResourceDef<never>)) return undefined;
  if (rep.kind === 'custom') return rep.fields.get(field) ?? DEFAULT;
  return rep.kind === 'full' ? inFull : inDefault;
}

export const valueless = (o: ObsAgg) =>
  o.valueCoded === null && o.valueNumeric === null && o.valueText === null && o.valueDatetime === null;

const ids = <T>(xs: readonly T[], f: (x: T) => number | null | undefined): number[] =>
  [...new Set(xs.map(f).filter((x): x is number => typeof x === 'number'))];

/**
 * Loads visits, encounters and obs for one request, as Hibernate's batch fetching would: one query per
 * relation and level, only for what the representation renders, each row materialised once.
 */
export class Graph {
  readonly visits = new Map<number, VisitAgg>();
  readonly encounters = new Map<number, EncounterAgg>();
  readonly obs = new Map<number, ObsAgg>();
  private readonly people = new Map<number, PatientAgg>();

  constructor(
    readonly pool: Pool,
    readonly cache: MetadataCache,
    private readonly defs: Defs,
  ) {}

  private async rows(sql: string, params: unknown[]): Promise<RowDataPacket[]> {
    return (await this.pool.query<RowDataPacket[]>(sql, params))[0];
  }

  async visitRows(where: string, params: unknown[], tail = ''): Promise<VisitAgg[]> {
    return (await this.rows(`SELECT * FROM visit WHERE ${where} ${tail}`, params)).map((r) => {
      const known = this.visits.get(r.visit_id);
      if (known) return known;
      const v: VisitAgg = {
        id: r.visit_id, uuid: r.uuid, patientId: r.patient_id, typeId: r.visit_type_id, locationId: r.location_id,
        start: r.date_started, stop: r.date_stopped, voided: !!r.voided, dateCreated: r.date_created, cache: this.cache,
      };
      this.visits.set(v.id, v);
      return v;
    });
  }

  async encounterRows(where: string, params: unknown[], tail = ''): Promise<EncounterAgg[]> {
    return (await this.rows(`SELECT * FROM encounter WHERE ${where} ${tail}`, params)).map((r) => {
      const known = this.encounters.get(r.encounter_id);
      if (known) return known;
      const e: EncounterAgg = {
        id: r.encounter_id, uuid: r.uuid, typeId: r.encounter_type, patientId: r.patient_id, locationId: r.location_id,
        datetime: r.encounter_datetime, visitId: r.visit_id, voided: !!r.voided, dateCreated: r.date_created, cache: this.cache,
      };
      this.encounters.set(e.id, e);
      return e;
    });
  }

  async obsRows(where: string, params: unknown[], tail = ''): Promise<ObsAgg[]> {
    return (await this.rows(`SELECT * FROM obs WHERE ${where} ${tail}`, params)).map((r) => {
      const known = this.obs.get(r.obs_id);
      if (known) return known;
      const o: ObsAgg = {
        id: r.obs_id, uuid: r.uuid, personId: r.person_id, conceptId: r.concept_id, encounterId: r.encounter_id,
        datetime: r.obs_datetime, locationId: r.location_id, groupId: r.obs_group_id, accessionNumber: r.accession_number,
        valueCoded: r.value_coded, valueNumeric: r.value_numeric, valueText: r.value_text, valueDatetime: r.value_datetime,
        valueModifier: r.value_modifier, comment: r.comments, status: r.status, interpretation: r.interpretation,
        formPath: r.form_namespace_and_path, voided: !!r.voided, dateCreated: r.date_created, cache: this.cache,
      };
      this.obs.set(o.id, o);
      return o;
    });
  }

  /** People (patients or not) by person id, loaded once per request. */
  async loadPeople(personIds: number[]): Promise<Map<number, PatientAgg>> {
    const missing = personIds.filter((id) => !this.people.has(id));
    if (missing.length) for (const [id, p] of await loadPatients(this.pool, this.cache, missing, false)) this.people.set(id, p);
    return this.people;
  }

  async fillVisits(vs: VisitAgg[], rep: Rep): Promise<void> {
    if (vs.length === 0 || rep.kind === 'ref') return;
    const def = this.defs.visit;
    if (sub(def, rep, 'patient')) {
      const people = await this.loadPeople(ids(vs, (v) => v.patientId));
      for (const v of vs) v.patient = people.get(v.patientId);
    }
    const er = sub(def, rep, 'encounters', REF, DEFAULT);
    if (er) {
      const pending = vs.filter((v) => !v.encounters);
      if (pending.length) {
        const encs = await this.encounterRows('visit_id IN (?) AND voided = 0', [pending.map((v) => v.id)], 'ORDER BY encounter_datetime, encounter_id');
        for (const v of pending) v.encounters = [];
        for (const e of encs) {
          const v = this.visits.get(e.visitId ?? -1);
          e.visit = v ?? null;
          v?.encounters?.push(e);
        }
      }
      await this.fillEncounters(vs.flatMap((v) => v.encounters ?? []), er);
    }
  }

  async fillEncounters(es: EncounterAgg[], rep: Rep): Promise<void> {
    if (es.length === 0 || rep.kind === 'ref') return;
    const def = this.defs.encounter;
    if (sub(def, rep, 'patient')) {
      const people = await this.loadPeople(ids(es, (e) => e.patientId));
      for (const e of es) e.patient = people.get(e.patientId);
    }
    const vr = sub(def, rep, 'visit', REF, DEFAULT);
    if (vr) {
      const missing = ids(es, (e) => (e.visit === undefined && !this.visits.has(e.visitId ?? -1) ? e.visitId : null));
      if (missing.length) await this.visitRows('visit_id IN (?)', [missing]);
      for (const e of es) e.visit = e.visitId ? (this.visits.get(e.visitId) ?? null) : null;
      await this.fillVisits(es.map((e) => e.visit).filter((v): v is VisitAgg => !!v), vr);
    }
    const or = sub(def, rep, 'obs', REF, DEFAULT);
    if (or) {
      const pending = es.filter((e) => !e.obs);
      if (pending.length) {
        const all = await this.obsRows('encounter_id IN (?) AND voided = 0', [pending.map((e) => e.id)], 'ORDER BY obs_id');
        for (const e of pending) e.obs = [];
        this.linkMembers(all);
        for (const o of all) {
          const e = this.encounters.get(o.encounterId ?? -1);
          o.encounter = e ?? null;
          if (o.groupId === null) e?.obs?.push(o);
        }
      }
      await this.fillObs(es.flatMap((e) => e.obs ?? []), or);
    }
    if (sub(def, rep, 'encounterProviders', REF, DEFAULT)) {
      const pending = es.filter((e) => !e.providers);
      if (pending.length) {
        const rows = await this.rows('SELECT * FROM encounter_provider WHERE encounter_id IN (?) AND voided = 0 ORDER BY encounter_provider_id', [pending.map((e) => e.id)]);
        for (const e of pending) e.providers = [];
        for (const r of rows) {
          this.encounters.get(r.encounter_id)?.providers?.push({
            id: r.encounter_provider_id, uuid: r.uuid, providerId: r.provider_id, roleId: r.encounter_role_id, voided: !!r.voided, cache: this.cache,
          });
        }
      }
      // A provider's display is its person's name, so provider people load whenever providers render.
      const eps = es.flatMap((e) => e.providers ?? []);
      const personOf = (ep: EncounterProviderAgg) => this.cache.providers.byId.get(ep.providerId)?.personId;
      const people = await this.loadPeople(ids(eps, personOf));
      for (const ep of eps) ep.person = people.get(personOf(ep) ?? -1)?.person;
    }
  }

  /** Attaches members to their groups among `all` (obs loaded together, e.g. one encounter's). */
  private linkMembers(all: ObsAgg[]): void {
    const byId = new Map(all.map((o) => [o.id, o]));
    for (const o of all) o.members ??= [];
    for (const o of all) {
      if (o.groupId === null) continue;
      const parent = byId.get(o.groupId);
      o.group = parent ?? null;
      // A parent may already hold its members (loaded earlier in this request); do not list them twice.
      if (parent?.members && !parent.members.includes(o)) parent.members.push(o);
    }
  }

  /** Group members of obs that do not have them yet, in one query. */
  async loadMembers(os: ObsAgg[]): Promise<void> {
    const pending = os.filter((o) => !o.members);
    if (pending.length === 0) return;
    const members = await this.obsRows('obs_group_id IN (?) AND voided = 0', [pending.map((o) => o.id)], 'ORDER BY obs_id');
    for (const o of pending) o.members = [];
    for (const m of members) {
      const parent = this.obs.get(m.groupId ?? -1);
      m.group = parent ?? null;
      parent?.members?.push(m);
    }
  }

  async fillObs(os: ObsAgg[], rep: Rep): Promise<void> {
    // A group's display lists its members' values, so valueless obs need their members even as refs.
    await this.loadMembers(os.filter(valueless));
    if (os.length === 0 || rep.kind === 'ref') return;
    const def = this.defs.obs;
    if (sub(def, rep, 'person')) {
      const people = await this.loadPeople(ids(os, (o) => o.personId));
      for (const o of os) o.person = people.get(o.personId)?.person;
    }
    const er = sub(def, rep, 'encounter', REF, DEFAULT);
    if (er) {
      const missing = ids(os, (o) => (o.encounter === undefined && !this.encounters.has(o.encounterId ?? -1) ? o.encounterId : null));
      if (missing.length) await this.encounterRows('encounter_id IN (?)', [missing]);
      for (const o of os) o.encounter = o.encounterId ? (this.encounters.get(o.encounterId) ?? null) : null;
      await this.fillEncounters(ids(os, (o) => o.encounterId).map((id) => this.encounters.get(id)!).filter(Boolean), er);
    }
    const mr = sub(def, rep, 'groupMembers', REF, FULL);
    if (mr) {
      await this.loadMembers(os);
      await this.fillObs(os.flatMap((o) => o.members ?? []), mr);
    }
    const gr = sub(def, rep, 'obsGroup', REF, REF);
    if (gr) {
      const missing = ids(os, (o) => (o.group === undefined && o.groupId !== null && !this.obs.has(o.groupId) ? o.groupId : null));
      if (missing.length) await this.obsRows('obs_id IN (?)', [missing]);
      for (const o of os) o.group = o.groupId === null ? null : (this.obs.get(o.groupId) ?? null);
      await this.fillObs(os.map((o) => o.group).filter((g): g is ObsAgg => !!g), gr);
    }
  }
}
