/**
 * Statistics for the performance gate. Pure functions, no I/O.
 *
 * Why Mann–Whitney U on per-window samples: per-second p95s and throughputs are skewed and carry outliers
 * (a GC pause, a noisy neighbour on a shared CI runner), so a rank test is robust where a t-test is not, and it
 * needs no distributional assumption. Significance alone is not enough — with many windows a 1% drift becomes
 * "significant" — so `shifted` also demands a minimum relative change of the medians (the common ground of
 * Perfherder, Chromium and Otava: significance AND magnitude).
 */

export interface MannWhitney {
  /** U of sample a: pairs (x in a, y in b) with x > y, ties counting one half. Ranges over 0 … n_a·n_b. */
  u: number;
  /** Standardised U with tie correction, no continuity correction; > 0 when a tends to be larger. */
  z: number;
  /** Two-sided p-value, normal approximation with continuity correction. */
  pTwoSided: number;
  /** One-sided p-value for "a tends to be greater than b". */
  pGreater: number;
}

/**
 * Mann–Whitney U test with midranks for ties and the tie-corrected variance
 * σ² = n_a·n_b/12 · ((n+1) − Σ(t³ − t)/(n(n−1))).
 *
 * The p-values use the normal approximation with a 0.5 continuity correction (as scipy's `asymptotic` method).
 * It is accurate to about two decimals for n ≥ 8 per side and improves with n; below that use exact tables, and
 * callers here should report "insufficient data" instead (see `MIN_SAMPLES`).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitney {
  const na = a.length;
  const nb = b.length;
  if (na === 0 || nb === 0) throw new RangeError('mannWhitneyU needs at least one value in each sample');
  for (const x of a) if (!Number.isFinite(x)) throw new RangeError(`mannWhitneyU: non-finite value ${x}`);
  for (const x of b) if (!Number.isFinite(x)) throw new RangeError(`mannWhitneyU: non-finite value ${x}`);

  const n = na + nb;
  const pooled = [...a.map((v) => ({ v, fromA: true })), ...b.map((v) => ({ v, fromA: false }))];
  pooled.sort((x, y) => x.v - y.v);

  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && (pooled[j + 1] as { v: number }).v === (pooled[i] as { v: number }).v) j++;
    const midrank = (i + j + 2) / 2; // ranks are 1-based: positions i..j hold ranks i+1..j+1
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if ((pooled[k] as { fromA: boolean }).fromA) rankSumA += midrank;
    i = j + 1;
  }

  const u = rankSumA - (na * (na + 1)) / 2;
  const mean = (na * nb) / 2;
  const variance = n > 1 ? ((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1))) : 0;
  // Every value equal: no evidence either way.
  if (variance <= 0) return { u, z: 0, pTwoSided: 1, pGreater: 0.5 };

  const sd = Math.sqrt(variance);
  const diff = u - mean;
  const z = diff / sd;
  const pGreater = upperTail((diff - 0.5) / sd);
  const pTwoSided = Math.min(1, 2 * upperTail((Math.abs(diff) - 0.5) / sd));
  return { u, z, pTwoSided, pGreater };
}

/** P(Z > z) for a standard normal. */
export function upperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Complementary error function, Chebyshev fit (Numerical Recipes `erfcc`), fractional error < 1.2e-7
 * everywhere: far finer than the normal approximation it serves, and it keeps tail p-values (1e-6) meaningful
 * where 1 − erf(x) would cancel to zero.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** current/baseline − 1, with the zero baseline (e.g. an error rate) kept finite in meaning rather than NaN. */
export function relativeChange(baseline: number, current: number): number {
  if (baseline === 0) return current === 0 ? 0 : current > 0 ? Infinity : -Infinity;
  return current / baseline - 1;
}

/** Below this many windows per side the normal approximation is too coarse to gate on. */
export const MIN_SAMPLES = 8;

export type Direction = 'higher' | 'lower';

export interface ShiftOptions {
  /**
   * Smallest relative change of the median worth failing a build for. It must sit clearly below the shift the
   * gate promises to catch: the sample median scatters around the true one, so a floor equal to the target
   * shift (0.1 for a 10% shift) lets only about half of true 10% regressions through the magnitude test.
   */
  minEffect?: number;
  /** One-sided significance level in the bad direction. */
  alpha?: number;
  /** Which direction is bad: 'higher' for latency and error rate, 'lower' for throughput. */
  worse?: Direction;
  minSamples?: number;
}

export const DEFAULT_SHIFT_OPTIONS: Required<ShiftOptions> = { minEffect: 0.05, alpha: 0.01, worse: 'higher', minSamples: MIN_SAMPLES };

export type ShiftStatus = 'pass' | 'regression' | 'improved' | 'insufficient-data';

export interface Shift {
  regression: boolean;
  status: ShiftStatus;
  /** median(current)/median(baseline) − 1; NaN when there is too little data. */
  medianChange: number;
  baselineMedian: number;
  currentMedian: number;
  /** One-sided p-value for "current is worse than baseline"; null when there is too little data. */
  p: number | null;
  reason: string;
}

/**
 * Did `current` move away from `baseline` in the bad direction, significantly AND by at least `minEffect`?
 * Samples are per-window values (each second's p95 of a step, per-second throughput). Non-finite windows
 * (a second with no completed request has no p95) are dropped rather than failing the whole check.
 */
export function shifted(baseline: readonly number[], current: readonly number[], options: ShiftOptions = {}): Shift {
  // Explicit `undefined` (from a partially filled thresholds file) must not erase a default.
  const o = { ...DEFAULT_SHIFT_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) Object.assign(o, { [k]: v });
  const base = baseline.filter(Number.isFinite);
  const cur = current.filter(Number.isFinite);
  const baselineMedian = median(base);
  const currentMedian = median(cur);

  if (base.length < o.minSamples || cur.length < o.minSamples) {
    return {
      regression: false,
      status: 'insufficient-data',
      medianChange: NaN,
      baselineMedian,
      currentMedian,
      p: null,
      reason: `needs ≥ ${o.minSamples} windows per side, has ${base.length} baseline and ${cur.length} current`,
    };
  }

  const medianChange = relativeChange(baselineMedian, currentMedian);
  // Each one-sided p comes from the test with the samples in that order (U_ba = n_a·n_b − U_ab).
  const pHigher = mannWhitneyU(cur, base).pGreater;
  const pLower = mannWhitneyU(base, cur).pGreater;
  const worseHigher = o.worse === 'higher';
  const pWorse = worseHigher ? pHigher : pLower;
  const pBetter = worseHigher ? pLower : pHigher;
  // Signed so that positive means "worse", whichever direction is bad.
  const badChange = worseHigher ? medianChange : -medianChange;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const facts = `median ${pct(medianChange)}, one-sided p=${pWorse.toPrecision(2)}`;

  if (pWorse < o.alpha && badChange >= o.minEffect) {
    return { regression: true, status: 'regression', medianChange, baselineMedian, currentMedian, p: pWorse, reason: `${facts}: significant and ≥ ${pct(o.minEffect)}` };
  }
  if (pBetter < o.alpha && -badChange >= o.minEffect) {
    return { regression: false, status: 'improved', medianChange, baselineMedian, currentMedian, p: pWorse, reason: `${facts}: significant improvement ≥ ${pct(o.minEffect)}` };
  }
  const why =
    pWorse >= o.alpha
      ? `not significant at α=${o.alpha}`
      : `significant but below the ${pct(o.minEffect)} minimum effect`;
  return { regression: false, status: 'pass', medianChange, baselineMedian, currentMedian, p: pWorse, reason: `${facts}: ${why}` };
}
