import { Rng } from '../../core/synthetic/rng.ts';
import { getPath } from '../dsl.ts';
import { StepError, type HttpResponse, type RequestOptions, type VuContext } from '../types.ts';
import { LOCATION } from './constants.ts';

/** A var an earlier step must have set; a StepError naming both steps otherwise. */
export function needVar(vu: VuContext, step: string, name: string, setBy: string): string {
  const v = vu.vars.get(name);
  if (typeof v !== 'string' || !v) {
    throw new StepError(`${step} needs vars.${name}, which ${setBy} sets; put that step before it in the journey`, 'correlation');
  }
  return v;
}

export const optVar = (vu: VuContext, name: string): string | undefined => {
  const v = vu.vars.get(name);
  return typeof v === 'string' && v ? v : undefined;
};

export const sessionLocation = (vu: VuContext): string => optVar(vu, 'locationUuid') ?? LOCATION.outpatient;

/** The body of a 2xx response (undefined otherwise: the client has already counted the failure). */
export function okJson(res: HttpResponse): unknown {
  return res.status >= 200 && res.status < 300 ? res.json() : undefined;
}

/** A string found at `path` in a response body, or undefined. */
export function str(body: unknown, path: string): string | undefined {
  const v = getPath(body, path);
  return typeof v === 'string' && v ? v : undefined;
}

export function results(body: unknown): unknown[] {
  const r = getPath(body, 'results');
  return Array.isArray(r) ? r : [];
}

/** A write's uuid, which later steps need: without it the iteration cannot go on. */
export function createdUuid(res: HttpResponse, step: string, what: string): string {
  const uuid = str(okJson(res), 'uuid');
  if (!uuid) throw new StepError(`${step}: ${what} was not created (status ${res.status})`, res.status ? `http-${res.status}` : 'http');
  return uuid;
}

/**
 * A `links` uri made relative to the scenario's base path, so that paging goes through the VU's own
 * client even when the server names itself by another host (a balancer's address).
 */
export function linkPath(uri: string, basePath: string): string {
  const u = new URL(uri, 'http://target');
  const path = u.pathname.startsWith(`${basePath}/`) ? u.pathname.slice(basePath.length) : u.pathname;
  return `${path}${u.search}`;
}

export interface FanRequest {
  name: string;
  path: string;
}

/**
 * GETs issued the way a browser loads a page: several at once (up to 6 per host, as browsers
 * allow), each under its own metric name. Resolves with the responses in request order. A client
 * with `batch` (the k6 export: http.batch, 6 per host by its batchPerHost option) gets them all in one call.
 */
export async function fanOut(vu: VuContext, requests: FanRequest[], parallel = 6, opts: RequestOptions = {}): Promise<HttpResponse[]> {
  const optsFor = (r: FanRequest): RequestOptions => ({ ...opts, name: r.name, expect: opts.expect ?? [200] });
  if (vu.http.batch) return vu.http.batch(requests.map((r) => ({ method: 'GET' as const, path: r.path, opts: optsFor(r) })));
  const out: HttpResponse[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const r = requests[i]!;
      out[i] = await vu.http.get(r.path, optsFor(r));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, requests.length) }, worker));
  return out;
}

/** A generator for this step's choices, seeded from the VU's own stream so runs repeat. */
export const rngFor = (vu: VuContext, tag: number): Rng => new Rng(Math.floor(vu.random() * 2 ** 32), vu.vu, vu.iteration, tag);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** OpenMRS's REST date format: 2026-11-21T09:30:00.000+0000. */
export function restDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

/** Milliseconds of an OpenMRS date string, or undefined. */
export function parseDate(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(t) ? t : undefined;
}

/** Latest server-side time this VU has seen in its writes, so its own later dates never precede them. */
export function noteServerTime(vu: VuContext, v: unknown): void {
  const t = parseDate(v);
  const seen = vu.vars.get('serverTime');
  if (t !== undefined && (typeof seen !== 'number' || t > seen)) vu.vars.set('serverTime', t);
}
