/**
 * The nightly history: where its current regime begins (change-point detection) and how far a new run stands
 * from that regime's run-to-run scatter. Pure.
 *
 * Why both: comparing tonight's windows with the pooled windows of past nights is very sensitive, but nights
 * differ from each other (another tenant on the CI host, a different runner), so a window test alone fails on
 * an ordinary bad night. The run-level robust z asks the question the history can answer — is tonight outside
 * what nights usually look like? — and change-point detection keeps an accepted step change (a feature that
 * legitimately costs 10%) from failing every night after it, and keeps old regimes out of the baseline.
 */
import { median } from './stats.ts';

export interface ChangePointOptions {
  /** Fewest runs on each side of a change (Chromium uses 6, Perfherder 12). */
  minSegment?: number;
  /** Welch t a split must reach (Perfherder alerts at t > 7 over 12 runs; 5 suits shorter windows). */
  minT?: number;
  /** Smallest relative change of the segment means that counts as a change. */
  minEffect?: number;
  /** Runs compared on each side of a candidate (Perfherder: 12). */
  window?: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[], m: number) => xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1);

/** Welch's t of b against a (positive when b is larger); ±Infinity when both segments are constant and differ. */
export function welchT(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  const se = Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length);
  if (se === 0) return mb === ma ? 0 : mb > ma ? Infinity : -Infinity;
  return (mb - ma) / se;
}

/**
 * Indices where the series changes level, Perfherder's way: at each index, Welch's t between the runs just
 * before it and just after it (as many on each side, up to `window`); the peaks that pass both the t and the magnitude
 * rule, strongest first, at least `minSegment` apart. Local windows keep one change from hiding another, which
 * splitting the whole series in two does when a level goes up and comes back.
 */
export function changePoints(series: readonly number[], options: ChangePointOptions = {}): number[] {
  const { minSegment = 5, minT = 5, minEffect = 0.05, window = 12 } = options;
  const candidates: { k: number; t: number }[] = [];
  for (let k = minSegment; k <= series.length - minSegment; k++) {
    // Symmetric windows: a longer side would reach into the next regime and pull the peak off the change.
    const w = Math.min(window, k, series.length - k);
    const before = series.slice(k - w, k);
    const after = series.slice(k, k + w);
    const t = Math.abs(welchT(before, after));
    const mb = mean(before);
    if (t >= minT && (mb === 0 || Math.abs(mean(after) / mb - 1) >= minEffect)) candidates.push({ k, t });
  }
  const chosen: number[] = [];
  for (const c of candidates.sort((a, b) => b.t - a.t || a.k - b.k)) {
    if (chosen.every((k) => Math.abs(k - c.k) >= minSegment)) chosen.push(c.k);
  }
  return chosen.sort((a, b) => a - b);
}

export interface Standing {
  /** Robust z of the current run's value against the baseline runs (> 0 is worse); null with too few runs. */
  z: number | null;
}

/** Fewer runs than this give no usable scatter; the window test and the magnitude still decide. */
export const MIN_RUNS_FOR_Z = 5;

/**
 * How far `current` stands from the median of the current regime, in units of the nights' own scatter. The
 * scatter comes from every regime (each night's deviation from its regime's median): a regime that began two
 * nights ago still has a σ to be judged by, and a step change does not inflate σ.
 */
export function standing(series: readonly number[], regimeFrom: number, current: number, worse: 'higher' | 'lower', cuts: readonly number[] = []): Standing {
  const finite = series.every(Number.isFinite);
  if (!finite || series.length < MIN_RUNS_FOR_Z || !Number.isFinite(current)) return { z: null };
  const bounds = [0, ...cuts, series.length];
  const residuals: number[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const seg = series.slice(bounds[i], bounds[i + 1]);
    const m = median(seg);
    for (const x of seg) residuals.push(x - m);
  }
  const sigma = 1.4826 * median(residuals.map(Math.abs));
  const d = (current - median(series.slice(regimeFrom))) * (worse === 'higher' ? 1 : -1);
  return { z: sigma > 0 ? d / sigma : d > 0 ? Infinity : d < 0 ? -Infinity : 0 };
}
