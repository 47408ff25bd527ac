/**
 * A scenario's profile as k6 `options`: one k6 scenario with the profile's executor (durations as
 * k6 duration strings), the scenario's gracefulStop, its thresholds, and the settings that make k6
 * behave like loadlab's engine. Pure, so the mapping is unit-tested.
 */
import { UsageError } from '../../core/errors.ts';
import type { ExecutorConfig, ProfileName, Scenario } from '../../scenario/types.ts';

export const PROFILES: readonly ProfileName[] = ['smoke', 'nightly', 'capacity'];

type Thresholds = NonNullable<Scenario['thresholds']>;
export interface K6Options {
  scenarios: Record<string, Record<string, unknown>>;
  thresholds: Thresholds;
  batchPerHost: number;
  noCookiesReset: boolean;
}

/** Seconds as a k6 duration: '600s', or '1500ms' when not whole. */
export function k6Duration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/**
 * k6 takes arrival rates as integers per timeUnit (0.5/s is refused), so fractional rates are scaled
 * with their timeUnit: 0.5 per 1s becomes 1 per 2s. One multiplier for all rates of an executor
 * (start rate and stage targets share its timeUnit); past 1000 the rates are rounded.
 */
export function integerRates(rates: number[], timeUnit: number): { rates: number[]; timeUnit: number } {
  const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-9;
  let m = 1;
  while (m < 1000 && !rates.every((r) => whole(r * m))) m++;
  return { rates: rates.map((r) => Math.round(r * m)), timeUnit: timeUnit * m };
}

/** One loadlab executor as a k6 scenario. */
export function k6Scenario(c: ExecutorConfig, gracefulStop: number): Record<string, unknown> {
  const s: Record<string, unknown> = { executor: c.executor };
  const stages = (list: { duration: number; target: number }[], targets: number[] = list.map((x) => x.target)) =>
    list.map((x, i) => ({ duration: k6Duration(x.duration), target: targets[i]! }));
  switch (c.executor) {
    case 'constant-vus':
      Object.assign(s, { vus: c.vus, duration: k6Duration(c.duration) });
      break;
    case 'ramping-vus':
      if (c.startVUs !== undefined) s.startVUs = c.startVUs;
      s.stages = stages(c.stages);
      if (c.gracefulRampDown !== undefined) s.gracefulRampDown = k6Duration(c.gracefulRampDown);
      break;
    case 'constant-arrival-rate': {
      const r = integerRates([c.rate], c.timeUnit ?? 1);
      Object.assign(s, { rate: r.rates[0], timeUnit: k6Duration(r.timeUnit), duration: k6Duration(c.duration), preAllocatedVUs: c.preAllocatedVUs });
      if (c.maxVUs !== undefined) s.maxVUs = c.maxVUs;
      break;
    }
    case 'ramping-arrival-rate': {
      const r = integerRates([c.startRate ?? 0, ...c.stages.map((x) => x.target)], c.timeUnit ?? 1);
      Object.assign(s, { startRate: r.rates[0], timeUnit: k6Duration(r.timeUnit), stages: stages(c.stages, r.rates.slice(1)), preAllocatedVUs: c.preAllocatedVUs });
      if (c.maxVUs !== undefined) s.maxVUs = c.maxVUs;
      break;
    }
  }
  s.gracefulStop = k6Duration(gracefulStop);
  return s;
}

/** The most VUs a profile uses (k6's defaults: startVUs 1, maxVUs = preAllocatedVUs), for the feeders' spread. */
export function profileMaxVUs(c: ExecutorConfig): number {
  switch (c.executor) {
    case 'constant-vus':
      return c.vus;
    case 'ramping-vus':
      return Math.max(c.startVUs ?? 1, ...c.stages.map((s) => s.target));
    default:
      return Math.max(c.preAllocatedVUs, c.maxVUs ?? 0);
  }
}

/**
 * The scenario's thresholds for k6. loadlab's `http_req_duration` is measured from a request's
 * intended start (no coordinated omission) and its `http_req_service` from the actual send; k6 only
 * measures from the send and has no http_req_service, so those thresholds become http_req_duration
 * ones, which in k6 mean the same thing. `renamed` lists them (the script's header says so too).
 */
export function k6Thresholds(t: Thresholds): { thresholds: Thresholds; renamed: string[] } {
  const thresholds: Thresholds = {};
  const renamed: string[] = [];
  for (const [key, list] of Object.entries(t)) {
    const k = key.replace(/^\s*http_req_service(?=\{|\s*$)/, 'http_req_duration');
    if (k !== key) renamed.push(`${key} → ${k}`);
    thresholds[k] = [...(thresholds[k] ?? []), ...list.map((x) => (typeof x === 'string' ? x : { ...x }))];
  }
  return { thresholds, renamed };
}

/** A k6 scenario name (letters, digits, '_' and '-'). */
export const k6Name = (name: string): string => name.replace(/[^A-Za-z0-9_-]+/g, '_') || 'loadlab';

export function resolveProfile(s: Scenario, profile: string | undefined): { name: ProfileName; config: ExecutorConfig } {
  const name = (profile ?? s.defaultProfile) as ProfileName;
  const has = PROFILES.filter((p) => s.profiles[p]);
  if (!PROFILES.includes(name)) throw new UsageError(`unknown profile '${profile}'`, `use one of: ${PROFILES.join(', ')}`);
  const config = s.profiles[name];
  if (!config) throw new UsageError(`scenario '${s.name}' has no profile '${name}'`, `its profiles: ${has.join(', ') || 'none'}`);
  return { name, config };
}

export function k6Options(s: Scenario, profile: ExecutorConfig): { options: K6Options; renamed: string[] } {
  const { thresholds, renamed } = k6Thresholds(s.thresholds ?? {});
  return {
    options: {
      scenarios: { [k6Name(s.name)]: k6Scenario(profile, s.gracefulStop ?? 30) },
      thresholds,
      // Pages load their resources 6 at a time, as browsers do (fanOut → http.batch).
      batchPerHost: 6,
      // The engine keeps a VU's cookies across iterations; journeys that want a fresh browser log in (clearCookies).
      noCookiesReset: true,
    },
    renamed,
  };
}
