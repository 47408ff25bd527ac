import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { RequestContext, Route } from '../context.ts';
import { notFound, RestError } from '../errors.ts';
import { parseRep, represent, DEFAULT, REF, type Rep } from '../rep.ts';
import { searchPersonIds } from '../search/db.ts';
import { identifierTypeDef } from './metadata-defs.ts';
import { insertPatient, parseNewPatient, updatePerson, voidPatient } from './patient-write.ts';
import { pagedBody, parsePaging, slicePage } from './params.ts';
import { loadPatients, patientDef, personDef, type PatientAgg } from './people.ts';

/** OpenMRS loads at most this many search hits, then pages them in memory. */
const SEARCH_CAP = 1000;
const getAllUnsupported = () =>
  new RestError(400, 'The Resource Does not Support the Requested Operation',
    'org.openmrs.module.webservices.rest.web.response.ResourceDoesNotSupportOperationException');

const flag = (ctx: RequestContext, name: string) => ctx.query.get(name)?.toLowerCase() === 'true';

/** Loads the page's patients only, in the order of `ids`. */
async function renderPage(ctx: RequestContext, ids: number[], rep: Rep, withPatient: boolean) {
  const page = parsePaging(ctx);
  const slice = slicePage(ids, page);
  const loaded = await loadPatients(ctx.target.pool, ctx.target.cache, slice, withPatient);
  const results = slice
    .map((id) => loaded.get(id))
    .filter((p): p is PatientAgg => p !== undefined)
    .map((p) => (withPatient ? represent(patientDef, p, rep, ctx.baseUrl) : represent(personDef, p.person, rep, ctx.baseUrl)));
  return pagedBody(ctx, page, results, ids.length);
}

