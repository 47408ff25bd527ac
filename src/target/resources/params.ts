import type { RequestContext } from '../context.ts';
import { badRequest, conversionError, type RestError } from '../errors.ts';

export interface Paging {
  limit: number;
  startIndex: number;
  wantTotal: boolean;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

function intParam(ctx: RequestContext, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw badRequest(`${name} must be an integer, got '${raw}'`);
  return n;
}

/** webservices.rest paging: limit defaults to 50 and is capped at 100; startIndex defaults to 0. */
export function parsePaging(ctx: RequestContext): Paging {
  const limit = intParam(ctx, 'limit') ?? DEFAULT_LIMIT;
  const startIndex = intParam(ctx, 'startIndex') ?? 0;
  if (limit <= 0) throw badRequest('If you specify a number of results to return, it must be >0');
  if (startIndex < 0) throw badRequest('startIndex must not be negative');
  return { limit: Math.min(limit, MAX_LIMIT), startIndex, wantTotal: ctx.query.get('totalCount') === 'true' };
}

/** The slice of an in-memory result list that a request's paging selects (OpenMRS's NeedsPaging). */
export function slicePage<T>(items: readonly T[], p: Paging): T[] {
  return items.slice(p.startIndex, p.startIndex + p.limit);
}

function pageUri(ctx: RequestContext, startIndex: number): string {
  const q = new URLSearchParams(ctx.query);
  q.set('startIndex', String(startIndex));
  return `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
}

/** `{results, links?, totalCount?}`: links only when there is a next or previous page, as OpenMRS does. */
export function pagedBody(ctx: RequestContext, p: Paging, results: unknown[], total: number): Record<string, unknown> {
  const body: Record<string, unknown> = { results };
  const links: { rel: string; uri: string; resourceAlias: null }[] = [];
  if (p.startIndex + results.length < total) links.push({ rel: 'next', uri: pageUri(ctx, p.startIndex + p.limit), resourceAlias: null });
  if (p.startIndex > 0) links.push({ rel: 'prev', uri: pageUri(ctx, Math.max(0, p.startIndex - p.limit)), resourceAlias: null });
  if (links.length) body.links = links;
  if (p.wantTotal) body.totalCount = total;
  return body;
}

/** The uuid of a reference sent as a bare string or as an object with `uuid` (as O3 sends metadata it fetched). */
export function refUuid(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (v && typeof v === 'object' && 'uuid' in v && typeof (v as { uuid: unknown }).uuid === 'string') return (v as { uuid: string }).uuid;
  return undefined;
}

/** Query parameter that must be present: 400 like OpenMRS when a required search parameter is missing. */
export function requiredParam(ctx: RequestContext, name: string): string {
  const v = ctx.query.get(name);
  if (!v) throw badRequest(`The '${name}' parameter is required`);
  return v;
}

export const csv = (v: string | null): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** The JSON body as an object (400 for arrays or scalars, which no OpenMRS resource accepts). */
export async function bodyObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const b = await ctx.body();
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw badRequest('The request body must be a JSON object');
  return b as Record<string, unknown>;
}

/** A reference that must resolve: 400 ConversionException when the uuid names nothing, as webservices.rest answers. */
export function unknownRef(field: string, uuid: string): RestError {
  return conversionError(`Object with given uuid doesn't exist: ${field} '${uuid}'`);
}
