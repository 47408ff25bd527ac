import type * as hdr from 'hdr-histogram-js';
import type { ThresholdResult } from '../core/run.ts';
import { UsageError } from '../core/errors.ts';
import { newHistogram } from './histogram.ts';
import type { Recorder } from './recorder.ts';

/**
 * k6 thresholds: `{'http_req_duration{step:searchPatient}': ['p(95)<500'], http_req_failed: ['rate<0.01']}`.
 * Metrics: http_req_duration (ms from the intended start — the honest latency of an open model),
 * http_req_service (ms from sending), http_req_failed and checks (rates), http_reqs and iterations
 * (count, rate), iteration_duration (ms), dropped_iterations (count). Tags: step.
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
    const [k, v] = part.split(':').map((x) => x.trim());
    if (!k || !v) throw new UsageError(`threshold '${key}': tag '${part}' is not name:value`);
    if (k !== 'step') throw new UsageError(`threshold '${key}': tag '${k}' is not supported (use step:NAME)`);
    tags[k] = v;
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

function trendValue(h: hdr.Histogram, t: Threshold): number | null {
  if (h.totalCount === 0) return null;
  const us =
    t.aggregation === 'avg' ? h.mean
    : t.aggregation === 'min' ? h.minNonZeroValue
    : t.aggregation === 'max' ? h.maxValue
    : t.aggregation === 'med' ? h.getValueAtPercentile(50)
    : h.getValueAtPercentile(t.percentile!);
  return us / 1000;
}

/** The value a threshold compares, from the recorded run; null when there is nothing to measure. */
export function measure(t: Threshold, rec: Recorder, seconds: number): number | null {
  const steps = [...rec.steps].filter(([name]) => !t.tags.step || name === t.tags.step).map(([, a]) => a);
  const perSecond = (n: number) => (seconds > 0 ? n / seconds : 0);
  switch (t.metric) {
    case 'http_req_duration':
    case 'http_req_service': {
      const merged = newHistogram();
      for (const a of steps) merged.add(t.metric === 'http_req_duration' ? a.latency : a.service);
      const v = trendValue(merged, t);
      merged.destroy();
      return v;
    }
    case 'iteration_duration':
      return trendValue(rec.iterationDurations, t);
    case 'http_req_failed': {
      const count = steps.reduce((n, a) => n + a.count, 0);
      return count ? steps.reduce((n, a) => n + a.failed, 0) / count : null;
    }
    case 'checks': {
      const { checksPassed: p, checksFailed: f } = rec.totals;
      return p + f ? p / (p + f) : null;
    }
    case 'http_reqs': {
      const count = steps.reduce((n, a) => n + a.count, 0);
      return t.aggregation === 'count' ? count : perSecond(count);
    }
    case 'iterations':
      return t.aggregation === 'count' ? rec.totals.iterations : perSecond(rec.totals.iterations);
    case 'dropped_iterations':
      return t.aggregation === 'count' ? rec.totals.dropped : perSecond(rec.totals.dropped);
  }
  return null;
}

const compare = (a: number, op: Threshold['op'], b: number) =>
  op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : op === '>=' ? a >= b : op === '==' ? a === b : a !== b;

/** As k6: a threshold with nothing to measure passes (there was no such traffic to fail it). */
export function evaluate(thresholds: Threshold[], rec: Recorder, seconds: number): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = measure(t, rec, seconds);
    return { metric: t.key, expression: t.expression, ok: actual === null || compare(actual, t.op, t.value), actual, abortOnFail: t.abortOnFail };
  });
}
