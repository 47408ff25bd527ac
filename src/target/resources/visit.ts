import { randomUUID } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { RequestContext, Route } from '../context.ts';
import { parseRestDate, sqlDate } from '../dates.ts';
import { notFound, Validation } from '../errors.ts';
import { parseRep, represent, DEFAULT, REF } from '../rep.ts';
import { graphFor, patientIdByUuid, visitDef } from './clinical-defs.ts';
import type { Graph, VisitAgg } from './clinical-model.ts';
import { visitTypeRoutes } from './metadata-routes.ts';
import { bodyObject, pagedBody, parsePaging, refUuid, unknownRef } from './params.ts';

async function visitByUuid(g: Graph, uuid: string): Promise<VisitAgg> {
  const [v] = await g.visitRows('uuid = ?', [uuid]);
  if (!v) throw notFound();
  return v;
}

async function render(ctx: RequestContext, g: Graph, v: VisitAgg, status = 200) {
  const rep = parseRep(ctx.query.get('v'), DEFAULT);
  await g.fillVisits([v], rep);
  return { status, body: represent(visitDef, v, rep, ctx.baseUrl) };
}

/** A date property: absent → undefined, null → null, else parsed (400 on a malformed date). */
function dateProp(body: Record<string, unknown>, name: string): Date | null | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (v === null || v === '') return null;
  return parseRestDate(v, name);
}

/**
 * VisitValidator's checks: start not in the future, stop after start, and no encounter of the visit
 * outside [start, stop].
 */
async function validateDates(ctx: RequestContext, v: Validation, start: Date, stop: Date | null, visitId?: number) {
  if (start.getTime() > Date.now()) v.field('startDatetime', 'Visit.startDateCannotBeInTheFuture', 'The visit start date cannot be in the future');
  if (stop && stop.getTime() < start.getTime()) {
    v.field('stopDatetime', 'Visit.error.endDateBeforeStartDate', 'The stop date and time must be after the start date and time');
  }
  if (visitId === undefined) return;
  const [[r]] = await ctx.target.pool.query<RowDataPacket[]>(
    'SELECT MIN(encounter_datetime) AS first, MAX(encounter_datetime) AS last FROM encounter WHERE visit_id = ? AND voided = 0',
    [visitId],
  );
  if (r?.first && (r.first as Date).getTime() < start.getTime()) {
    v.field('startDatetime', 'Visit.encountersCannotBeBeforeStartDate', 'This visit has encounters whose dates cannot be before the start date of the visit');
  }
  if (r?.last && stop && (r.last as Date).getTime() > stop.getTime()) {
    v.field('stopDatetime', 'Visit.encountersCannotBeAfterStopDate', 'This visit has encounters whose dates cannot be after the stop date of the visit');
  }
}

function resolveMeta(ctx: RequestContext, body: Record<string, unknown>) {
  const { cache } = ctx.target;
  const typeUuid = refUuid(body.visitType);
  const locUuid = refUuid(body.location);
  const type = typeUuid ? cache.visitTypes.byUuid.get(typeUuid) : undefined;
  const location = locUuid ? cache.locations.byUuid.get(locUuid) : undefined;
  if (typeUuid && !type) throw unknownRef('visitType', typeUuid);
  if (locUuid && !location) throw unknownRef('location', locUuid);
  return { type, location };
}

async function createVisit(ctx: RequestContext) {
  ctx.requirePrivilege('Add Visits');
  const body = await bodyObject(ctx);
  const patientUuid = refUuid(body.patient);
  const patientId = patientUuid ? await patientIdByUuid(ctx.target.pool, patientUuid) : undefined;
  if (patientUuid && patientId === undefined) throw unknownRef('patient', patientUuid);
  const { type, location } = resolveMeta(ctx, body);
  // The performance suite sends startDatetime: null, which OpenMRS treats as "now".
  const start = dateProp(body, 'startDatetime') ?? new Date();
  const stop = dateProp(body, 'stopDatetime') ?? null;
  const v = new Validation().required('patient', patientId).required('visitType', type);
  await validateDates(ctx, v, start, stop);
  v.throwIfAny();
  const uuid = randomUUID();
  await ctx.target.pool.query(
    `INSERT INTO visit (patient_id, visit_type_id, date_started, date_stopped, location_id, creator, date_created, uuid)
     VALUES (?, ?, ?, ?, ?, ?, NOW(3), ?)`,
    [patientId, type!.id, sqlDate(start), stop ? sqlDate(stop) : null, location?.id ?? null, ctx.currentUser().id, uuid],
  );
  const g = graphFor(ctx);
  return render(ctx, g, await visitByUuid(g, uuid), 201);
}

