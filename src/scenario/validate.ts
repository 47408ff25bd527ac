/**
 * Checks a scenario module's default export before anything runs, and words each problem so that it
 * can be fixed without reading code: `scenarios/foo.ts: journey 'nurse', item 4 (think time after step
 * 'recordVitals'): think time 'uniform' needs min ≤ max`. Threshold expressions are only parsed here;
 * the engine evaluates them.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import type { Scenario } from './types.ts';

const num = z.number({ invalid_type_error: 'must be a number' }).finite('must be a finite number');
const nonNegative = num.min(0, 'must be ≥ 0');
const positive = num.positive('must be > 0');
const count = (min: number) => num.int('must be a whole number').min(min, `must be ≥ ${min}`);

const thinkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), seconds: nonNegative }).strict(),
  z.object({ kind: z.literal('uniform'), min: nonNegative, max: nonNegative }).strict(),
  z.object({ kind: z.literal('exponential'), mean: positive }).strict(),
]).superRefine((t, ctx) => {
  if (t.kind === 'uniform' && t.min > t.max) ctx.addIssue({ code: 'custom', message: `think time 'uniform' needs min ≤ max (got ${t.min} > ${t.max})` });
});

/** A step name becomes a metric tag value (`{step:name}`), so braces and commas would break threshold keys. */
const stepSchema = z.object({
  name: z.string().min(1, 'step name must not be empty').regex(/^(?:[^\s{},](?:[^{},]*[^\s{},])?)?$/, 'step name must not contain { } , or surrounding spaces'),
  run: z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', 'step run must be a function'),
  feeds: z.array(z.string()).optional(),
});

const itemSchema = z.unknown().superRefine((item, ctx) => {
  const o = item && typeof item === 'object' ? (item as Record<string, unknown>) : undefined;
  const [key, schema] = o && 'step' in o ? ['step', stepSchema] : o && 'think' in o ? ['think', thinkSchema] : [undefined, undefined];
  if (!key || !schema || !o) {
    ctx.addIssue({ code: 'custom', message: 'not a step or a think time (is an import missing?)' });
    return;
  }
  const r = schema.safeParse(o[key]);
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as z.IssueData);
});

const stages = z.array(z.object({ duration: nonNegative, target: nonNegative }).strict()).min(1, 'stages must not be empty')
  .refine((s) => s.reduce((t, x) => t + x.duration, 0) > 0, 'stages must last longer than 0 s');
const maxVUsAtLeastPre = (p: { preAllocatedVUs: number; maxVUs?: number }) => p.maxVUs === undefined || p.maxVUs >= p.preAllocatedVUs;
const maxVUsMessage = { message: 'maxVUs must be ≥ preAllocatedVUs', path: ['maxVUs'] };

const EXECUTORS = {
  'constant-vus': z.object({ executor: z.literal('constant-vus'), vus: count(1), duration: positive }).strict(),
  'ramping-vus': z.object({ executor: z.literal('ramping-vus'), startVUs: count(0).optional(), stages, gracefulRampDown: nonNegative.optional() }).strict(),
  'constant-arrival-rate': z.object({
    executor: z.literal('constant-arrival-rate'), rate: positive, timeUnit: positive.optional(), duration: positive,
    preAllocatedVUs: count(1), maxVUs: count(1).optional(),
  }).strict(),
  'ramping-arrival-rate': z.object({
    executor: z.literal('ramping-arrival-rate'), startRate: nonNegative.optional(), timeUnit: positive.optional(), stages,
    preAllocatedVUs: count(1), maxVUs: count(1).optional(),
  }).strict(),
};
const profileSchema = z.unknown().superRefine((p, ctx) => {
  const executor = p && typeof p === 'object' ? (p as { executor?: unknown }).executor : undefined;
  const schema = typeof executor === 'string' && Object.hasOwn(EXECUTORS, executor) ? EXECUTORS[executor as keyof typeof EXECUTORS] : undefined;
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: `unknown executor ${JSON.stringify(executor)} (known: ${Object.keys(EXECUTORS).join(', ')})` });
    return;
  }
  const r = schema.safeParse(p);
  if (!r.success) {
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const allowed = Object.keys(schema.shape).filter((k) => k !== 'executor').join(', ');
        const names = issue.keys.map((k) => `'${k}'`).join(', ');
        ctx.addIssue({ code: 'custom', message: `unknown option ${names} for executor '${String(executor)}' (allowed: ${allowed})` });
      } else ctx.addIssue(issue as z.IssueData);
    }
    return;
  }
  if ('preAllocatedVUs' in r.data && !maxVUsAtLeastPre(r.data)) ctx.addIssue({ code: 'custom', ...maxVUsMessage });
  if (r.data.executor === 'ramping-arrival-rate' && !r.data.stages.some((s) => s.target > 0) && !(r.data.startRate && r.data.startRate > 0)) {
    ctx.addIssue({ code: 'custom', message: 'every rate is 0: at least one stage target (iterations per timeUnit) must be > 0', path: ['stages'] });
  }
});

