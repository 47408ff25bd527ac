/**
 * The shim's `k6/http`, synchronous as k6's is: a worker thread does the HTTP with undici while the
 * calling thread waits in Atomics.wait and then takes the answer with receiveMessageOnPort. Cookies
 * follow Go's net/http/cookiejar as k6 uses it (entries keyed by name and path; clear(url) expires the
 * cookies of the URL's default path), requests are recorded with their tags, the Cookie they sent and
 * whether their status was expected (k6's responseCallback).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { shim } from './state.ts';

type Expected = { __expected: { min: number; max: number }[] };
interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  jar?: CookieJar;
  responseCallback?: Expected;
  redirects?: number;
  timeout?: string | number;
}
interface Wire {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string | null;
  error?: string;
  error_code?: number;
}

let worker: Worker | undefined;
let port: MessageChannel['port1'] | undefined;
let signal: Int32Array | undefined;
let seq = 0;

function roundTrip(requests: { method: string; url: string; headers: Record<string, string>; body: string | null }[]): Wire[] {
  if (!worker) {
    const channel = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    signal = new Int32Array(flag);
    port = channel.port1;
    worker = new Worker(new URL('./http-worker.mjs', import.meta.url), { workerData: { flag, port: channel.port2 }, transferList: [channel.port2] });
    worker.unref();
  }
  Atomics.store(signal!, 0, 0);
  const id = ++seq;
  port!.postMessage({ id, requests });
  if (Atomics.wait(signal!, 0, 0, 60_000) === 'timed-out') throw new Error('k6 shim: the HTTP worker did not answer within 60 s');
  const msg = receiveMessageOnPort(port!);
  if (!msg || msg.message.id !== id) throw new Error('k6 shim: lost an HTTP answer');
  return msg.message.results as Wire[];
}

/** Stops the worker (a test's afterAll). */
export async function closeHttp(): Promise<void> {
  const w = worker;
  worker = undefined;
  port?.close();
  await w?.terminate();
}

// ---- cookies: Go's net/http/cookiejar, reduced to one host and no expiry ----

const defaultPath = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
};
const pathMatch = (reqPath: string, cookiePath: string): boolean =>
  reqPath === cookiePath || (reqPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/'));

export class CookieJar {
  readonly entries = new Map<string, { host: string; path: string; name: string; value: string }>();

  private static key(host: string, path: string, name: string): string {
    return `${host};${path};${name}`;
  }
  /** Name → values of the cookies a request to `url` sends, longest path first. */
  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.visible(url)) (out[c.name] ??= []).push(c.value);
    return out;
  }
  set(url: string, name: string, value: string, opts: { path?: string } = {}): boolean {
    const u = new URL(url);
    this.entries.set(CookieJar.key(u.host, opts.path ?? defaultPath(u.pathname), name), { host: u.host, path: opts.path ?? defaultPath(u.pathname), name, value });
    return true;
  }
  /** k6's clear(url): the cookies visible at `url`, re-set with MaxAge -1 and no Path — so only those at the URL's default path go. */
  clear(url: string): boolean {
    const u = new URL(url);
    for (const c of this.visible(url)) this.entries.delete(CookieJar.key(u.host, defaultPath(u.pathname), c.name));
    return true;
  }
  delete(url: string, name: string): boolean {
    const u = new URL(url);
    this.entries.delete(CookieJar.key(u.host, defaultPath(u.pathname), name));
    return true;
  }
  header(url: string): string {
    return this.visible(url).map((c) => `${c.name}=${c.value}`).join('; ');
  }
  fromResponse(url: string, setCookie: string | string[] | undefined): void {
    const u = new URL(url);
    for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const pathAttr = attrs.map((a) => a.trim()).find((a) => /^path=/i.test(a));
      const path = pathAttr && pathAttr.slice(5).startsWith('/') ? pathAttr.slice(5) : defaultPath(u.pathname);
      const key = CookieJar.key(u.host, path, name);
      if (attrs.some((a) => /^\s*max-age\s*=\s*-?0*[0-9]*$/i.test(a) && Number(a.split('=')[1]) <= 0)) this.entries.delete(key);
      else this.entries.set(key, { host: u.host, path, name, value: pair.slice(eq + 1).trim() });
    }
  }
  private visible(url: string) {
    const u = new URL(url);
    return [...this.entries.values()].filter((c) => c.host === u.host && pathMatch(u.pathname, c.path)).sort((a, b) => b.path.length - a.path.length);
  }
}

