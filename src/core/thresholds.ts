import type * as hdr from 'hdr-histogram-js';
import { UsageError } from './errors.ts';
import { meanUs } from './histogram.ts';

/**
 * k6 thresholds: `{'http_req_duration{step:searchPatient}': ['p(95)<500'], http_req_failed: ['rate<0.01']}`.
 * Metrics: http_req_duration (ms from the intended start — the honest latency of an open model),
 * http_req_service (ms from sending), http_req_failed and checks (rates), http_reqs and iterations
 * (count, rate), iteration_duration (ms), dropped_iterations (count). Tags: step (or k6's name, an alias).
 */
export interface Threshold {
  metric: string;
  tags: Record<string, string>;
  aggregation: string;
  percentile?: number;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  value: number;
  expression: string;
  key: string;
  abortOnFail: boolean;
}

const METRICS: Record<string, string[]> = {
  http_req_duration: ['avg', 'min', 'max', 'med', 'p'],
  http_req_service: ['avg', 'min', 'max', 'med', 'p'],
  iteration_duration: ['avg', 'min', 'max', 'med', 'p'],
  http_req_failed: ['rate'],
  checks: ['rate'],
  http_reqs: ['count', 'rate'],
  iterations: ['count', 'rate'],
  dropped_iterations: ['count', 'rate'],
};

export function parseThreshold(key: string, spec: string | { threshold: string; abortOnFail?: boolean }): Threshold {
  const expression = typeof spec === 'string' ? spec : spec.threshold;
  const km = /^([a-z_]+)(?:\{([^}]*)\})?$/.exec(key.trim());
  if (!km) throw new UsageError(`threshold '${key}': expected metric or metric{tag:value}`);
  const metric = km[1]!;
  const allowed = METRICS[metric];
  if (!allowed) throw new UsageError(`threshold '${key}': unknown metric '${metric}'`, `known: ${Object.keys(METRICS).join(', ')}`);
  const tags: Record<string, string> = {};
  for (const part of (km[2] ?? '').split(',').filter((p) => p.trim())) {
    // Split at the first colon only: k6 names default to URLs (name:http://host/path).
    const colon = part.indexOf(':');
    const [k, v] = colon < 0 ? [part.trim(), ''] : [part.slice(0, colon).trim(), part.slice(colon + 1).trim()];
    if (!k || !v) throw new UsageError(`threshold '${key}': tag '${part}' is not name:value`);
    // k6 scripts tag requests with `name`; loadlab keys steps by that name, so name:X is step:X.
    if (k !== 'step' && k !== 'name') throw new UsageError(`threshold '${key}': tag '${k}' is not supported (use step:NAME or name:NAME)`);
    tags.step = v;
  }
  const em = /^\s*(avg|min|max|med|count|rate|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
  if (!em) throw new UsageError(`threshold '${key}': '${expression}' is not AGGREGATION OP NUMBER`, "e.g. 'p(95)<500' or 'rate<0.01'");
  const aggregation = em[2] ? 'p' : em[1]!;
  if (!allowed.includes(aggregation)) {
    throw new UsageError(`threshold '${key}': ${metric} has no '${em[1]}' (it has ${allowed.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')})`);
  }
  return {
    metric, tags, aggregation, percentile: em[2] ? Number(em[2]) : undefined, op: em[3] as Threshold['op'], value: Number(em[4]),
    expression: expression.trim(), key, abortOnFail: typeof spec === 'object' && !!spec.abortOnFail,
  };
}

export function parseThresholds(all: Record<string, (string | { threshold: string; abortOnFail?: boolean })[]> = {}): Threshold[] {
  return Object.entries(all).flatMap(([key, list]) => list.map((s) => parseThreshold(key, s)));
}

/** A trend aggregation (avg, min, max, med, p(N)) of a µs histogram, in ms; null when it is empty. */
export function trendValue(h: hdr.Histogram, t: Threshold): number | null {
  if (h.totalCount === 0) return null;
  const us =
    t.aggregation === 'avg' ? meanUs(h)
    : t.aggregation === 'min' ? h.minNonZeroValue
    : t.aggregation === 'max' ? h.maxValue
    : t.aggregation === 'med' ? h.getValueAtPercentile(50)
    : h.getValueAtPercentile(t.percentile!);
  return us / 1000;
}

/** Applies a threshold's operator. */
export const compare = (a: number, op: Threshold['op'], b: number) =>
  op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : op === '>=' ? a >= b : op === '==' ? a === b : a !== b;
