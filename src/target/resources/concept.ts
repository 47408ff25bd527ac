import type { Route } from '../context.ts';
import { notFound } from '../errors.ts';
import { parseRep, represent, DEFAULT, REF } from '../rep.ts';
import { conceptDef, conceptRow, searchConcepts, type ConceptRow } from './concept-defs.ts';
import { csv, pagedBody, parsePaging, slicePage } from './params.ts';

/** Concepts come from this process's MetadataCache, as OpenMRS serves them from its local caches. */
export const routes: Route[] = [
  {
    method: 'GET',
    path: '/concept',
    cls: 'concept',
    async handler(ctx) {
      ctx.requirePrivilege('Get Concepts');
      const { cache } = ctx.target;
      const rep = parseRep(ctx.query.get('v'), REF);
      const paging = parsePaging(ctx);
      const includeRetired = ctx.query.get('includeAll') === 'true';
      const q = ctx.query.get('q');
      const name = ctx.query.get('name')?.toLowerCase();
      const references = csv(ctx.query.get('references'));
      let found: ConceptRow[];
      if (references.length) {
        // O3 asks for a form's concepts by uuid in one call; unknown references are skipped.
        found = references.map((u) => conceptRow(cache, cache.concepts.byUuid.get(u))).filter((c): c is ConceptRow => c !== null);
      } else if (name !== undefined) {
        // `name` is ConceptService.getConceptByName: an exact (case-insensitive) name, not a search.
        const hit = cache.concepts.all().find((c) => (includeRetired || !c.retired) && c.names.some((n) => n.name.toLowerCase() === name));
        found = hit ? [{ ...hit, cache }] : [];
      } else if (q !== null) {
        found = searchConcepts(cache, q, includeRetired);
      } else {
        found = cache.concepts.all().filter((c) => includeRetired || !c.retired).map((c) => ({ ...c, cache }));
      }
      const results = slicePage(found, paging).map((c) => represent(conceptDef, c, rep, ctx.baseUrl));
      return { body: pagedBody(ctx, paging, results, found.length) };
    },
  },
  {
    method: 'GET',
    path: '/concept/:uuid',
    cls: 'concept',
    async handler(ctx) {
      ctx.requirePrivilege('Get Concepts');
      const c = conceptRow(ctx.target.cache, ctx.target.cache.concepts.byUuid.get(ctx.params.uuid!));
      if (!c) throw notFound();
      return { body: represent(conceptDef, c, parseRep(ctx.query.get('v'), DEFAULT), ctx.baseUrl) };
    },
  },
];
