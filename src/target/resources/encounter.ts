import type { RowDataPacket } from 'mysql2/promise';
import type { RequestContext, Route } from '../context.ts';
import { parseRestDate, sqlDate } from '../dates.ts';
import { badRequest, notFound } from '../errors.ts';
import { parseRep, represent, DEFAULT, REF } from '../rep.ts';
import { encounterDef, graphFor, patientIdByUuid } from './clinical-defs.ts';
import { createEncounter } from './encounter-write.ts';
import { encounterMetadataRoutes } from './metadata-routes.ts';
import { pagedBody, parsePaging, slicePage } from './params.ts';

/**
 * GET /encounter?patient=…: EncounterService.getEncountersByPatient (every non-voided encounter, oldest
 * first) narrowed by the search handler's optional encounterType, visit, fromdate/todate and order=desc,
 * then paged in memory as NeedsPaging does. Obs and providers load for the page only, when rendered.
 */
async function searchEncounters(ctx: RequestContext) {
  ctx.requirePrivilege('Get Encounters');
  const rep = parseRep(ctx.query.get('v'), REF);
  const paging = parsePaging(ctx);
  const patientUuid = ctx.query.get('patient');
  if (!patientUuid) throw badRequest("The 'patient' parameter is required to search encounters");
  const empty = { body: pagedBody(ctx, paging, [], 0) };
  const patientId = await patientIdByUuid(ctx.target.pool, patientUuid);
  if (patientId === undefined) return empty;
  const where = ['patient_id = ?', 'voided = 0'];
  const params: unknown[] = [patientId];
  const typeUuid = ctx.query.get('encounterType');
  if (typeUuid) {
    const type = ctx.target.cache.encounterTypes.byUuid.get(typeUuid);
    if (!type) return empty;
    where.push('encounter_type = ?');
    params.push(type.id);
  }
  const visitUuid = ctx.query.get('visit');
  if (visitUuid) {
    const [[v]] = await ctx.target.pool.query<RowDataPacket[]>('SELECT visit_id FROM visit WHERE uuid = ?', [visitUuid]);
    if (!v) return empty;
    where.push('visit_id = ?');
    params.push(v.visit_id);
  }
  for (const [param, op] of [['fromdate', '>='], ['todate', '<=']] as const) {
    const value = ctx.query.get(param);
    if (!value) continue;
    where.push(`encounter_datetime ${op} ?`);
    params.push(sqlDate(parseRestDate(value, param)));
  }
  const dir = ctx.query.get('order') === 'desc' ? 'DESC' : 'ASC';
  const g = graphFor(ctx);
  const all = await g.encounterRows(where.join(' AND '), params, `ORDER BY encounter_datetime ${dir}, encounter_id ${dir}`);
  const page = slicePage(all, paging);
  await g.fillEncounters(page, rep);
  return { body: pagedBody(ctx, paging, page.map((e) => represent(encounterDef, e, rep, ctx.baseUrl)), all.length) };
}

export const routes: Route[] = [
  { method: 'POST', path: '/encounter', cls: 'encounter', handler: createEncounter },
  { method: 'GET', path: '/encounter', cls: 'encounter', handler: searchEncounters },
  {
    method: 'GET',
    path: '/encounter/:uuid',
    cls: 'encounter',
    async handler(ctx) {
      ctx.requirePrivilege('Get Encounters');
      const rep = parseRep(ctx.query.get('v'), DEFAULT);
      const g = graphFor(ctx);
      const [e] = await g.encounterRows('uuid = ?', [ctx.params.uuid]);
      if (!e) throw notFound();
      await g.fillEncounters([e], rep);
      return { body: represent(encounterDef, e, rep, ctx.baseUrl) };
    },
  },
  ...encounterMetadataRoutes,
];
