/**
 * Built-ins the scenario library uses that old k6 (goja, ES2015 with a few later additions) may lack:
 * String#matchAll (duration parsing), Array#flatMap (journey items, profile stages), String#padStart
 * and padEnd (identifiers, dates), Object.entries/values/fromEntries, and a URL class (paging links).
 * Each is installed only when missing, and the bundle imports this file before the scenario, so a
 * newer k6 keeps its own. The URL class does what the steps need: parse an absolute or relative URL
 * into its parts; it is no WHATWG URL (no searchParams, no IDNA, no percent-encoding rules).
 */
type AnyObject = Record<string, unknown>;
const g = (typeof globalThis !== 'undefined' ? globalThis : Function('return this')()) as AnyObject;

function define(target: object, name: string, value: unknown): void {
  if (!(name in target)) Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

define(String.prototype, 'matchAll', function (this: string, re: RegExp) {
  const flags = re.flags.indexOf('g') >= 0 ? re.flags : `${re.flags}g`;
  const rx = new RegExp(re.source, flags);
  const out: RegExpExecArray[] = [];
  let m: RegExpExecArray | null;
  while ((m = rx.exec(String(this))) !== null) {
    out.push(m);
    if (m[0] === '') rx.lastIndex++;
  }
  return out[Symbol.iterator]();
});

function pad(this: string, atStart: boolean, length: number, fill?: string): string {
  const s = String(this);
  const f = fill === undefined ? ' ' : String(fill);
  if (s.length >= length || !f) return s;
  let filler = '';
  while (filler.length < length - s.length) filler += f;
  filler = filler.slice(0, length - s.length);
  return atStart ? filler + s : s + filler;
}
define(String.prototype, 'padStart', function (this: string, length: number, fill?: string) {
  return pad.call(this, true, length, fill);
});
define(String.prototype, 'padEnd', function (this: string, length: number, fill?: string) {
  return pad.call(this, false, length, fill);
});

function flat(items: unknown[], depth: number, out: unknown[]): unknown[] {
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (Array.isArray(v) && depth > 0) flat(v, depth - 1, out);
    else out.push(v);
  }
  return out;
}
define(Array.prototype, 'flat', function (this: unknown[], depth?: number) {
  return flat(this, depth === undefined ? 1 : depth, []);
});
define(Array.prototype, 'flatMap', function (this: unknown[], fn: (v: unknown, i: number, a: unknown[]) => unknown, thisArg?: unknown) {
  return flat(this.map(fn, thisArg), 1, []);
});

define(Object, 'entries', (o: AnyObject) => Object.keys(o).map((k) => [k, o[k]]));
define(Object, 'values', (o: AnyObject) => Object.keys(o).map((k) => o[k]));
define(Object, 'fromEntries', (entries: Iterable<[string, unknown]>) => {
  const o: AnyObject = {};
  Array.from(entries).forEach((e) => (o[e[0]] = e[1]));
  return o;
});

/** RFC 3986 remove_dot_segments. */
function normalisePath(path: string): string {
  const out: string[] = [];
  const parts = path.split('/');
  parts.forEach((p, i) => {
    if (p === '..') {
      if (out.length > 1) out.pop();
    } else if (p !== '.') out.push(p);
    if ((p === '.' || p === '..') && i === parts.length - 1) out.push('');
  });
  const joined = out.join('/');
  return joined.charAt(0) === '/' ? joined : `/${joined}`;
}

const ABSOLUTE = /^([a-z][a-z0-9+.-]*:)\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;

class MiniUrl {
  protocol = '';
  host = '';
  hostname = '';
  port = '';
  pathname = '/';
  search = '';
  hash = '';
  constructor(url: string, base?: string | MiniUrl) {
    const text = String(url);
    let m = ABSOLUTE.exec(text);
    if (!m) {
      if (base === undefined) throw new TypeError(`Invalid URL: ${text}`);
      const b = new MiniUrl(String(base));
      const rel = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(text)!;
      let path = rel[1]!;
      if (text.slice(0, 2) === '//') m = ABSOLUTE.exec(b.protocol + text);
      else {
        if (!path) path = b.pathname;
        else if (path.charAt(0) !== '/') path = b.pathname.slice(0, b.pathname.lastIndexOf('/') + 1) + path;
        const search = rel[2] !== undefined ? rel[2] : rel[1] ? '' : b.search;
        m = ABSOLUTE.exec(`${b.protocol}//${b.host}${path}${search}${rel[3] || ''}`);
      }
      if (!m) throw new TypeError(`Invalid URL: ${text}`);
    }
    this.protocol = m[1]!.toLowerCase();
    this.host = m[2]!.toLowerCase();
    const colon = this.host.lastIndexOf(':');
    this.hostname = colon > 0 && this.host.indexOf(']', colon) < 0 ? this.host.slice(0, colon) : this.host;
    this.port = this.hostname === this.host ? '' : this.host.slice(colon + 1);
    this.pathname = normalisePath(m[3] || '/');
    this.search = m[4] && m[4] !== '?' ? m[4] : '';
    this.hash = m[5] && m[5] !== '#' ? m[5] : '';
  }
  get origin(): string {
    return `${this.protocol}//${this.host}`;
  }
  get href(): string {
    return `${this.origin}${this.pathname}${this.search}${this.hash}`;
  }
  toString(): string {
    return this.href;
  }
}

if (typeof g.URL === 'undefined') g.URL = MiniUrl;

/** For the tests: the URL class used when the runtime has none. */
export { MiniUrl };
