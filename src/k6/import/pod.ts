/**
 * One pod's k6 points, turned into loadlab's terms: a request per http_req_duration point (its failure from
 * the http_req_failed point k6 writes right after it for the same request, else the expected_response tag,
 * else the status), checks, iterations, dropped iterations and the VU gauges.
 */
import { statusClass } from '../../engine/http-exchange.ts';
import type { Accumulator, ImportedRequest, PodState } from './accumulate.ts';
import type { K6Metric, K6Point } from './lines.ts';

/** What all pods have in common, gathered while reading. */
export interface Seen {
  metrics: Map<string, K6Metric>;
  scenarios: Set<string>;
  /** Origins of the request URLs (credentials stripped) and how many requests went to each. */
  origins: Map<string, number>;
  checkPoints: number;
}

export const newSeen = (): Seen => ({ metrics: new Map(), scenarios: new Set(), origins: new Map(), checkPoints: 0 });

/** A k6 status-0 error code (lib/netext/httpext/error_codes.go) in loadlab's error classes. */
export function networkClass(errorCode: string | undefined): string {
  const code = Number(errorCode);
  if (code === 1050) return 'timeout';
  if (code === 1201 || code === 1220 || (code >= 1600 && code < 1700)) return 'reset';
  if ((code >= 1100 && code < 1200) || (code >= 1210 && code <= 1213)) return 'connect';
  return 'other';
}

export function errorClassOf(status: number, errorCode: string | undefined): string {
  if (status === 0) return networkClass(errorCode);
  return statusClass(status);
}

/** scheme://host[:port] of a URL, without user:password@ (k6 may keep them in the url tag). */
const ORIGIN = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/?#]*@)?([^/?#]+)/i;
export function originOf(url: string | undefined): string | null {
  const m = url ? ORIGIN.exec(url) : null;
  return m ? `${m[1]!.toLowerCase()}${m[2]!.toLowerCase()}` : null;
}

/** The step a request belongs to: loadlab's own k6 export sets `step`; plain k6 scripts have `name` (the URL by default). */
export const stepOf = (tags: Record<string, string>): string => tags.step || tags.name || tags.url || '(unnamed)';

/** The samples k6 writes after a request's http_req_duration, in the same container (see k6's httpext Trail). */
const SAME_REQUEST = new Set(['http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_failed']);

export class PodReader {
  private pending: { req: ImportedRequest; timeText: string; tags: Record<string, string> } | null = null;

  constructor(
    readonly pod: PodState,
    private readonly acc: Accumulator,
    private readonly seen: Seen,
  ) {}

  metric(m: K6Metric): void {
    const known = this.seen.metrics.get(m.name);
    // Pods run the same script: keep the first definition, but do not lose thresholds only a later pod has.
    if (!known || (!known.thresholds.length && m.thresholds.length)) this.seen.metrics.set(m.name, m);
  }

  point(p: K6Point): void {
    const pod = this.pod;
    if (p.time > pod.clock) pod.clock = p.time;
    if (p.time < pod.first) pod.first = p.time;
    if (p.time > pod.last) pod.last = p.time;
    if (p.tags.scenario) this.seen.scenarios.add(p.tags.scenario);
    // A request's samples are written together; anything else means its http_req_failed is not coming.
    if (this.pending && (p.timeText !== this.pending.timeText || !SAME_REQUEST.has(p.metric))) this.commit();
    switch (p.metric) {
      case 'http_req_duration':
        this.commit();
        this.pending = { req: this.request(p), timeText: p.timeText, tags: p.tags };
        break;
      case 'http_req_failed':
        // Written in the same sample container as the request's duration, with the same time and tags.
        if (this.pending && this.pending.timeText === p.timeText && this.pending.tags.name === p.tags.name) {
          this.pending.req.failed = p.value !== 0;
          this.commit();
        }
        break;
      case 'http_reqs':
        pod.httpReqs += p.value;
        break;
      case 'checks':
        this.seen.checkPoints++;
        this.acc.check(p.tags.check ?? '(unnamed check)', p.value !== 0, p.time);
        break;
      case 'iteration_duration':
        this.acc.iteration(p.time, p.value);
        break;
      case 'dropped_iterations':
        this.acc.dropped(p.time, p.value);
        break;
      case 'vus':
      case 'vus_max':
        this.acc.gauge(pod, p.metric, p.time, p.value);
        break;
      case 'data_received':
        pod.bytesIn += p.value;
        break;
      case 'data_sent':
        pod.bytesOut += p.value;
        break;
    }
  }

  private request(p: K6Point): ImportedRequest {
    const t = p.tags;
    const status = Number(t.status ?? 0) || 0;
    const expected = t.expected_response;
    // Without http_req_failed (it follows) or expected_response, k6's default: 200–399 is a success.
    const failed = expected === 'false' ? true : expected === 'true' ? false : status === 0 || status >= 400;
    const step = stepOf(t);
    const method = (t.method || 'GET').toUpperCase();
    const origin = originOf(t.url);
    if (origin) this.seen.origins.set(origin, (this.seen.origins.get(origin) ?? 0) + 1);
    // The path only: credentials go with the origin, and query strings may carry tokens.
    const where = t.url ? t.url.replace(ORIGIN, '').split('?')[0] || '/' : step;
    const why = status === 0 ? `no response${t.error ? ` (${t.error})` : t.error_code ? ` (k6 error ${t.error_code})` : ''}` : String(status);
    return {
      endMs: p.time, durationMs: Math.max(0, p.value), step, method, status, failed,
      errorClass: errorClassOf(status, t.error_code), failureText: `${method} ${where} → ${why}`,
    };
  }

  /** Hands the request waiting for its http_req_failed point to the accumulator. */
  commit(): void {
    if (!this.pending) return;
    const { req } = this.pending;
    this.pending = null;
    // A failure with a 2xx/3xx status is one the script did not expect (a responseCallback).
    if (req.failed && req.status > 0 && req.status < 400) req.errorClass = 'unexpected-status';
    this.acc.request(this.pod, req);
  }
}
