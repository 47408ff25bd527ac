import type { ThresholdResult } from '../core/run.ts';
import { newHistogram } from '../core/histogram.ts';
import { compare, trendValue, type Threshold } from '../core/thresholds.ts';
import type { Recorder } from './recorder.ts';

export { parseThreshold, parseThresholds, type Threshold } from '../core/thresholds.ts';

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

/** As k6: a threshold with nothing to measure passes (there was no such traffic to fail it). */
export function evaluate(thresholds: Threshold[], rec: Recorder, seconds: number): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = measure(t, rec, seconds);
    return { metric: t.key, expression: t.expression, ok: actual === null || compare(actual, t.op, t.value), actual, abortOnFail: t.abortOnFail };
  });
}
