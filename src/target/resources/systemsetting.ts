import type { RowDataPacket } from 'mysql2/promise';
import type { RequestContext, Route } from '../context.ts';
import { notFound } from '../errors.ts';
import { defineResource, parseRep, represent, DEFAULT, REF } from '../rep.ts';
import { pagedBody, parsePaging, slicePage } from './params.ts';
import { escapeLike } from '../search/text.ts';

/**
 * webservices.rest's SystemSettingResource over global_property. Workloads read 'loadlab.seed' through
 * it to regenerate the identities of seeded patients, which works against any target the seeder filled.
 */
interface GlobalProperty {
  property: string;
  value: string | null;
  description: string | null;
  uuid: string;
}

const systemSettingDef = defineResource<GlobalProperty>({
  name: 'systemsetting',
  uuid: (g) => g.uuid,
  // SystemSettingResource's display: "property = value" (the value left out when there is none).
  display: (g) => (g.value ? `${g.property} = ${g.value}` : g.property),
  props: {
    property: (g) => g.property,
    value: (g) => g.value,
    description: (g) => g.description,
    datatypeClassname: () => null,
    datatypeConfig: () => null,
    preferredHandlerClassname: () => null,
    handlerConfig: () => null,
  },
  defaultProps: ['property', 'value', 'description'],
  fullProps: ['property', 'value', 'description', 'datatypeClassname', 'datatypeConfig', 'preferredHandlerClassname', 'handlerConfig'],
});

const PRIVILEGE = 'Get Global Properties';

async function rows(ctx: RequestContext, where: string, params: unknown[]): Promise<GlobalProperty[]> {
  const [found] = await ctx.target.pool.query<RowDataPacket[]>(
    `SELECT property, property_value, description, uuid FROM global_property ${where} ORDER BY property`,
    params,
  );
  return found.map((r) => ({ property: r.property, value: r.property_value, description: r.description, uuid: r.uuid }));
}

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/systemsetting',
    cls: 'systemsetting',
    /** `q` is a property-name prefix (AdministrationService.getGlobalPropertiesByPrefix); without it, all of them. */
    async handler(ctx) {
      ctx.requirePrivilege(PRIVILEGE);
      const rep = parseRep(ctx.query.get('v'), REF);
      const paging = parsePaging(ctx);
      const q = ctx.query.get('q');
      const all = q ? await rows(ctx, 'WHERE property LIKE ?', [`${escapeLike(q)}%`]) : await rows(ctx, '', []);
      const results = slicePage(all, paging).map((g) => represent(systemSettingDef, g, rep, ctx.baseUrl));
      return { body: pagedBody(ctx, paging, results, all.length) };
    },
  },
  {
    method: 'GET',
    path: '/systemsetting/:id',
    cls: 'systemsetting',
    /** By uuid or by property name, as SystemSettingResource.getByUniqueId tries both. */
    async handler(ctx) {
      ctx.requirePrivilege(PRIVILEGE);
      const [g] = await rows(ctx, 'WHERE uuid = ? OR property = ?', [ctx.params.id, ctx.params.id]);
      if (!g) throw notFound();
      return { body: represent(systemSettingDef, g, parseRep(ctx.query.get('v'), DEFAULT), ctx.baseUrl) };
    },
  },
];
