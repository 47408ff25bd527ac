import { failedOf, type RunMeta, type TimelineLine } from '../core/run.ts';
import type { UslPoint } from './usl.ts';

/**
 * Measured (N, X) points for the Universal Scalability Law, from run directories. N is either the
 * concurrency a closed model held steady (`users`) or the replica count of a run (`replicas`).
 */

export type UslAxis = 'users' | 'replicas';

/** What this needs of a run directory (a subset of `RunFiles`). */
export interface UslRun {
  meta: RunMeta;
  timeline: readonly TimelineLine[];
}

export interface MeasuredPoint {
  /** Concurrency: active VUs, or replicas. */
  n: number;
  /** Requests completed without error, per second. */
  throughput: number;
  run: string;
  /** First and last second (run clock) that X was measured over. */
  from: number;
  to: number;
}

export interface UslPoints {
  axis: UslAxis;
  points: MeasuredPoint[];
  warnings: string[];
}

export interface PlateauOptions {
  /** Seconds a level must be held, after the transient, to count. */
  minSeconds?: number;
  /** Seconds skipped at the start of each level while the queues settle. */
  transientSeconds?: number;
}

export const PLATEAU_DEFAULTS = { minSeconds: 10, transientSeconds: 5 };
export const PEAK_WINDOW_SECONDS = 30;

/** A failing request that returns fast would inflate X exactly when the system is overloaded. */
const ERROR_SHARE_WARNING = 0.01;

interface Second {
  t: number;
  vus: number;
  ok: number;
  failed: number;
}

/**
 * One entry per second from the first to the last line, gaps included (a second without lines had no
 * completions). Late samples can give a second two lines; they are merged: counts add, VUs take the max.
 */
export function perSecond(timeline: readonly TimelineLine[]): Second[] {
  const byT = new Map<number, Second>();
  const at = (t: number) => {
    let s = byT.get(t);
    if (!s) byT.set(t, (s = { t, vus: 0, ok: 0, failed: 0 }));
    return s;
  };
  for (const line of timeline) {
    if (line.type === 'run') at(line.t).vus = Math.max(at(line.t).vus, line.vus);
    if (line.type === 'step') {
      const failed = failedOf(line);
      at(line.t).ok += line.count - failed;
      at(line.t).failed += failed;
    }
  }
  if (byT.size === 0) return [];
  const ts = [...byT.keys()];
  const [first, last] = [Math.min(...ts), Math.max(...ts)];
  return Array.from({ length: last - first + 1 }, (_, i) => byT.get(first + i) ?? { t: first + i, vus: 0, ok: 0, failed: 0 });
}

const isArrivalRate = (meta: RunMeta) => /arrival-rate/.test(String(meta.load.executor ?? ''));

/** Runs of different workloads do not lie on one curve. */
function sameScenario(runs: readonly UslRun[]): string[] {
  const names = [...new Set(runs.map((r) => r.meta.scenario.name))];
  return names.length > 1 ? [`the runs are of different scenarios (${names.join(', ')}); their points may not lie on one curve`] : [];
}

export function replicasOf(meta: RunMeta): number {
  const r = meta.topology?.spec.replicas;
  return typeof r === 'number' && r >= 1 ? r : 1;
}

/** Replicas when the runs differ in replica count (a scale-out series), users otherwise. */
export function defaultAxis(runs: readonly UslRun[]): UslAxis {
  return new Set(runs.map((r) => replicasOf(r.meta))).size > 1 ? 'replicas' : 'users';
}

/**
 * `users`: one point per steady plateau of active VUs. VUs are sampled about once a second, so a second
 * with completions but no sample keeps the level before it (completions need active VUs). The last second
 * of a level is dropped as well: the level changes somewhere inside it.
 */
export function plateauPoints(runs: readonly UslRun[], options: PlateauOptions = {}): UslPoints {
  const { minSeconds, transientSeconds } = { ...PLATEAU_DEFAULTS, ...options };
  const points: MeasuredPoint[] = [];
  const warnings = sameScenario(runs);
  const topologies = new Set(runs.map((r) => r.meta.topology?.description ?? 'unknown'));
  if (topologies.size > 1) warnings.push(`the runs are of different topologies (${[...topologies].join('; ')}); by users assumes one`);

  for (const { meta, timeline } of runs) {
    if (isArrivalRate(meta)) {
      warnings.push(`${meta.id} used ${String(meta.load.executor)}: its active VUs are an outcome of the arrival rate and the response time, not an input; prefer constant-vus or ramping-vus runs`);
    }
    const seconds = perSecond(timeline);
    let level = 0;
    const levels = seconds.map((s) => (level = s.vus === 0 && s.ok + s.failed > 0 ? level : s.vus));
    let start = 0;
    for (let i = 1; i <= seconds.length; i++) {
      if (i < seconds.length && levels[i] === levels[start]) continue;
      const n = levels[start]!;
      const held = seconds.slice(start + transientSeconds, i - 1);
      start = i;
      if (n <= 0 || held.length < minSeconds) continue;
      const ok = held.reduce((a, s) => a + s.ok, 0);
      const failed = held.reduce((a, s) => a + s.failed, 0);
      points.push({ n, throughput: ok / held.length, run: meta.id, from: held[0]!.t, to: held[held.length - 1]!.t });
      if (failed > ERROR_SHARE_WARNING * (ok + failed)) {
        warnings.push(`${meta.id}, ${n} users: ${((100 * failed) / (ok + failed)).toFixed(1)}% of requests failed; they are left out of X`);
      }
    }
  }
  if (runs.length > 0 && points.length === 0) {
    warnings.push(`no level of active VUs was held for ${transientSeconds + minSeconds + 1} s or more (${transientSeconds} s settling, ${minSeconds} s measured, 1 s change-over)`);
  }
  return { axis: 'users', points, warnings };
}

/** The best `window`-second moving average of requests completed without error, and where it lies. */
export function peakThroughput(seconds: readonly Second[], window: number): { throughput: number; from: number; to: number } | null {
  if (seconds.length === 0) return null;
  const w = Math.min(window, seconds.length);
  let sum = seconds.slice(0, w).reduce((a, s) => a + s.ok, 0);
  let best = { sum, end: w - 1 };
  for (let i = w; i < seconds.length; i++) {
    sum += seconds[i]!.ok - seconds[i - w]!.ok;
    if (sum > best.sum) best = { sum, end: i };
  }
  return { throughput: best.sum / w, from: seconds[best.end - w + 1]!.t, to: seconds[best.end]!.t };
}

/** `replicas`: one point per run, N its replica count and X its peak sustained throughput. */
export function replicaPoints(runs: readonly UslRun[], window = PEAK_WINDOW_SECONDS): UslPoints {
  const points: MeasuredPoint[] = [];
  const warnings = sameScenario(runs);
  for (const { meta, timeline } of runs) {
    if (!meta.topology) warnings.push(`${meta.id} records no topology (a remote target); counted as 1 replica`);
    const seconds = perSecond(timeline);
    const peak = peakThroughput(seconds, window);
    if (!peak || peak.throughput <= 0) {
      warnings.push(`${meta.id} completed no requests; left out`);
      continue;
    }
    if (seconds.length < window) warnings.push(`${meta.id} lasted ${seconds.length} s, under the ${window} s window: its X is the whole run's average`);
    points.push({ n: replicasOf(meta), ...peak, run: meta.id });
  }
  return { axis: 'replicas', points, warnings };
}

export function toUslPoints(points: readonly MeasuredPoint[]): UslPoint[] {
  return points.map((p) => ({ users: p.n, throughput: p.throughput }));
}