/** `metric` or `metric{tag:value,tag:value}` (values may contain ':', as in `name:openChart:fhirPatient`). */
export const THRESHOLD_KEY = /^[A-Za-z_][\w.]*(\{\s*[\w.-]+\s*:[^{},]+(,\s*[\w.-]+\s*:[^{},]+)*\})?$/;
/** `agg op number`, aggregations as in k6: avg, min, max, med, count, rate, value, p(N). */
export const THRESHOLD_EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\d+(\.\d+)?\))\s*(<=|>=|<|>|===|==|!=)\s*-?\d+(\.\d+)?\s*$/;
const expression = z.string().regex(THRESHOLD_EXPRESSION, "expected 'aggregation operator number', e.g. 'p(95)<500' or 'rate<0.01'");
const thresholdsSchema = z.record(
  z.string().regex(THRESHOLD_KEY, "expected 'metric' or 'metric{tag:value}', e.g. 'http_req_duration{step:searchPatient}'"),
  z.array(z.union([expression, z.object({ threshold: expression, abortOnFail: z.boolean().optional() }).strict()])).min(1, 'needs at least one expression'),
);

const feederSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('seeded-patients'), count: count(1).optional() }).strict(),
  z.object({ kind: z.literal('csv'), path: z.string().min(1, 'path must not be empty') }).strict(),
  z.object({ kind: z.literal('inline'), records: z.array(z.record(z.string())).min(1, 'records must not be empty') }).strict(),
]);

