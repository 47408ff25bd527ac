import type * as hdr from 'hdr-histogram-js';
import { failedOf, type Summary, type TimelineLine } from '../core/run.ts';
import { decodeHistogram, newHistogram, statsMs } from '../core/histogram.ts';
import type { ReplicaSplit, StepRow, TimelineSeries } from './data.ts';
import { secondRange } from './resources.ts';

type StepLine = Extract<TimelineLine, { type: 'step' }>;
type RunLine = Extract<TimelineLine, { type: 'run' }>;

/** Adds an encoded histogram into `into`; an empty string is a second that recorded nothing. */
function addEncoded(into: hdr.Histogram, encoded: string): void {
  if (!encoded) return;
  into.add(decodeHistogram(encoded));
}


/**
 * Per second: requests, errors, VUs, and latency percentiles of all steps together, merged from each second's
 * HDR histograms (percentiles do not average, so the histograms are added, never the p95s).
 */
export function timelineSeries(lines: TimelineLine[]): TimelineSeries {
  const steps = lines.filter((l): l is StepLine => l.type === 'step');
  const runs = lines.filter((l): l is RunLine => l.type === 'run');
  const t = secondRange([...steps, ...runs]);
  const first = t[0] ?? 0;
  const at = (s: number) => s - first;
  const requests = t.map(() => 0);
  const errors = t.map(() => 0);
  const vus: (number | null)[] = t.map(() => null);
  const hist = new Map<number, hdr.Histogram>();
  for (const l of steps) {
    requests[at(l.t)]! += l.count;
    errors[at(l.t)]! += failedOf(l);
    if (!l.latency) continue;
    let h = hist.get(l.t);
    if (!h) hist.set(l.t, (h = newHistogram()));
    addEncoded(h, l.latency);
  }
  // A second can have a second run line from a late sample, saying 0 VUs: keep the larger.
  for (const l of runs) vus[at(l.t)] = Math.max(vus[at(l.t)] ?? 0, l.vus);
  const pct = (p: 'p50' | 'p95' | 'p99') =>
    t.map((s) => {
      const h = hist.get(s);
      return h && h.totalCount > 0 ? statsMs(h)[p] : null;
    });
  return { t, requests, errors, vus, p50: pct('p50'), p95: pct('p95'), p99: pct('p99') };
}

/** The per-step table: from summary.json when the run wrote one, else merged from the timeline (an interrupted run). */
export function stepRows(summary: Summary | null, lines: TimelineLine[]): StepRow[] {
  if (summary) {
    return Object.entries(summary.steps).map(([step, s]) => ({
      step,
      count: s.count,
      ratePerSecond: s.ratePerSecond,
      failed: s.failed,
      p50: s.latencyMs.p50,
      p95: s.latencyMs.p95,
      p99: s.latencyMs.p99,
      max: s.latencyMs.max,
      serviceP95: s.serviceMs.p95,
    }));
  }
  const byStep = new Map<string, { count: number; failed: number; latency: hdr.Histogram; service: hdr.Histogram; t: Set<number> }>();
  for (const l of lines) {
    if (l.type !== 'step') continue;
    let s = byStep.get(l.step);
    if (!s) byStep.set(l.step, (s = { count: 0, failed: 0, latency: newHistogram(), service: newHistogram(), t: new Set() }));
    s.count += l.count;
    s.failed += failedOf(l);
    s.t.add(l.t);
    addEncoded(s.latency, l.latency);
    addEncoded(s.service, l.service);
  }
  const seconds = new Set(lines.filter((l) => l.type !== 'event').map((l) => l.t)).size || 1;
  return [...byStep].map(([step, s]) => {
    const lat = statsMs(s.latency);
    return { step, count: s.count, ratePerSecond: s.count / seconds, failed: s.failed, p50: lat.p50, p95: lat.p95, p99: lat.p99, max: lat.max, serviceP95: statsMs(s.service).p95 };
  });
}

/** Requests per replica and step, over the whole run. */
export function replicaSplit(lines: TimelineLine[]): ReplicaSplit {
  const counts = new Map<string, Map<string, number>>();
  const replicas = new Set<string>();
  for (const l of lines) {
    if (l.type !== 'step') continue;
    let row = counts.get(l.step);
    if (!row) counts.set(l.step, (row = new Map()));
    for (const [r, n] of Object.entries(l.replicas)) {
      replicas.add(r);
      row.set(r, (row.get(r) ?? 0) + n);
    }
  }
  const names = [...replicas].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return { replicas: names, byStep: [...counts].filter(([, row]) => row.size > 0).map(([step, row]) => ({ step, counts: names.map((r) => row.get(r) ?? 0) })) };
}