/** GET /patient?identifier=X: an exact identifier match straight from the database, like PatientSearchHandler. */
async function idsByIdentifier(pool: Pool, identifier: string, includeDead: boolean): Promise<number[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT DISTINCT i.patient_id FROM patient_identifier i
       JOIN patient p ON p.patient_id = i.patient_id AND p.voided = 0
       JOIN person ps ON ps.person_id = i.patient_id AND ps.voided = 0${includeDead ? '' : ' AND ps.dead = 0'}
      WHERE i.identifier = ? AND i.voided = 0 ORDER BY i.patient_id LIMIT ?`,
    [identifier.trim(), SEARCH_CAP],
  );
  return rows.map((r) => r.patient_id as number);
}

/** The patient (or, with `patientOnly` false, any person) with this uuid, or a 404. */
async function personByUuid(ctx: RequestContext, patientOnly: boolean): Promise<PatientAgg> {
  const [[row]] = await ctx.target.pool.query<RowDataPacket[]>('SELECT person_id FROM person WHERE uuid = ?', [ctx.params.uuid]);
  const agg = row ? (await loadPatients(ctx.target.pool, ctx.target.cache, [row.person_id], patientOnly)).get(row.person_id) : undefined;
  if (!agg) throw notFound();
  return agg;
}

async function reloadPatient(ctx: RequestContext, id: number): Promise<Record<string, unknown>> {
  const agg = (await loadPatients(ctx.target.pool, ctx.target.cache, [id])).get(id);
  if (!agg) throw new Error(`patient ${id} vanished after saving`);
  return represent(patientDef, agg, DEFAULT, ctx.baseUrl);
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/patient',
    cls: 'search',
    async handler(ctx) {
      ctx.requirePrivilege('Get Patients');
      const rep = parseRep(ctx.query.get('v'), REF);
      parsePaging(ctx); // a bad limit is a 400 even when the query is too short to search
      const q = ctx.query.get('q');
      const identifier = ctx.query.get('identifier');
      const includeDead = flag(ctx, 'includeDead');
      let ids: number[];
      if (q !== null) {
        // Hibernate Search needs two characters (its edge n-grams start at 2).
        ids = q.trim().length < 2 ? [] : await ctx.target.search.search(q.trim(), { includeDead, cap: SEARCH_CAP });
      } else if (identifier !== null) {
        ids = identifier.trim() ? await idsByIdentifier(ctx.target.pool, identifier, includeDead) : [];
      } else {
        throw getAllUnsupported();
      }
      return { body: await renderPage(ctx, ids, rep, true) };
    },
  },
  {
    method: 'GET',
    path: '/patient/:uuid',
    cls: 'patient',
    async handler(ctx) {
      ctx.requirePrivilege('Get Patients');
      const rep = parseRep(ctx.query.get('v'), DEFAULT);
      return { body: represent(patientDef, await personByUuid(ctx, true), rep, ctx.baseUrl) };
    },
  },
  {
    method: 'POST',
    path: '/patient',
    cls: 'patient',
    async handler(ctx) {
      ctx.requirePrivilege('Add Patients');
      const input = await parseNewPatient(await ctx.body(), ctx.target.pool, ctx.target.cache);
      const id = await insertPatient(ctx.target.pool, input, ctx.currentUser().id);
      await ctx.target.search.patientSaved(id);
      return { status: 201, body: await reloadPatient(ctx, id) };
    },
  },
  {
    method: 'POST',
    path: '/patient/:uuid',
    cls: 'patient',
    async handler(ctx) {
      ctx.requirePrivilege('Edit Patients');
      const agg = await personByUuid(ctx, true);
      await updatePerson(ctx.target.pool, ctx.target.cache, agg.person.id, await ctx.body(), ctx.currentUser().id);
      await ctx.target.search.patientSaved(agg.person.id);
      return { body: await reloadPatient(ctx, agg.person.id) };
    },
  },
  {
    method: 'DELETE',
    path: '/patient/:uuid',
    cls: 'patient',
    async handler(ctx) {
      ctx.requirePrivilege('Delete Patients');
      const agg = await personByUuid(ctx, true);
      await voidPatient(ctx.target.pool, agg.person.id, ctx.currentUser().id, ctx.query.get('reason') ?? 'Voided through the REST API');
      await ctx.target.search.patientSaved(agg.person.id);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/person',
    cls: 'search',
    async handler(ctx) {
      ctx.requirePrivilege('Get People');
      const rep = parseRep(ctx.query.get('v'), REF);
      parsePaging(ctx);
      const q = ctx.query.get('q');
      if (q === null) throw getAllUnsupported();
      const ids = q.trim().length < 2 ? [] : await searchPersonIds(ctx.target.pool, q.trim(), SEARCH_CAP);
      return { body: await renderPage(ctx, ids, rep, false) };
    },
  },
  {
    method: 'GET',
    path: '/person/:uuid',
    cls: 'patient',
    async handler(ctx) {
      ctx.requirePrivilege('Get People');
      const rep = parseRep(ctx.query.get('v'), DEFAULT);
      return { body: represent(personDef, (await personByUuid(ctx, false)).person, rep, ctx.baseUrl) };
    },
  },
  {
    method: 'POST',
    path: '/person/:uuid',
    cls: 'patient',
    async handler(ctx) {
      ctx.requirePrivilege('Edit People');
      const agg = await personByUuid(ctx, false);
      await updatePerson(ctx.target.pool, ctx.target.cache, agg.person.id, await ctx.body(), ctx.currentUser().id);
      if (agg.person.isPatient) await ctx.target.search.patientSaved(agg.person.id);
      const fresh = (await loadPatients(ctx.target.pool, ctx.target.cache, [agg.person.id], false)).get(agg.person.id)!;
      return { body: represent(personDef, fresh.person, DEFAULT, ctx.baseUrl) };
    },
  },
  {
    method: 'GET',
    path: '/patientidentifiertype',
    cls: 'metadata',
    async handler(ctx) {
      ctx.requirePrivilege('Get Identifier Types');
      const rep = parseRep(ctx.query.get('v'), REF);
      const page = parsePaging(ctx);
      const all = ctx.target.cache.identifierTypes.all().filter((t) => !t.retired || flag(ctx, 'includeAll'));
      const results = slicePage(all, page).map((t) => represent(identifierTypeDef, t, rep, ctx.baseUrl));
      return { body: pagedBody(ctx, page, results, all.length) };
    },
  },
  {
    method: 'GET',
    path: '/patientidentifiertype/:uuid',
    cls: 'metadata',
    async handler(ctx) {
      ctx.requirePrivilege('Get Identifier Types');
      const { identifierTypes } = ctx.target.cache;
      const type = identifierTypes.byUuid.get(ctx.params.uuid!) ?? identifierTypes.all().find((t) => t.name === ctx.params.uuid);
      if (!type) throw notFound();
      return { body: represent(identifierTypeDef, type, parseRep(ctx.query.get('v'), DEFAULT), ctx.baseUrl) };
    },
  },
];
