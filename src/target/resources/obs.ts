import type { Route } from '../context.ts';
import { notFound } from '../errors.ts';
import { parseRep, represent, DEFAULT, REF } from '../rep.ts';
import { graphFor, obsDef, patientIdByUuid } from './clinical-defs.ts';
import { csv, pagedBody, parsePaging, requiredParam, slicePage } from './params.ts';

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/obs',
    cls: 'obs',
    /**
     * ObsService.getObservations(person, concepts…): the whole, unpaged list newest first, through the
     * single-column person_obs index (there is no composite index), then paged in memory by the REST layer.
     */
    async handler(ctx) {
      ctx.requirePrivilege('Get Observations');
      const rep = parseRep(ctx.query.get('v'), REF);
      const paging = parsePaging(ctx);
      const patientUuid = requiredParam(ctx, 'patient');
      const empty = { body: pagedBody(ctx, paging, [], 0) };
      const personId = await patientIdByUuid(ctx.target.pool, patientUuid);
      if (personId === undefined) return empty;
      const conceptUuids = csv(ctx.query.get('concept'));
      const conceptIds = conceptUuids.map((u) => ctx.target.cache.concepts.byUuid.get(u)?.id).filter((id): id is number => id !== undefined);
      if (conceptUuids.length && conceptIds.length === 0) return empty;
      const g = graphFor(ctx);
      const all = conceptIds.length
        ? await g.obsRows('person_id = ? AND concept_id IN (?) AND voided = 0', [personId, conceptIds], 'ORDER BY obs_datetime DESC, obs_id DESC')
        : await g.obsRows('person_id = ? AND voided = 0', [personId], 'ORDER BY obs_datetime DESC, obs_id DESC');
      const page = slicePage(all, paging);
      await g.fillObs(page, rep);
      return { body: pagedBody(ctx, paging, page.map((o) => represent(obsDef, o, rep, ctx.baseUrl)), all.length) };
    },
  },
  {
    method: 'GET',
    path: '/obs/:uuid',
    cls: 'obs',
    async handler(ctx) {
      ctx.requirePrivilege('Get Observations');
      const rep = parseRep(ctx.query.get('v'), DEFAULT);
      const g = graphFor(ctx);
      const [o] = await g.obsRows('uuid = ?', [ctx.params.uuid]);
      if (!o) throw notFound();
      await g.fillObs([o], rep);
      return { body: represent(obsDef, o, rep, ctx.baseUrl) };
    },
  },
];