async function updateVisit(ctx: RequestContext) {
  ctx.requirePrivilege('Edit Visits');
  const body = await bodyObject(ctx);
  const g = graphFor(ctx);
  const visit = await visitByUuid(g, ctx.params.uuid!);
  const { type, location } = resolveMeta(ctx, body);
  const start = dateProp(body, 'startDatetime') ?? visit.start;
  const stopProp = dateProp(body, 'stopDatetime');
  const stop = stopProp === undefined ? visit.stop : stopProp;
  const v = new Validation();
  if ('visitType' in body && !type) v.required('visitType', null);
  await validateDates(ctx, v, start, stop, visit.id);
  v.throwIfAny();
  const [res] = await ctx.target.pool.query<ResultSetHeader>(
    `UPDATE visit SET visit_type_id = ?, location_id = ?, date_started = ?, date_stopped = ?, changed_by = ?, date_changed = NOW(3)
      WHERE visit_id = ?`,
    [
      type?.id ?? visit.typeId, 'location' in body ? (location?.id ?? null) : visit.locationId, sqlDate(start),
      stop ? sqlDate(stop) : null, ctx.currentUser().id, visit.id,
    ],
  );
  if (res.affectedRows === 0) throw notFound();
  const fresh = graphFor(ctx);
  return render(ctx, fresh, await visitByUuid(fresh, visit.uuid));
}

/**
 * GET /visit: HibernateVisitDAO.getVisits — newest start first; includeInactive=false keeps only visits
 * without a stop date; optional patient, location and fromStartDate filters.
 */
async function searchVisits(ctx: RequestContext) {
  ctx.requirePrivilege('Get Visits');
  const rep = parseRep(ctx.query.get('v'), REF);
  const paging = parsePaging(ctx);
  const where = ['voided = 0'];
  const params: unknown[] = [];
  const patientUuid = ctx.query.get('patient');
  if (patientUuid) {
    const id = await patientIdByUuid(ctx.target.pool, patientUuid);
    if (id === undefined) return { body: pagedBody(ctx, paging, [], 0) };
    where.push('patient_id = ?');
    params.push(id);
  }
  if (ctx.query.get('includeInactive') === 'false') where.push('date_stopped IS NULL');
  const from = ctx.query.get('fromStartDate');
  if (from) {
    where.push('date_started >= ?');
    params.push(sqlDate(parseRestDate(from, 'fromStartDate')));
  }
  const locUuid = ctx.query.get('location');
  if (locUuid) {
    const loc = ctx.target.cache.locations.byUuid.get(locUuid);
    if (!loc) return { body: pagedBody(ctx, paging, [], 0) };
    where.push('location_id = ?');
    params.push(loc.id);
  }
  const sql = where.join(' AND ');
  const [[count]] = await ctx.target.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM visit WHERE ${sql}`, params);
  const g = graphFor(ctx);
  const visits = await g.visitRows(sql, [...params, paging.limit, paging.startIndex], 'ORDER BY date_started DESC, visit_id DESC LIMIT ? OFFSET ?');
  await g.fillVisits(visits, rep);
  const results = visits.map((v) => represent(visitDef, v, rep, ctx.baseUrl));
  return { body: pagedBody(ctx, paging, results, Number(count?.n ?? 0)) };
}

export const routes: Route[] = [
  { method: 'POST', path: '/visit', cls: 'visit', handler: createVisit },
  { method: 'POST', path: '/visit/:uuid', cls: 'visit', handler: updateVisit },
  { method: 'GET', path: '/visit', cls: 'visit', handler: searchVisits },
  {
    method: 'GET',
    path: '/visit/:uuid',
    cls: 'visit',
    async handler(ctx) {
      ctx.requirePrivilege('Get Visits');
      const g = graphFor(ctx);
      return render(ctx, g, await visitByUuid(g, ctx.params.uuid!));
    },
  },
  ...visitTypeRoutes,
];
