import type { Location, MetadataCache } from '../cache.ts';
import type { RequestContext, Route } from '../context.ts';
import { notFound } from '../errors.ts';
import { parseRep, represent, DEFAULT, REF, type Rep } from '../rep.ts';
import { cachedRoutes, cachedUpdateRoute } from './metadata-routes.ts';
import { locationDef, locationTagDef, withCache } from './metadata-defs.ts';
import { pagedBody, parsePaging, slicePage } from './params.ts';

/** A tag named by uuid or (case-insensitively) by name, as LocationResource's `tag` parameter accepts. */
function findTag(cache: MetadataCache, tag: string) {
  const lower = tag.toLowerCase();
  return cache.locationTags.byUuid.get(tag) ?? cache.locationTags.all().find((t) => t.name.toLowerCase() === lower);
}

const render = (ctx: RequestContext, l: Location, rep: Rep) => represent(locationDef, withCache(ctx.target.cache, l)!, rep, ctx.baseUrl);

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/location',
    cls: 'location',
    /** Unretired locations by name; `tag` (name or uuid) and `q` (name prefix) narrow them. */
    async handler(ctx) {
      ctx.requirePrivilege('Get Locations');
      const { cache } = ctx.target;
      const rep = parseRep(ctx.query.get('v'), REF);
      const paging = parsePaging(ctx);
      let rows = cache.locations.all().filter((l) => !l.retired || ctx.query.get('includeAll') === 'true');
      const tagParam = ctx.query.get('tag');
      if (tagParam) {
        const tag = findTag(cache, tagParam);
        rows = tag ? rows.filter((l) => l.tagIds.includes(tag.id)) : [];
      }
      const q = ctx.query.get('q')?.toLowerCase();
      if (q) rows = rows.filter((l) => l.name.toLowerCase().startsWith(q));
      rows.sort((a, b) => a.name.localeCompare(b.name));
      const results = slicePage(rows, paging).map((l) => render(ctx, l, rep));
      return { body: pagedBody(ctx, paging, results, rows.length) };
    },
  },
  {
    method: 'GET',
    path: '/location/:uuid',
    cls: 'location',
    async handler(ctx) {
      ctx.requirePrivilege('Get Locations');
      const l = ctx.target.cache.locations.byUuid.get(ctx.params.uuid!);
      if (!l) throw notFound();
      return { body: render(ctx, l, parseRep(ctx.query.get('v'), DEFAULT)) };
    },
  },
  cachedUpdateRoute('/location', 'location', 'Manage Locations', 'location', (c) => c.locations, render),
  ...cachedRoutes('/locationtag', 'location', 'Get Locations', (c) => c.locationTags, locationTagDef),
];
