/**
 * Checks on the current run alone: k6-syntax thresholds measured from the timeline (so they hold for imported
 * k6 runs too), and infrastructure limits from the probes' samples and the summary. Pure.
 */
import type { GateConfig } from '../core/gate.ts';
import type { DbLine, ProcessLine, ResourceLine } from '../core/resources.ts';
import { failedOf, type RunWindow, type StepWindow, type Summary, type TimelineLine } from '../core/run.ts';
import { decodeHistogram, newHistogram } from '../core/histogram.ts';
import { compare, trendValue, type Threshold } from '../core/thresholds.ts';
import type { VerdictRow } from './verdict.ts';

/** The value a threshold compares, from the run's files; null when the run has no such traffic. */
export function measureThreshold(t: Threshold, timeline: readonly TimelineLine[], summary: Summary | null): number | null {
  const steps = timeline.filter((l): l is StepWindow => l.type === 'step' && (!t.tags.step || l.step === t.tags.step));
  const runs = timeline.filter((l): l is RunWindow => l.type === 'run');
  const seconds = summary?.durationSeconds ?? runs.length;
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  const count = sum(steps, (l) => l.count);
  const per = (n: number) => (t.aggregation === 'count' ? n : seconds > 0 ? n / seconds : 0);
  switch (t.metric) {
    case 'http_req_duration':
    case 'http_req_service': {
      const h = newHistogram();
      for (const l of steps) {
        const w = decodeHistogram(t.metric === 'http_req_duration' ? l.latency : l.service);
        h.add(w);
        w.destroy();
      }
      const ms = trendValue(h, t);
      h.destroy();
      return ms;
    }
    case 'iteration_duration': {
      const d = summary?.iterations.durationMs;
      if (!d || !summary?.iterations.count) return null;
      const byP: Record<number, number> = { 50: d.p50, 90: d.p90, 95: d.p95, 99: d.p99 };
      const v = t.aggregation === 'avg' ? d.mean : t.aggregation === 'min' ? d.min : t.aggregation === 'max' ? d.max : t.aggregation === 'med' ? d.p50 : byP[t.percentile!];
      return v ?? null;
    }
    case 'http_req_failed':
      return count ? sum(steps, failedOf) / count : null;
    case 'checks': {
      const p = sum(runs, (r) => r.checksPassed);
      const f = sum(runs, (r) => r.checksFailed);
      return p + f ? p / (p + f) : null;
    }
    case 'http_reqs':
      return per(count);
    case 'iterations':
      return per(sum(runs, (r) => r.iterations));
    case 'dropped_iterations':
      return per(sum(runs, (r) => r.dropped));
  }
  return null;
}

export function thresholdRows(thresholds: readonly Threshold[], timeline: readonly TimelineLine[], summary: Summary | null): VerdictRow[] {
  return thresholds.map((t) => {
    const actual = measureThreshold(t, timeline, summary);
    // As k6: a threshold with nothing to measure passes (there was no such traffic to fail it).
    const ok = actual === null || compare(actual, t.op, t.value);
    const row: VerdictRow = {
      check: `threshold:${t.key}:${t.expression}`, metric: `${t.key} ${t.expression}`, baseline: t.value, current: actual ?? NaN,
      change: NaN, p: null, status: ok ? 'pass' : 'regression', kind: 'threshold',
      reason: actual === null ? 'no such traffic in the run' : `measured ${round(actual)}`,
    };
    if (t.tags.step) row.step = t.tags.step;
    return row;
  });
}

/** Without --thresholds the scenario's own thresholds, as the run evaluated them, take part. */
export function scenarioThresholdRows(summary: Summary | null): VerdictRow[] {
  return (summary?.thresholds ?? []).map((t) => ({
    check: `threshold:${t.metric}:${t.expression}`, metric: `${t.metric} ${t.expression}`, baseline: NaN, current: t.actual ?? NaN,
    change: NaN, p: null, status: t.ok ? 'pass' : 'regression', kind: 'threshold', reason: t.actual === null ? 'no such traffic in the run' : `measured ${t.actual}`,
  }));
}

