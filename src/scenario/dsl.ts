/**
 * Builders for scenario files: `export default scenario({...journeys: [journey('clerk', 20, login(), think.uniform(2, 10), …)]})`.
 * They only shape and normalise (durations to seconds, defaults); checking is validate.ts's job, so that
 * a mistake is reported with the file, journey and step it is in rather than as a stack trace.
 */
import {
  StepError,
  type ExecutorConfig,
  type HttpResponse,
  type Journey,
  type JourneyItem,
  type ProfileName,
  type RequestOptions,
  type Scenario,
  type Step,
  type ThinkTime,
  type VuContext,
} from './types.ts';

/** Seconds as a number, or k6-style text: '500ms', '30s', '5m', '1h30m'. */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a duration; throws on anything else (a bare number in text counts as seconds). */
export function parseDuration(v: Duration): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Error(`invalid duration ${v} (seconds must be a finite number ≥ 0)`);
    return v;
  }
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`invalid duration '${v}' (use seconds or text like '30s', '5m', '1h30m', '500ms')`);
  }
  // Rounded to the microsecond so '0.1s' + '0.2s' style sums do not leak float noise into reports.
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_SECONDS[p[2]!] ?? NaN), 0) * 1e6) / 1e6;
}

type Stage = { duration: Duration; target: number };
/** ExecutorConfig as written in scenario files: durations may be text. */
export type ProfileInput =
  | { executor: 'constant-vus'; vus: number; duration: Duration }
  | { executor: 'ramping-vus'; startVUs?: number; stages: Stage[]; gracefulRampDown?: Duration }
  | { executor: 'constant-arrival-rate'; rate: number; timeUnit?: Duration; duration: Duration; preAllocatedVUs: number; maxVUs?: number }
  | { executor: 'ramping-arrival-rate'; startRate?: number; timeUnit?: Duration; stages: Stage[]; preAllocatedVUs: number; maxVUs?: number };

export interface ScenarioInput extends Omit<Scenario, 'profiles' | 'gracefulStop'> {
  profiles: Partial<Record<ProfileName, ProfileInput>>;
  gracefulStop?: Duration;
}

const DURATION_KEYS = ['duration', 'timeUnit', 'gracefulRampDown'] as const;

/** Durations to seconds; other keys (even unknown ones) pass through so validation can name them. */
function normaliseProfile(name: string, p: ProfileInput): ExecutorConfig {
  const out: Record<string, unknown> = { ...p };
  const at = (key: string, v: unknown): unknown => {
    if (typeof v !== 'number' && typeof v !== 'string') return v;
    try {
      return parseDuration(v);
    } catch (e) {
      throw new Error(`profile '${name}': ${key}: ${(e as Error).message}`);
    }
  };
  for (const key of DURATION_KEYS) if (key in out) out[key] = at(key, out[key]);
  if (Array.isArray(out.stages)) {
    out.stages = out.stages.map((s: unknown, i: number) =>
      s && typeof s === 'object' && 'duration' in s ? { ...s, duration: at(`stages[${i}].duration`, (s as Stage).duration) } : s,
    );
  }
  return out as ExecutorConfig;
}

/** A Scenario with defaults filled (basePath '/openmrs', gracefulStop 30 s) and durations in seconds. */
export function scenario(input: ScenarioInput): Scenario {
  const profiles: Partial<Record<ProfileName, ExecutorConfig>> = {};
  for (const [name, p] of Object.entries(input.profiles ?? {})) {
    if (p) profiles[name as ProfileName] = normaliseProfile(name, p);
  }
  let gracefulStop: number;
  try {
    gracefulStop = parseDuration(input.gracefulStop ?? 30);
  } catch (e) {
    throw new Error(`gracefulStop: ${(e as Error).message}`);
  }
  return { ...input, basePath: input.basePath ?? '/openmrs', gracefulStop, profiles };
}

/** What a journey may list: steps, think times, ready-made items, or arrays of these (reusable sequences). */
export type ItemInput = Step | ThinkTime | JourneyItem | readonly ItemInput[];

