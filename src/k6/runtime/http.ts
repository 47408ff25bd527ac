/**
 * A virtual user's VuHttp over k6/http. k6 requests block, so each call returns a Settled response
 * (see settled.ts) typed as the Promise steps expect. Requests carry the tags loadlab's thresholds and
 * `loadlab import k6` read — `name` and `step` (the step), `request` (the request's own name, e.g.
 * `openChart:vitals`) and `journey` — and their expected statuses as a responseCallback, so k6's
 * http_req_failed counts the same requests as failed as loadlab's does.
 */
import encoding from 'k6/encoding';
import http, { type Params, type RefinedResponse, type ResponseType } from 'k6/http';
import { StepError, type HttpResponse, type RequestOptions, type VuHttp } from '../../scenario/types.ts';
import { rejected, resolved, type Settled } from './settled.ts';
import { errorClass, statusRanges } from './statuses.ts';
import { resolveUrl, type Target } from './target.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type K6Response = RefinedResponse<ResponseType | undefined>;
type ExpectedStatusesCallback = ReturnType<typeof http.expectedStatuses>;
export interface BatchItem {
  method: Method;
  path: string;
  opts?: RequestOptions;
}

const judge = (status: number, e: RequestOptions['expect']): boolean => {
  if (e === undefined) return status >= 200 && status < 400;
  if (typeof e !== 'function') return e.indexOf(status) >= 0;
  try {
    return e(status);
  } catch {
    return false;
  }
};

class StepResponse implements HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined> = {};
  readonly text: string;
  private parsed: { v: unknown } | undefined;
  constructor(
    private readonly method: string,
    private readonly path: string,
    res: K6Response,
  ) {
    this.status = res.status;
    this.text = typeof res.body === 'string' ? res.body : '';
    // k6 canonicalises header names (Content-Type); the engine's are lower case.
    for (const k in res.headers) this.headers[k.toLowerCase()] = res.headers[k];
  }
  json<T = unknown>(): T {
    if (!this.parsed) {
      try {
        this.parsed = { v: JSON.parse(this.text) };
      } catch {
        const head = this.text.slice(0, 80).replace(/\s+/g, ' ');
        throw new StepError(`${this.method} ${this.path}: expected JSON, got ${this.status} ${String(this.headers['content-type'] ?? 'no content-type')}: ${head}`, 'non-json');
      }
    }
    return this.parsed.v as T;
  }
}

export class K6VuHttp implements VuHttp {
  /** Set by the runtime before each step. */
  step = '';
  journey = '';
  /** Requests whose status was not expected since the runtime last reset it (a failed iteration). */
  failures = 0;
  private ownJar: InstanceType<typeof http.CookieJar> | undefined;
  private readonly expected = new Map<unknown, ExpectedStatusesCallback>();
  private readonly anyStatus: ExpectedStatusesCallback;

  constructor(
    private readonly target: Target,
    private readonly credentials: () => { username: string; password: string },
  ) {
    this.anyStatus = http.expectedStatuses({ min: 200, max: 399 });
  }

  request(method: Method, path: string, opts?: RequestOptions): Promise<HttpResponse> {
    return this.send(method, path, opts ? opts.body : undefined, opts) as unknown as Promise<HttpResponse>;
  }
  get(path: string, opts?: RequestOptions): Promise<HttpResponse> {
    return this.request('GET', path, opts);
  }
  post(path: string, body: unknown, opts?: RequestOptions): Promise<HttpResponse> {
    return this.send('POST', path, body, opts) as unknown as Promise<HttpResponse>;
  }

  /** Several requests at once through http.batch (k6 opens up to options.batchPerHost connections). */
  batch(requests: BatchItem[]): Promise<HttpResponse[]> {
    const sent = requests.map((r) => this.prepare(r.method, r.path, r.opts ? r.opts.body : undefined, r.opts));
    const responses = http.batch(sent.map((s) => [s.method, s.url, s.body, s.params] as [string, string, string | null, Params]));
    const out: HttpResponse[] = [];
    let error: unknown;
    for (let i = 0; i < sent.length; i++) {
      const r = this.settle(sent[i]!, responses[i] as K6Response);
      if (!r.ok && error === undefined) error = r.error;
      out.push(r.value as HttpResponse);
    }
    return (error === undefined ? resolved(out) : rejected(error)) as unknown as Promise<HttpResponse[]>;
  }

  /** A fresh browser: forgets the VU's cookies (k6's jar.clear, or a new jar on k6 before 0.41). */
  clearCookies(): void {
    const jar = http.cookieJar() as unknown as { clear?: (url: string) => void };
    if (typeof jar.clear === 'function') {
      // Go's cookie jar clears the cookies of a URL's default path: the balancer's (Path=/) and the app's (Path=/openmrs).
      jar.clear(`${this.target.origin}/`);
      if (this.target.prefix) jar.clear(`${this.target.origin}${this.target.prefix}/`);
    } else this.ownJar = new http.CookieJar();
  }

  private send(method: Method, path: string, body: unknown, opts: RequestOptions | undefined): Settled<HttpResponse> {
    const s = this.prepare(method, path, body, opts);
    return this.settle(s, http.request(s.method, s.url, s.body, s.params) as K6Response);
  }

  private prepare(method: Method, path: string, body: unknown, opts: RequestOptions | undefined) {
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: string | null = null;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    if (opts && opts.basicAuth) {
      const c = this.credentials();
      headers.authorization = `Basic ${encoding.b64encode(`${c.username}:${c.password}`)}`;
    }
    if (opts && opts.headers) for (const k in opts.headers) headers[k.toLowerCase()] = opts.headers[k]!;
    const expect = opts ? opts.expect : undefined;
    const params: Params = {
      headers,
      // The engine does not follow redirects either: a 302 to a login page is the step's to judge.
      redirects: 0,
      tags: { name: this.step, step: this.step, request: (opts && opts.name) || this.step, journey: this.journey },
      responseCallback: this.expectedFor(expect),
    };
    if (this.ownJar) params.jar = this.ownJar;
    return { method, path, url: resolveUrl(this.target, path), body: payload, params, expect };
  }

  private settle(s: ReturnType<K6VuHttp['prepare']>, res: K6Response): Settled<HttpResponse> {
    if (!res || !res.status) {
      this.failures++;
      const code = res ? res.error_code : 0;
      const cls = errorClass(code);
      return rejected(new StepError(`${s.method} ${s.path}: ${cls} (${res ? res.error : 'no response'})`, cls));
    }
    if (!judge(res.status, s.expect)) this.failures++;
    return resolved(new StepResponse(s.method, s.path, res));
  }

  private expectedFor(e: RequestOptions['expect']): ExpectedStatusesCallback {
    if (e === undefined) return this.anyStatus;
    const key = typeof e === 'function' ? e : e.join(',');
    let cb = this.expected.get(key);
    if (!cb) {
      cb = typeof e === 'function' ? http.expectedStatuses(...statusRanges(e)) : http.expectedStatuses(...e);
      this.expected.set(key, cb);
    }
    return cb;
  }
}