const round = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));
const DB_PROCESS_KINDS = new Set(['mariadb', 'reader', 'galera']);

function limitRow(check: string, metric: string, limit: number, actual: number, why: string): VerdictRow {
  return { check, metric, baseline: limit, current: actual, change: NaN, p: null, status: actual <= limit ? 'pass' : 'regression', kind: 'infrastructure', reason: why };
}

/** Errors, dropped iterations, lost writes, and the database's CPU, threads, flow control and reader lag. */
export function infrastructureRows(
  limits: GateConfig['infrastructure'], summary: Summary | null, resources: readonly ResourceLine[], hostCpus: number,
): VerdictRow[] {
  const rows: VerdictRow[] = [];
  const none = (check: string, metric: string, reason: string): VerdictRow =>
    ({ check, metric, baseline: NaN, current: NaN, change: NaN, p: null, status: 'insufficient-data', kind: 'infrastructure', reason });
  if (summary) {
    const { count, failed } = summary.requests;
    rows.push(limitRow('infra:error-rate', 'failed requests (fraction)', limits.errorRate, count ? failed / count : 0, `${failed} of ${count} requests failed`));
    const { count: it, dropped } = summary.iterations;
    rows.push(limitRow('infra:dropped-iterations', 'dropped iterations (fraction)', limits.droppedRate, it + dropped ? dropped / (it + dropped) : 0, `${dropped} dropped of ${it + dropped}`));
    const l = summary.ledger;
    rows.push(l ? limitRow('infra:lost-writes', 'acknowledged writes lost', 0, l.lost, `${l.acknowledged} acknowledged, ${l.found} found, ${l.lost} lost, ${l.unknown} undecided`)
      : none('infra:lost-writes', 'acknowledged writes lost', 'the run has no durability audit'));
  } else {
    rows.push(none('infra:summary', 'run summary', 'the run has no summary.json (it was cut before its first one)'));
  }
  const cores = limits.dbCpuCores ?? 0.8 * hostCpus;
  const procs = resources.filter((r): r is ProcessLine => r.type === 'process' && DB_PROCESS_KINDS.has(r.role) && r.alive);
  for (const [name, lines] of group(procs, (p) => p.name)) {
    const longest = longestRun(lines, (p) => p.seconds > 0 && p.cpuSeconds / p.seconds > cores);
    rows.push(limitRow(`infra:db-cpu:${name}`, `seconds in a row above ${round(cores)} cores`, limits.sustainedSeconds, longest, `busiest stretch ${longest} s`));
  }
  const db = resources.filter((r): r is DbLine => r.type === 'db' && r.up);
  for (const [node, lines] of group(db, (d) => d.node)) {
    const running = lines.map((d) => d.status.Threads_running).filter((x): x is number => x !== undefined);
    if (running.length) rows.push(limitRow(`infra:threads-running:${node}`, 'mean Threads_running', limits.threadsRunning, mean(running), `max ${Math.max(...running)}`));
    const fc = lines.flatMap((d) => (d.wsrep ? [d.wsrep.flowControlPaused] : []));
    if (fc.length) rows.push(limitRow(`infra:flow-control:${node}`, 'fraction paused by flow control', limits.flowControlPaused, mean(fc), `max in a second ${round(Math.max(...fc))}`));
    const lag = lines.flatMap((d) => (typeof d.readerLagSeconds === 'number' ? [d.readerLagSeconds] : []));
    if (lag.length) rows.push(limitRow(`infra:reader-lag:${node}`, 'max reader lag (s)', limits.readerLagSeconds, Math.max(...lag), `mean ${round(mean(lag))} s`));
  }
  return rows;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function group<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** Longest stretch of consecutive samples (seconds) for which `hot` holds. */
function longestRun<T extends { t: number }>(lines: readonly T[], hot: (x: T) => boolean): number {
  let best = 0;
  let cur = 0;
  let prevT = -2;
  for (const l of [...lines].sort((a, b) => a.t - b.t)) {
    cur = hot(l) ? (l.t === prevT + 1 ? cur + 1 : 1) : 0;
    prevT = l.t;
    best = Math.max(best, cur);
  }
  return best;
}
