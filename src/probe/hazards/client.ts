import { request } from 'undici';
import { errorText, get, str } from './json.ts';

export interface Reply {
  /** 0 when the request never got an HTTP answer. */
  status: number;
  json: unknown;
  text: string;
  /** Transport failure (connection refused or reset, timeout). */
  error?: string;
  /** The reference target's `X-Served-By`; only ever extra evidence, since real OpenMRS does not send it. */
  servedBy?: string;
  /** `name=value` of a load-balancer cookie this response set, when it set one. */
  lbSet?: string;
}

const APP_COOKIE = /^JSESSIONID$/i;
/** AWS ALB re-encrypts its cookie on every response, so a new value there does not mean a new target. */
export const OPAQUE_LB_COOKIE = /^AWSALB/i;
const TIMEOUT_MS = 30_000;

function parseSetCookie(line: string): { name: string; value: string; expired: boolean } | undefined {
  const [pair = '', ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let expired = false;
  for (const a of attrs) {
    const [k = '', v = ''] = a.split('=').map((x) => x.trim());
    if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true;
    if (/^expires$/i.test(k) && Date.parse(v) < Date.now()) expired = true;
  }
  return { name, value, expired };
}

/**
 * One browser-like user: its own cookie jar, Basic credentials only on login, cookies alone after that
 * (as OpenMRS clients do), so a request that lands on a replica without the session shows up as a 401.
 */
export class Session {
  private readonly jar = new Map<string, string>();
  /** Names of cookies the load balancer set (anything but the servlet container's JSESSIONID). */
  private readonly lbNames: string[] = [];
  /** Every LB cookie value responses set, in order: shows when the balancer moved this session. */
  readonly lbHistory: string[] = [];

  constructor(
    readonly target: string,
    readonly label: string,
  ) {}

  /** The sticky cookie, by which this session's replica is known; undefined when no LB cookie was set. */
  get lbCookie(): { name: string; value: string } | undefined {
    for (const name of this.lbNames) {
      const value = this.jar.get(name);
      if (value !== undefined) return { name, value };
    }
    return undefined;
  }

  /** `SRV=replica-1`, or a placeholder, for evidence. */
  get replica(): string {
    const c = this.lbCookie;
    return c ? `${c.name}=${c.value}` : '(no LB cookie)';
  }

  async login(username: string, password: string): Promise<Reply> {
    const auth = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
    return this.call('GET', 'session', undefined, { authorization: auth });
  }

  get(path: string): Promise<Reply> {
    return this.call('GET', path);
  }

  post(path: string, body: unknown): Promise<Reply> {
    return this.call('POST', path, body);
  }

  delete(path: string): Promise<Reply> {
    return this.call('DELETE', path);
  }

  /** `path` is relative to /ws/rest/v1 unless it starts with '/'. */
  async call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Reply> {
    const url = `${this.target.replace(/\/+$/, '')}${path.startsWith('/') ? '' : '/ws/rest/v1/'}${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await request(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
      const text = await res.body.text();
      const reply: Reply = { status: res.statusCode, text, json: parseJson(text) };
      const served = res.headers['x-served-by'];
      if (typeof served === 'string') reply.servedBy = served;
      const set = res.headers['set-cookie'];
      for (const line of Array.isArray(set) ? set : set ? [set] : []) this.store(line, reply);
      return reply;
    } catch (e) {
      return { status: 0, json: undefined, text: '', error: errorText(e) };
    }
  }

  private store(line: string, reply: Reply): void {
    const c = parseSetCookie(line);
    if (!c) return;
    if (c.expired) this.jar.delete(c.name);
    else this.jar.set(c.name, c.value);
    if (APP_COOKIE.test(c.name) || c.expired) return;
    if (!this.lbNames.includes(c.name)) this.lbNames.push(c.name);
    reply.lbSet = `${c.name}=${c.value}`;
    this.lbHistory.push(reply.lbSet);
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const authenticated = (r: Reply): boolean => get(r.json, 'authenticated') === true;

/** A short account of one reply for evidence: "401 User is not logged in", "request failed (ECONNRESET …)". */
export function describe(r: Reply): string {
  if (r.status === 0) return `request failed (${r.error ?? 'no answer'})`;
  const msg = str(r.json, 'error', 'message');
  const short = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);
  if (r.status >= 500) return `request failed (${r.status}${msg ? ` ${short(msg)}` : ''})`;
  if (msg) return `${r.status} ${short(msg)}`;
  if (get(r.json, 'authenticated') !== undefined) return `${r.status} authenticated:${String(authenticated(r))}`;
  return String(r.status);
}

export const failed = (r: Reply): boolean => r.status === 0 || r.status >= 500;
