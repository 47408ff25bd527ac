import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import type { Reply, RequestContext, Route } from '../context.ts';
import { badRequest, notFound, RestError } from '../errors.ts';
import { graphFor, patientIdByUuid } from './clinical-defs.ts';
import { valueless } from './clinical-model.ts';
import { fhirCondition, fhirInstant, fhirLocation, fhirObservation, fhirPatient, patientReference, type ConditionRow } from './fhir-resources.ts';
import { loadPatients, type PatientAgg } from './people.ts';
import { csv } from './params.ts';

const FHIR_JSON = 'application/fhir+json;charset=UTF-8';
/** openmrs-module-fhir2's fhir2.paging.default and fhir2.paging.maximum. */
const DEFAULT_COUNT = 10;
const MAX_COUNT = 100;

const ISSUE_CODES: Record<number, string> = { 400: 'invalid', 401: 'login', 403: 'forbidden', 404: 'not-found', 405: 'not-supported' };

function outcome(status: number, diagnostics: string): Reply {
  return {
    status,
    contentType: FHIR_JSON,
    body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: ISSUE_CODES[status] ?? 'processing', diagnostics }] },
  };
}

/** FHIR routes answer errors as OperationOutcome rather than webservices.rest's error body. */
function fhirRoute(path: string, privilege: string, handler: (ctx: RequestContext) => Promise<unknown>): Route {
  return {
    method: 'GET',
    path,
    cls: 'fhir',
    async handler(ctx) {
      try {
        ctx.requirePrivilege(privilege);
        return { contentType: FHIR_JSON, body: await handler(ctx) };
      } catch (e) {
        if (e instanceof RestError) return outcome(e.status, e.message);
        throw e;
      }
    },
  };
}

interface Page {
  count: number;
  offset: number;
}

function page(ctx: RequestContext): Page {
  const count = Number(ctx.query.get('_count') ?? DEFAULT_COUNT);
  const offset = Number(ctx.query.get('_getpagesoffset') ?? 0);
  if (!Number.isInteger(count) || count < 0) throw badRequest(`Invalid _count: ${ctx.query.get('_count')}`);
  if (!Number.isInteger(offset) || offset < 0) throw badRequest(`Invalid _getpagesoffset: ${ctx.query.get('_getpagesoffset')}`);
  return { count: Math.min(count, MAX_COUNT), offset };
}

/** A searchset Bundle; `next` is our own stateless _getpagesoffset link (HAPI keeps paging state server-side). */
function bundle(ctx: RequestContext, p: Page, resources: { resourceType: string; id: string }[], total: number) {
  const self = `${ctx.fhirBase}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}`;
  const link = [{ relation: 'self', url: self }];
  if (p.offset + resources.length < total) {
    const q = new URLSearchParams(ctx.query);
    q.set('_getpagesoffset', String(p.offset + p.count));
    link.push({ relation: 'next', url: `${ctx.fhirBase}${ctx.path}?${q.toString()}` });
  }
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: fhirInstant(new Date()) },
    type: 'searchset',
    total,
    link,
    ...(resources.length ? { entry: resources.map((r) => ({ fullUrl: `${ctx.fhirBase}/${r.resourceType}/${r.id}`, resource: r })) } : {}),
  };
}