function toItems(items: readonly ItemInput[]): JourneyItem[] {
  return items.flatMap((it): JourneyItem[] => {
    if (Array.isArray(it)) return toItems(it);
    // Not an object (a failed import, a typo): kept as is, so validation names the item.
    if (!it || typeof it !== 'object') return [it as unknown as JourneyItem];
    if ('step' in it || 'think' in it) return [it as JourneyItem];
    if ('kind' in it) return [{ think: it as ThinkTime }];
    return [{ step: it as Step }];
  });
}

export function journey(name: string, weight: number, ...items: ItemInput[]): Journey {
  return { name, weight, items: toItems(items) };
}

export const think = {
  constant: (seconds: number): ThinkTime => ({ kind: 'constant', seconds }),
  uniform: (min: number, max: number): ThinkTime => ({ kind: 'uniform', min, max }),
  exponential: (mean: number): ThinkTime => ({ kind: 'exponential', mean }),
};

/**
 * A step; `feeds` names the feeders it reads so that validation can report a scenario that uses a
 * step without declaring its feeder (an extra property: the engine ignores it).
 */
export type StepWithNeeds = Step & { feeds?: string[] };

export function step(name: string, run: (vu: VuContext) => Promise<void>, feeds?: string[]): StepWithNeeds {
  return feeds?.length ? { name, run, feeds } : { name, run };
}

/** Walks `a.b.0.c` (or a key list) through parsed JSON; undefined when any part is missing. */
export function getPath(value: unknown, path: string | readonly (string | number)[]): unknown {
  const keys = typeof path === 'string' ? path.split('.').filter(Boolean) : path;
  let cur = value;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(k)];
  }
  return cur;
}

type PerVu<T> = T | ((vu: VuContext) => T);
const resolve = <T>(v: PerVu<T>, vu: VuContext): T => (typeof v === 'function' ? (v as (vu: VuContext) => T)(vu) : v);

/** A JSON body, or a function of the VU that makes one (to use vars). */
export type BodyInput = ((vu: VuContext) => unknown) | string | number | boolean | null | Record<string, unknown> | unknown[];

export interface HttpStepOptions {
  body?: BodyInput;
  headers?: Record<string, string>;
  expect?: RequestOptions['expect'];
  basicAuth?: boolean;
  /** Named checks on the response, recorded with `vu.check` (a failed check is counted, not thrown). */
  check?: Record<string, (res: HttpResponse, vu: VuContext) => boolean>;
  /** Vars to set from the response: a getter, or a dotted path into its JSON ('results.0.uuid'). */
  save?: Record<string, string | ((res: HttpResponse) => unknown)>;
}

/** `{name}` in a path is replaced by the URL-encoded var `name` (a StepError when it is not set). */
function interpolate(stepName: string, path: string, vu: VuContext): string {
  return path.replace(/\{([A-Za-z_][\w]*)\}/g, (_, key: string) => {
    const v = vu.vars.get(key);
    if (v === undefined || v === null || v === '') throw new StepError(`step '${stepName}' needs var '${key}', which no earlier step set`, 'correlation');
    return encodeURIComponent(String(v));
  });
}

/** One request to any REST system: path relative to the scenario's basePath, optional checks and saved vars. */
export function httpStep(
  name: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: PerVu<string>,
  opts: HttpStepOptions = {},
): Step {
  return step(name, async (vu) => {
    const url = interpolate(name, resolve(path, vu), vu);
    const body = opts.body === undefined ? undefined : resolve(opts.body, vu);
    const res = await vu.http.request(method, url, { body, headers: opts.headers, expect: opts.expect, basicAuth: opts.basicAuth });
    for (const [check, fn] of Object.entries(opts.check ?? {})) vu.check(check, fn(res, vu));
    for (const [key, getter] of Object.entries(opts.save ?? {})) {
      const v = typeof getter === 'function' ? getter(res) : getPath(res.json(), getter);
      if (v === undefined || v === null) {
        throw new StepError(`step '${name}': nothing to save as '${key}' in the response (status ${res.status})`, 'correlation');
      }
      vu.vars.set(key, v);
    }
  });
}
