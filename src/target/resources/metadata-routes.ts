import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { bumpMetadataVersion, type MetadataCache, type Named, type Provider } from '../cache.ts';
import type { RequestContext, Route } from '../context.ts';
import { notFound, Validation } from '../errors.ts';
import { parseRep, represent, DEFAULT, REF, type Rep, type ResourceDef } from '../rep.ts';
import { providerViewDef, type ProviderView } from './clinical-defs.ts';
import { encounterRoleDef, encounterTypeDef, visitTypeDef } from './metadata-defs.ts';
import { loadPatients } from './people.ts';
import { bodyObject, pagedBody, parsePaging, slicePage } from './params.ts';

interface CachedTable<T> {
  byUuid: Map<string, T>;
  all(): T[];
  put(row: T): void;
}

/** Metadata search as MetadataDelegatingCrudResource: unretired unless includeAll, `q` matches names. */
function listed<T extends { retired: boolean }>(ctx: RequestContext, rows: T[], name: (t: T) => string | null): T[] {
  const all = ctx.query.get('includeAll') === 'true';
  const q = ctx.query.get('q')?.toLowerCase();
  return rows.filter((r) => (all || !r.retired) && (!q || (name(r) ?? '').toLowerCase().includes(q)));
}

/** GET list and GET by uuid for metadata served from this process's cache. */
export function cachedRoutes<T extends Named>(
  path: string,
  cls: string,
  privilege: string,
  table: (c: MetadataCache) => CachedTable<T>,
  def: ResourceDef<T>,
): Route[] {
  return [
    {
      method: 'GET',
      path,
      cls,
      async handler(ctx) {
        ctx.requirePrivilege(privilege);
        const rep = parseRep(ctx.query.get('v'), REF);
        const paging = parsePaging(ctx);
        const rows = listed(ctx, table(ctx.target.cache).all(), (r) => r.name);
        const results = slicePage(rows, paging).map((r) => represent(def, r, rep, ctx.baseUrl));
        return { body: pagedBody(ctx, paging, results, rows.length) };
      },
    },
    {
      method: 'GET',
      path: `${path}/:uuid`,
      cls,
      async handler(ctx) {
        ctx.requirePrivilege(privilege);
        const row = table(ctx.target.cache).byUuid.get(ctx.params.uuid!);
        if (!row) throw notFound();
        return { body: represent(def, row, parseRep(ctx.query.get('v'), DEFAULT), ctx.baseUrl) };
      },
    },
  ];
}

/**
 * POST /{metadata}/{uuid} with name/description: writes the row, then refreshes only THIS process's
 * cache entry. Other replicas keep serving their stale copy, as OpenMRS nodes with local Hibernate
 * second-level caches do; the cluster probes rely on that.
 */
export function cachedUpdateRoute<T extends Named>(
  path: string,
  cls: string,
  privilege: string,
  sqlTable: 'visit_type' | 'location',
  table: (c: MetadataCache) => CachedTable<T>,
  render: (ctx: RequestContext, row: T, rep: Rep) => unknown,
): Route {
  return {
    method: 'POST',
    path: `${path}/:uuid`,
    cls,
    async handler(ctx) {
      ctx.requirePrivilege(privilege);
      const body = await bodyObject(ctx);
      const v = new Validation();
      if ('name' in body && (typeof body.name !== 'string' || !body.name.trim())) v.field('name', 'error.name', 'Invalid name');
      if ('description' in body && body.description !== null && typeof body.description !== 'string') {
        v.field('description', 'error.description', 'Invalid description');
      }
      v.throwIfAny();
      // Metadata created after this process started is unknown to it until restart (no create route exists).
      const t = table(ctx.target.cache);
      const cached = t.byUuid.get(ctx.params.uuid!);
      if (!cached) throw notFound();
      const name = 'name' in body ? (body.name as string).trim() : cached.name;
      const description = 'description' in body ? (body.description as string | null) : cached.description;
      const [res] = await ctx.target.pool.query<ResultSetHeader>(
        `UPDATE ${sqlTable} SET name = ?, description = ?, changed_by = ?, date_changed = NOW(3) WHERE uuid = ?`,
        [name, description, ctx.currentUser().id, ctx.params.uuid],
      );
      if (res.affectedRows === 0) throw notFound();
      const updated = { ...cached, name, description };
      t.put(updated);
      await bumpMetadataVersion(ctx.target.pool);
      return { body: render(ctx, updated, parseRep(ctx.query.get('v'), DEFAULT)) };
    },
  };
}

/** Providers with their people loaded, for display ("identifier - name") and `person`. */
async function providerViews(ctx: RequestContext, providers: Provider[]): Promise<ProviderView[]> {
  const personIds = providers.map((p) => p.personId).filter((id): id is number => id !== null);
  const people = await loadPatients(ctx.target.pool, ctx.target.cache, personIds, false);
  return providers.map((p) => ({ ...p, person: p.personId === null ? undefined : people.get(p.personId)?.person }));
}

const providerRoutes: Route[] = [
  {
    method: 'GET',
    path: '/provider',
    cls: 'metadata',
    async handler(ctx) {
      ctx.requirePrivilege('Get Providers');
      const rep = parseRep(ctx.query.get('v'), REF);
      const paging = parsePaging(ctx);
      let rows = ctx.target.cache.providers.all();
      const user = ctx.query.get('user');
      if (user) {
        const [[u]] = await ctx.target.pool.query<RowDataPacket[]>('SELECT person_id FROM users WHERE uuid = ?', [user]);
        rows = rows.filter((p) => u && p.personId === u.person_id);
      }
      rows = listed(ctx, rows, (p) => `${p.identifier ?? ''} ${p.name ?? ''}`);
      const page = await providerViews(ctx, slicePage(rows, paging));
      return { body: pagedBody(ctx, paging, page.map((p) => represent(providerViewDef, p, rep, ctx.baseUrl)), rows.length) };
    },
  },
  {
    method: 'GET',
    path: '/provider/:uuid',
    cls: 'metadata',
    async handler(ctx) {
      ctx.requirePrivilege('Get Providers');
      const p = ctx.target.cache.providers.byUuid.get(ctx.params.uuid!);
      if (!p) throw notFound();
      const [view] = await providerViews(ctx, [p]);
      return { body: represent(providerViewDef, view!, parseRep(ctx.query.get('v'), DEFAULT), ctx.baseUrl) };
    },
  },
];

export const visitTypeRoutes: Route[] = [
  ...cachedRoutes('/visittype', 'metadata', 'Get Visit Types', (c) => c.visitTypes, visitTypeDef),
  cachedUpdateRoute('/visittype', 'metadata', 'Manage Visit Types', 'visit_type', (c) => c.visitTypes, (ctx, row, rep) =>
    represent(visitTypeDef, row, rep, ctx.baseUrl)),
];

export const encounterMetadataRoutes: Route[] = [
  ...cachedRoutes('/encountertype', 'metadata', 'Get Encounter Types', (c) => c.encounterTypes, encounterTypeDef),
  ...cachedRoutes('/encounterrole', 'metadata', 'Get Encounter Types', (c) => c.encounterRoles, encounterRoleDef),
  ...providerRoutes,
];