const jars = new Map<number, CookieJar>();
/** The current VU's own jar, as k6 gives each VU one. */
export function cookieJar(): CookieJar {
  let jar = jars.get(shim.vu);
  if (!jar) jars.set(shim.vu, (jar = new CookieJar()));
  return jar;
}
export function resetCookieJars(): void {
  jars.clear();
}

// ---- expected statuses ----

export function expectedStatuses(...args: (number | { min: number; max: number })[]): Expected {
  return { __expected: args.map((a) => (typeof a === 'number' ? { min: a, max: a } : a)) };
}
let defaultCallback = expectedStatuses({ min: 200, max: 399 });
export function setResponseCallback(cb: Expected): void {
  defaultCallback = cb;
}
const isExpected = (status: number, cb: Expected) => status !== 0 && cb.__expected.some((r) => status >= r.min && status <= r.max);

// ---- requests ----

const canonical = (name: string) => name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());

export class Response {
  constructor(
    readonly status: number,
    readonly body: string | null,
    readonly headers: Record<string, string>,
    readonly url: string,
    readonly error: string,
    readonly error_code: number,
  ) {}
  json(): unknown {
    return JSON.parse(this.body ?? '');
  }
}

type Request = [string, string, (string | null)?, (Params | null)?];

function send(requests: Request[], batch: boolean): Response[] {
  const prepared = requests.map(([method, url, body, params]) => {
    const p = params ?? {};
    const jar = p.jar ?? cookieJar();
    const headers: Record<string, string> = { ...(p.headers ?? {}) };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    return { method: method.toUpperCase(), url, body: body ?? null, headers, params: p, jar, cookie };
  });
  const wires = roundTrip(prepared.map(({ method, url, headers, body }) => ({ method, url, headers, body })));
  return prepared.map((r, i) => {
    const w = wires[i]!;
    if (w.status) r.jar.fromResponse(r.url, w.headers['set-cookie']);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(w.headers)) if (v !== undefined) headers[canonical(k)] = Array.isArray(v) ? v.join(', ') : v;
    shim.requests.push({
      vu: shim.vu, iter: shim.iter, method: r.method, url: r.url, status: w.status, expected: isExpected(w.status, r.params.responseCallback ?? defaultCallback),
      tags: { ...(r.params.tags ?? {}) }, cookie: r.cookie, auth: Object.keys(r.headers).some((h) => h.toLowerCase() === 'authorization'),
      body: r.body, responseBody: w.body ?? '', batch,
    });
    return new Response(w.status, w.body, headers, r.url, w.error ?? '', w.error_code ?? 0);
  });
}

export function request(method: string, url: string, body?: string | null, params?: Params | null): Response {
  return send([[method, url, body, params]], false)[0]!;
}
export const get = (url: string, params?: Params | null): Response => request('GET', url, null, params);
export const post = (url: string, body?: string | null, params?: Params | null): Response => request('POST', url, body, params);
export const put = (url: string, body?: string | null, params?: Params | null): Response => request('PUT', url, body, params);
export const del = (url: string, body?: string | null, params?: Params | null): Response => request('DELETE', url, body, params);

export function batch(requests: (Request | { method: string; url: string; body?: string | null; params?: Params | null })[]): Response[] {
  return send(requests.map((r) => (Array.isArray(r) ? r : ([r.method, r.url, r.body, r.params] as Request))), true);
}

export default { request, get, post, put, del, batch, cookieJar, CookieJar, expectedStatuses, setResponseCallback };
