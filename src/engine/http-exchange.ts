/**
 * One request's life inside the HTTP client: the undici dispatch handler that collects the response,
 * and the response a step reads (headers, text and JSON decoded only on demand). Also the error
 * classes of failed requests and the REST resource a write acknowledged.
 */
import { util as undiciUtil } from 'undici';
import { StepError, type HttpResponse, type RequestOptions } from '../scenario/types.ts';
import type { RequestSample } from './sink.ts';

/** Whoever dispatched the exchange: told when it completes or fails. */
export interface ExchangeOwner {
  complete(x: Exchange): void;
  fail(x: Exchange, err: Error): void;
}

const NOT_PARSED = Symbol('not parsed');
export const ABORTED = Object.assign(new Error('request cut: the virtual user was stopped'), { code: 'LOADLAB_ABORTED' });

/** One request in flight and, once complete, its response (one object per request keeps the hot path small). */
export class Exchange implements HttpResponse {
  status = 0;
  raw: Buffer[] | null = null;
  chunk: Buffer | null = null;
  chunks: Buffer[] | null = null;
  bodyBytes = 0;
  sample: RequestSample | null = null;
  abort: ((err: Error) => void) | null = null;
  cut = false;
  resolve!: (r: HttpResponse) => void;
  reject!: (e: unknown) => void;
  private parsed: unknown = NOT_PARSED;
  private decoded: string | null = null;
  private parsedHeaders: Record<string, string | string[]> | null = null;

  constructor(
    readonly owner: ExchangeOwner,
    readonly method: string,
    readonly path: string,
    readonly step: string,
    readonly name: string,
    readonly expect: RequestOptions['expect'],
    readonly intendedAt: number,
    readonly sentAt: number,
    readonly bytesOut: number,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    if (this.cut) abort(ABORTED);
    else this.abort = abort;
  }
  onHeaders(status: number, raw: Buffer[]): boolean {
    this.status = status;
    this.raw = raw;
    return true;
  }
  onData(chunk: Buffer): boolean {
    if (this.chunk === null) this.chunk = chunk;
    else (this.chunks ??= [this.chunk]).push(chunk);
    this.bodyBytes += chunk.length;
    return true;
  }
  onComplete(): void {
    this.owner.complete(this);
  }
  onError(err: Error): void {
    this.owner.fail(this, err);
  }

  get headers(): Record<string, string | string[] | undefined> {
    return (this.parsedHeaders ??= this.raw ? undiciUtil.parseHeaders(this.raw) : {});
  }
  get text(): string {
    if (this.decoded === null) {
      const body = this.chunks ? Buffer.concat(this.chunks, this.bodyBytes) : this.chunk;
      this.decoded = body ? body.toString('utf8') : '';
    }
    return this.decoded;
  }
  /** Parsed body, or undefined when it is not JSON (no error raised: used for the ledger). */
  tryJson(): unknown {
    if (this.parsed === NOT_PARSED) {
      try {
        this.parsed = JSON.parse(this.text);
      } catch {
        this.parsed = undefined;
      }
    }
    return this.parsed;
  }
  json<T = unknown>(): T {
    const v = this.tryJson();
    if (v === undefined) {
      const s = this.sample;
      // The sample has not left yet (it leaves at the step's end or its next request): mark it.
      if (s && s.ok) Object.assign(s, { ok: false, errorClass: 'non-json' });
      const type = String(this.headers['content-type'] ?? 'no content-type');
      const head = this.text.slice(0, 80).replace(/\s+/g, ' ');
      throw new StepError(`${this.method} ${this.path}: expected JSON, got ${this.status} ${type}: ${head}`, 'non-json');
    }
    return v as T;
  }
  isOk(): boolean {
    const e = this.expect;
    if (e === undefined) return this.status >= 200 && this.status < 400;
    if (typeof e !== 'function') return e.includes(this.status);
    try {
      return e(this.status);
    } catch {
      return false; // a throwing predicate must not throw inside undici's callback
    }
  }
}

export function statusClass(status: number): string {
  if (status >= 500) return 'http-5xx';
  if (status >= 400) return 'http-4xx';
  return 'unexpected-status';
}

const CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

export function classifyError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'other';
  if (code === ABORTED.code || code === 'UND_ERR_ABORTED') return 'aborted';
  if (CONNECT.has(code)) return 'connect';
  if (TIMEOUT.has(code)) return 'timeout';
  return RESET.has(code) ? 'reset' : 'other';
}

const REST = '/ws/rest/v1/';

/** The resource named in a REST path: `patient`, or `patient/{uuid}/identifier` for a sub-resource collection. */
export function restResource(path: string): string | undefined {
  const at = path.indexOf(REST);
  if (at < 0) return undefined;
  const parts = path.slice(at + REST.length).split(/[?#]/, 1)[0]!.split('/').filter(Boolean);
  if (parts.length >= 3 && parts.length % 2 === 1) return parts.join('/');
  return parts[0];
}
