/**
 * Per-window samples of a run, the unit the gate compares. Pure.
 *
 * Why windows and not requests: requests within a second are not independent (they share a GC pause, a slow
 * disk flush, a throttled CPU), so a test on individual requests would be wildly over-confident. Windows of
 * ten seconds are close to independent and a nightly ten-minute run still yields ~60 of them.
 */
import type * as hdr from 'hdr-histogram-js';
import { failedOf, type StepWindow, type TimelineLine } from '../core/run.ts';
import { decodeHistogram, newHistogram } from '../core/histogram.ts';

/** Which way is bad for a metric: latency and errors must not rise, throughput must not fall. */
export const METRICS = {
  'latency-p50': { worse: 'higher', unit: 'ms' },
  'latency-p95': { worse: 'higher', unit: 'ms' },
  'latency-p99': { worse: 'higher', unit: 'ms' },
  throughput: { worse: 'lower', unit: 'req/s' },
  'error-rate': { worse: 'higher', unit: '%' },
} as const;
export type MetricName = keyof typeof METRICS;

export const OVERALL = 'all';

export interface WindowOptions {
  windowSeconds: number;
  skipSeconds: number;
  /** Seconds in which the machine ran slow: a window touching one is left out. */
  slowSeconds?: ReadonlySet<number>;
  /** Seconds the run lasted as planned: a last, partial window is left out. */
  lastSecond?: number;
}

export interface RunSamples {
  samples: Record<string, number[]>;
  windows: number;
  slowWindows: number;
}

interface Window {
  count: number;
  failed: number;
  latency: hdr.Histogram;
}

const checkName = (metric: MetricName, step: string) => `${metric}:${step}`;

/** Per-window p50/p95 latency, throughput and error rate of each step and of all steps together (p99 too). */
export function runSamples(timeline: readonly TimelineLine[], o: WindowOptions): RunSamples {
  const steps = timeline.filter((l): l is StepWindow => l.type === 'step');
  const last = o.lastSecond ?? Math.max(-1, ...steps.map((l) => l.t)) + 1;
  const first = o.skipSeconds;
  const count = Math.floor((last - first) / o.windowSeconds);
  const names = [...new Set(steps.map((l) => l.step))].sort();
  const cells = new Map<string, Window[]>();
  for (const name of [...names, OVERALL]) {
    cells.set(name, Array.from({ length: Math.max(0, count) }, () => ({ count: 0, failed: 0, latency: newHistogram() })));
  }
  for (const l of steps) {
    const w = Math.floor((l.t - first) / o.windowSeconds);
    if (l.t < first || w >= count) continue;
    const h = decodeHistogram(l.latency);
    const failed = failedOf(l);
    for (const name of [l.step, OVERALL]) {
      const cell = cells.get(name)![w]!;
      cell.count += l.count;
      cell.failed += failed;
      cell.latency.add(h);
    }
    h.destroy();
  }
  const slow = new Set<number>();
  if (o.slowSeconds) {
    for (const t of o.slowSeconds) {
      const w = Math.floor((t - first) / o.windowSeconds);
      if (t >= first && w < count) slow.add(w);
    }
  }
  const samples: Record<string, number[]> = {};
  const push = (name: string, v: number) => (samples[name] ??= []).push(v);
  for (const [step, windows] of cells) {
    windows.forEach((c, i) => {
      if (!slow.has(i)) {
        const ms = (p: number) => (c.count > 0 ? c.latency.getValueAtPercentile(p) / 1000 : NaN);
        push(checkName('latency-p50', step), ms(50));
        push(checkName('latency-p95', step), ms(95));
        if (step === OVERALL) push(checkName('latency-p99', step), ms(99));
        push(checkName('throughput', step), c.count / o.windowSeconds);
        push(checkName('error-rate', step), c.count > 0 ? (100 * c.failed) / c.count : NaN);
      }
      c.latency.destroy();
    });
  }
  return { samples, windows: Math.max(0, count) - slow.size, slowWindows: slow.size };
}

/** `latency-p95:searchPatient` → its metric and step; null for names the gate does not know. */
export function parseCheck(name: string): { metric: MetricName; step: string } | null {
  const i = name.indexOf(':');
  const metric = name.slice(0, i) as MetricName;
  return i > 0 && metric in METRICS ? { metric, step: name.slice(i + 1) } : null;
}