/** The patient a search names through subject:Patient, subject or patient (bare uuid or Patient/uuid). */
function patientParam(ctx: RequestContext): string {
  const raw = ctx.query.get('subject:Patient') ?? ctx.query.get('patient') ?? ctx.query.get('subject') ?? ctx.query.get('patient:Patient');
  if (!raw) throw badRequest('This search requires a patient (subject:Patient, subject or patient)');
  return raw.replace(/^Patient\//, '');
}

async function onePatient(ctx: RequestContext, uuid: string): Promise<{ id: number; agg: PatientAgg } | undefined> {
  const id = await patientIdByUuid(ctx.target.pool, uuid);
  if (id === undefined) return undefined;
  const agg = (await loadPatients(ctx.target.pool, ctx.target.cache, [id])).get(id);
  return agg ? { id, agg } : undefined;
}

/** Concept ids for `code` tokens: a concept uuid, optionally as `system|code`; unknown codes match nothing. */
function conceptIds(ctx: RequestContext): number[] | undefined {
  const tokens = csv(ctx.query.get('code'));
  if (tokens.length === 0) return undefined;
  const { cache } = ctx.target;
  return tokens
    .map((t) => t.slice(t.indexOf('|') + 1))
    .map((code) => cache.concepts.byUuid.get(code)?.id ?? (/^\d+$/.test(code) ? cache.concepts.byId.get(Number(code))?.id : undefined))
    .filter((id): id is number => id !== undefined);
}

async function searchObservations(ctx: RequestContext) {
  const p = page(ctx);
  const patient = await onePatient(ctx, patientParam(ctx));
  const concepts = conceptIds(ctx);
  if (!patient || (concepts && concepts.length === 0)) return bundle(ctx, p, [], 0);
  const where = concepts ? 'person_id = ? AND concept_id IN (?) AND voided = 0' : 'person_id = ? AND voided = 0';
  const params: unknown[] = concepts ? [patient.id, concepts] : [patient.id];
  const dir = ctx.query.get('_sort') === 'date' ? 'ASC' : 'DESC';
  const [[count]] = await ctx.target.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM obs WHERE ${where}`, params);
  const g = graphFor(ctx);
  const obs = await g.obsRows(where, [...params, p.count, p.offset], `ORDER BY obs_datetime ${dir}, obs_id ${dir} LIMIT ? OFFSET ?`);
  await g.loadMembers(obs.filter(valueless));
  const encIds = [...new Set(obs.map((o) => o.encounterId).filter((id): id is number => id !== null))];
  const encUuids = new Map<number, string>();
  if (encIds.length) {
    const [rows] = await ctx.target.pool.query<RowDataPacket[]>('SELECT encounter_id, uuid FROM encounter WHERE encounter_id IN (?)', [encIds]);
    for (const r of rows) encUuids.set(r.encounter_id, r.uuid);
  }
  const subject = patientReference(patient.agg, patient.agg.person.uuid);
  const resources = obs.map((o) => fhirObservation(o, subject, o.encounterId === null ? undefined : encUuids.get(o.encounterId)));
  return bundle(ctx, p, resources, Number(count?.n ?? 0));
}

async function searchConditions(ctx: RequestContext) {
  const p = page(ctx);
  const patient = await onePatient(ctx, patientParam(ctx));
  if (!patient) return bundle(ctx, p, [], 0);
  const where = ['patient_id = ?', 'voided = 0'];
  const params: unknown[] = [patient.id];
  const status = ctx.query.get('clinical-status');
  if (status) {
    where.push('clinical_status = ?');
    params.push(status.toUpperCase());
  }
  const sql = where.join(' AND ');
  const [[count]] = await ctx.target.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM conditions WHERE ${sql}`, params);
  const [rows] = await ctx.target.pool.query<RowDataPacket[]>(
    `SELECT * FROM conditions WHERE ${sql} ORDER BY date_created DESC, condition_id DESC LIMIT ? OFFSET ?`,
    [...params, p.count, p.offset],
  );
  const subject = patientReference(patient.agg, patient.agg.person.uuid);
  const resources = rows.map((r) => {
    const c: ConditionRow = {
      uuid: r.uuid, conceptId: r.condition_coded, nonCoded: r.condition_non_coded, clinicalStatus: r.clinical_status,
      verificationStatus: r.verification_status, onset: r.onset_date, end: r.end_date, dateCreated: r.date_created,
    };
    return fhirCondition(ctx.target.cache, c, subject);
  });
  return bundle(ctx, p, resources, Number(count?.n ?? 0));
}

/** Location search from the cache: `_tag` by tag name, `name` by prefix. */
async function searchLocations(ctx: RequestContext) {
  const p = page(ctx);
  const { cache } = ctx.target;
  let rows = cache.locations.all().filter((l) => !l.retired);
  const tag = ctx.query.get('_tag');
  if (tag) {
    const wanted = new Set(csv(tag).map((t) => t.slice(t.indexOf('|') + 1).toLowerCase()));
    const tagIds = new Set(cache.locationTags.all().filter((t) => wanted.has(t.name.toLowerCase())).map((t) => t.id));
    rows = rows.filter((l) => l.tagIds.some((id) => tagIds.has(id)));
  }
  const name = ctx.query.get('name')?.toLowerCase();
  if (name) rows = rows.filter((l) => l.name.toLowerCase().startsWith(name));
  rows.sort((a, b) => a.name.localeCompare(b.name));
  const resources = rows.slice(p.offset, p.offset + p.count).map((l) => fhirLocation(cache, l));
  return bundle(ctx, p, resources, rows.length);
}

export const routes: Route[] = [
  fhirRoute('/Patient/:id', 'Get Patients', async (ctx) => {
    const patient = await onePatient(ctx, ctx.params.id!);
    if (!patient) throw notFound(`Could not find Patient with Id ${ctx.params.id}`);
    return fhirPatient(patient.agg);
  }),
  fhirRoute('/Observation', 'Get Observations', searchObservations),
  fhirRoute('/Condition', 'Get Conditions', searchConditions),
  fhirRoute('/Location', 'Get Locations', searchLocations),
  fhirRoute('/Location/:id', 'Get Locations', async (ctx) => {
    const l = ctx.target.cache.locations.byUuid.get(ctx.params.id!);
    if (!l) throw notFound(`Could not find Location with Id ${ctx.params.id}`);
    return fhirLocation(ctx.target.cache, l);
  }),
];