const profileName = z.enum(['smoke', 'nightly', 'capacity']);
const scenarioSchema = z.object({
  name: z.string().min(1, 'name must not be empty'),
  description: z.string({ required_error: 'description is required' }),
  journeys: z.array(z.object({
    name: z.string().min(1, 'journey name must not be empty'),
    weight: positive,
    items: z.array(itemSchema).min(1, 'a journey needs at least one step'),
  }).strict()).min(1, 'a scenario needs at least one journey'),
  profiles: z.record(profileName, profileSchema).refine((p) => Object.keys(p).length > 0, 'at least one profile is needed'),
  defaultProfile: profileName,
  thresholds: thresholdsSchema.optional(),
  feeders: z.record(z.string().min(1), feederSchema).optional(),
  basePath: z.string().regex(/^(\/[^/\s?#]+)*$/, "basePath must be '' or start with '/' and not end with one, e.g. '/openmrs'").optional(),
  gracefulStop: nonNegative.optional(),
}).strict();

type Path = (string | number)[];
const quote = (v: unknown, fallback: string) => (typeof v === 'string' && v ? `'${v}'` : fallback);

/** "step 'x'", "think time after step 'x'", "think time at the start" or "not a step", for item `index`. */
function describeItem(items: unknown[], index: number): string {
  const stepName = (i: number): string | undefined => {
    const name = (items[i] as { step?: { name?: unknown } } | null | undefined)?.step?.name;
    return typeof name === 'string' ? name : undefined;
  };
  const own = stepName(index);
  if (own !== undefined) return `step '${own}'`;
  const item = items[index];
  if (!item || typeof item !== 'object' || !('think' in item)) return 'not a step';
  for (let i = index - 1; i >= 0; i--) {
    const before = stepName(i);
    if (before !== undefined) return `think time after step '${before}'`;
  }
  return 'think time at the start';
}

/** "journey 'nurse', item 4 (think time after step 'recordVitals')" for a path into the scenario. */
function locate(sc: unknown, path: Path): { where: string[]; rest: Path } {
  const [head, key, ...rest] = path;
  if (head === 'journeys' && typeof key === 'number') {
    const j = (sc as { journeys: unknown[] }).journeys[key] as { name?: unknown; items?: unknown[] } | undefined;
    const where = [`journey ${quote(j?.name, `#${key + 1}`)}`];
    const [itemsKey, index, ...itemRest] = rest;
    if (itemsKey !== 'items' || typeof index !== 'number' || !Array.isArray(j?.items)) return { where, rest };
    return { where: [...where, `item ${index + 1} (${describeItem(j.items, index)})`], rest: itemRest.filter((k) => k !== 'step' && k !== 'think') };
  }
  if (head === 'profiles' && typeof key === 'string') {
    const executor = (sc as { profiles: Record<string, { executor?: unknown }> }).profiles[key]?.executor;
    return { where: [`profile '${key}'${typeof executor === 'string' ? ` (${executor})` : ''}`], rest };
  }
  if (head === 'thresholds' && typeof key === 'string') return { where: [`threshold '${key}'`], rest };
  if (head === 'feeders' && typeof key === 'string') return { where: [`feeder '${key}'`], rest };
  return { where: [], rest: path };
}

function describe(sc: unknown, issue: z.ZodIssue): string {
  const { where, rest } = locate(sc, issue.path);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_union_discriminator') message = `unknown kind (expected ${issue.options.map((o) => `'${String(o)}'`).join(', ')})`;
  if (issue.code === 'invalid_enum_value') message = `'${String(issue.received)}' is not one of ${issue.options.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') message = 'is required';
  if (issue.code === 'invalid_type' && issue.received === 'string' && issue.expected === 'number') {
    message = "must be a number of seconds (wrap the scenario in scenario() from dsl.ts to write '30s')";
  }
  const field = rest.join('.');
  const text = field ? `${field}: ${message}` : message;
  return where.length ? `${where.join(', ')}: ${text}` : text;
}

/** Problems that need the whole scenario: unique names, the default profile, declared feeders. */
function crossChecks(sc: Scenario): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const j of sc.journeys) {
    if (seen.has(j.name)) out.push(`journey '${j.name}': two journeys have this name`);
    seen.add(j.name);
    const steps = new Map<string, unknown>();
    j.items.forEach((item, i) => {
      if (!('step' in item)) return;
      const prev = steps.get(item.step.name);
      // The same step object may repeat (a clerk's several searches); two different steps may not share a name.
      if (prev !== undefined && prev !== item.step) {
        out.push(`journey '${j.name}', item ${i + 1} (step '${item.step.name}'): another step in this journey has the same name (metrics would mix them; rename one)`);
      }
      steps.set(item.step.name, item.step);
      for (const f of (item.step as { feeds?: string[] }).feeds ?? []) {
        if (!sc.feeders?.[f]) out.push(`journey '${j.name}', item ${i + 1} (step '${item.step.name}'): reads feeder '${f}', which the scenario does not declare in feeders`);
      }
    });
    if (!j.items.some((it) => 'step' in it)) out.push(`journey '${j.name}': has think times but no step`);
  }
  if (!sc.profiles[sc.defaultProfile]) out.push(`defaultProfile '${sc.defaultProfile}' is not among the profiles (${Object.keys(sc.profiles).join(', ')})`);
  return out;
}

/** Every problem in a would-be scenario, each naming where it is; empty when it is valid. */
export function scenarioProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return ['the default export is not a scenario object (use export default scenario({...}))'];
  const r = scenarioSchema.safeParse(value);
  if (!r.success) return [...new Set(r.error.issues.map((i) => describe(value, i)))];
  return crossChecks(value as Scenario);
}

export const SCENARIO_HINT = "A scenario file default-exports scenario({...}) from src/scenario/dsl.ts; see scenarios/smoke.ts for a small one.";

/** The scenario, or a UsageError listing every problem, each prefixed with `file`. */
export function validateScenario(value: unknown, file: string): Scenario {
  const problems = scenarioProblems(value);
  if (problems.length) throw new UsageError(problems.map((p) => `${file}: ${p}`).join('\n'), SCENARIO_HINT);
  return value as Scenario;
}
