import { badRequest } from './errors.ts';

/**
 * Representations as webservices.rest has them: `ref`, `default`, `full` and
 * `custom:(field,field:(sub,…),field:ref)`.
 */
export type Rep =
  | { kind: 'ref' }
  | { kind: 'default' }
  | { kind: 'full' }
  | { kind: 'custom'; fields: Map<string, Rep | undefined> };

export const REF: Rep = { kind: 'ref' };
export const DEFAULT: Rep = { kind: 'default' };
export const FULL: Rep = { kind: 'full' };

/** A nested object named bare in a custom representation (`custom:(person)`) gets this. */
const BARE_NESTED: Rep = DEFAULT;

export function parseRep(v: string | null | undefined, fallback: Rep): Rep {
  if (!v) return fallback;
  const lower = v.toLowerCase();
  if (lower === 'ref') return REF;
  if (lower === 'default') return DEFAULT;
  if (lower === 'full') return FULL;
  if (!lower.startsWith('custom:')) throw badRequest(`Unknown representation '${v}'`);
  const p = new CustomParser(v.slice('custom:'.length));
  const fields = p.peek() === '(' ? p.group() : p.list();
  if (!p.done()) throw badRequest(`Malformed custom representation '${v}'`);
  return { kind: 'custom', fields };
}

class CustomParser {
  private i = 0;
  constructor(private readonly s: string) {}
  peek = () => this.s[this.i];
  done = () => this.i >= this.s.length;

  group(): Map<string, Rep | undefined> {
    this.expect('(');
    const fields = this.list();
    // O3's visit representation ends with an unclosed group, which webservices.rest's parser accepts.
    if (!this.done()) this.expect(')');
    return fields;
  }

  list(): Map<string, Rep | undefined> {
    const fields = new Map<string, Rep | undefined>();
    for (;;) {
      const name = this.name();
      let rep: Rep | undefined;
      if (this.peek() === ':') {
        this.i++;
        if (this.peek() === '(') rep = { kind: 'custom', fields: this.group() };
        else rep = parseRep(this.name(), DEFAULT);
      }
      fields.set(name, rep);
      if (this.peek() !== ',') return fields;
      this.i++;
    }
  }

  private name(): string {
    const m = /^[A-Za-z0-9_.]+/.exec(this.s.slice(this.i));
    if (!m) throw badRequest(`Malformed custom representation near '${this.s.slice(this.i, this.i + 20)}'`);
    this.i += m[0].length;
    return m[0];
  }

  private expect(c: string) {
    if (this.s[this.i] !== c) throw badRequest(`Malformed custom representation: expected '${c}' at ${this.i}`);
    this.i++;
  }
}

/** True when the representation will render `field` (lets handlers skip loading what nobody asked for). */
export function wants(rep: Rep, field: string, def: ResourceDef<never>): boolean {
  switch (rep.kind) {
    case 'ref':
      return false;
    case 'default':
      return def.defaultProps.includes(field);
    case 'full':
      return def.fullProps.includes(field);
    case 'custom':
      return rep.fields.has(field);
  }
}

/** The representation a nested field is rendered with, or undefined when the field is not rendered. */
export function nestedRep(rep: Rep, field: string): Rep | undefined {
  if (rep.kind === 'custom') return rep.fields.has(field) ? (rep.fields.get(field) ?? BARE_NESTED) : undefined;
  if (rep.kind === 'full') return DEFAULT;
  return REF;
}

/** A property whose value is another resource (or a list of them). */
export interface Nested<U = unknown> {
  readonly nested: ResourceDef<U>;
  readonly value: U | readonly U[] | null | undefined;
  /** How the default/full representations render it (OpenMRS picks per property). */
  readonly inDefault?: Rep;
  readonly inFull?: Rep;
}

export function nested<U>(def: ResourceDef<U>, value: U | readonly U[] | null | undefined, inDefault?: Rep, inFull?: Rep): Nested<U> {
  return { nested: def, value, inDefault, inFull };
}

/** How one kind of OpenMRS object is represented. `props` read an already loaded aggregate. */
export interface ResourceDef<T> {
  /** Path segment used in links, e.g. `patient` or `idgen/identifiersource`. */
  readonly name: string;
  readonly resourceVersion?: string;
  uuid(e: T): string;
  display(e: T): string | null;
  /** Extra fields of the ref representation (e.g. `retired: true` on retired metadata). */
  refExtra?(e: T): Record<string, unknown>;
  readonly props: Record<string, (e: T) => unknown>;
  readonly defaultProps: readonly string[];
  readonly fullProps: readonly string[];
  /** Properties some instances add to default/full (e.g. a numeric concept's ranges). */
  extraProps?(e: T): readonly string[];
}

export function defineResource<T>(def: ResourceDef<T>): ResourceDef<T> {
  return def;
}

function link(baseUrl: string, def: ResourceDef<never>, uuid: string, rel: string, suffix = '') {
  return { rel, uri: `${baseUrl}/${def.name}/${uuid}${suffix}`, resourceAlias: def.name.split('/').pop() };
}

function renderValue(v: unknown, rep: Rep, baseUrl: string): unknown {
  if (isNested(v)) {
    if (v.value === null || v.value === undefined) return null;
    if (Array.isArray(v.value)) return v.value.map((x) => represent(v.nested, x, rep, baseUrl));
    return represent(v.nested, v.value, rep, baseUrl);
  }
  return v === undefined ? null : v;
}

function isNested(v: unknown): v is Nested {
  return typeof v === 'object' && v !== null && 'nested' in v && 'value' in v;
}

export function represent<T>(def: ResourceDef<T>, e: T, rep: Rep, baseUrl: string): Record<string, unknown> {
  const d = def as unknown as ResourceDef<never>;
  const uuid = def.uuid(e);
  if (rep.kind === 'ref') {
    return { uuid, display: def.display(e), ...(def.refExtra?.(e) ?? {}), links: [link(baseUrl, d, uuid, 'self')] };
  }
  const out: Record<string, unknown> = {};
  if (rep.kind === 'custom') {
    for (const [field, sub] of rep.fields) {
      if (field === 'uuid') out.uuid = uuid;
      else if (field === 'display') out.display = def.display(e);
      else if (field === 'links') out.links = [link(baseUrl, d, uuid, 'self')];
      else if (field === 'resourceVersion') out.resourceVersion = def.resourceVersion ?? '1.8';
      else {
        const prop = def.props[field];
        if (!prop) throw badRequest(`Unknown property '${field}' on ${def.name}`);
        out[field] = renderValue(prop(e), sub ?? BARE_NESTED, baseUrl);
      }
    }
    return out;
  }
  const base = rep.kind === 'full' ? def.fullProps : def.defaultProps;
  const names = def.extraProps ? [...base, ...def.extraProps(e)] : base;
  out.uuid = uuid;
  out.display = def.display(e);
  for (const field of names) {
    const prop = def.props[field];
    if (!prop) throw new Error(`resource ${def.name} lists '${field}' but defines no property for it`);
    const v = prop(e);
    const r = isNested(v) ? ((rep.kind === 'full' ? v.inFull : v.inDefault) ?? (rep.kind === 'full' ? DEFAULT : REF)) : rep;
    out[field] = renderValue(v, r, baseUrl);
  }
  out.links =
    rep.kind === 'default'
      ? [link(baseUrl, d, uuid, 'self'), link(baseUrl, d, uuid, 'full', '?v=full')]
      : [link(baseUrl, d, uuid, 'self')];
  out.resourceVersion = def.resourceVersion ?? '1.8';
  return out;
}
