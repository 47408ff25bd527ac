import { describe, expect, it } from 'vitest';
import { mannWhitneyU, median, relativeChange, shifted } from '../src/gate/stats.ts';
import { compareCheck, decide, type VerdictRow } from '../src/gate/verdict.ts';
import { seededRandom } from './model-fixture.ts';

/** A standard normal draw from a seeded source (seededRandom), so every rate below is reproducible. */
function normal(r: () => number): number {
  let u = 0;
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

describe('mannWhitneyU', () => {
  /*
   * Hand computation. a = 12 15 15 18 21 24 27 30, b = 10 11 13 15 16 17 19 20.
   * Pooled order: 10b 11b 12a 13b 15a 15a 15b 16b 17b 18a 19b 20b 21a 24a 27a 30a;
   * the three 15s share positions 5–7, midrank 6.
   * R_a = 3+6+6+10+13+14+15+16 = 83, R_b = 53 (sum 136 = 16·17/2). U_a = 83 − 8·9/2 = 47, U_b = 64 − 47 = 17.
   * Mean 32. Ties: one group of 3, Σ(t³−t) = 24. σ² = 64/12 · (17 − 24/240) = 90.1333…, σ = 9.49386.
   * z = 15/σ = 1.57997. With continuity: (15 − 0.5)/σ = 1.52730 → P(greater) = 0.063343, two-sided 0.126686
   * (scipy.stats.mannwhitneyu(a, b, method='asymptotic') agrees: 0.1266856).
   */
  const a = [12, 15, 15, 18, 21, 24, 27, 30];
  const b = [10, 11, 13, 15, 16, 17, 19, 20];

  it('matches the hand-computed example with a tie group', () => {
    const r = mannWhitneyU(a, b);
    expect(r.u).toBe(47);
    expect(r.z).toBeCloseTo(1.57997, 4);
    expect(r.pGreater).toBeCloseTo(0.0633428, 5);
    expect(r.pTwoSided).toBeCloseTo(0.1266856, 5);
  });

  it('is symmetric: swapping samples mirrors U and z and keeps the two-sided p', () => {
    const f = mannWhitneyU(a, b);
    const s = mannWhitneyU(b, a);
    expect(s.u).toBe(64 - 47);
    expect(s.z).toBeCloseTo(-f.z, 12);
    expect(s.pTwoSided).toBeCloseTo(f.pTwoSided, 12);
    expect(s.pGreater).toBeGreaterThan(0.9);
  });

  it('does not depend on input order', () => {
    const r = mannWhitneyU([...a].reverse(), [20, 10, 19, 11, 17, 13, 16, 15]);
    expect(r.u).toBe(47);
    expect(r.pTwoSided).toBeCloseTo(0.1266856, 5);
  });

  it('handles identical samples and all-tied data without dividing by zero', () => {
    const same = mannWhitneyU([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(same.u).toBe(32);
    expect(same.z).toBe(0);
    expect(same.pTwoSided).toBe(1);
    const flat = mannWhitneyU([5, 5, 5, 5, 5, 5, 5, 5], [5, 5, 5, 5, 5, 5, 5, 5]);
    expect(flat).toEqual({ u: 32, z: 0, pTwoSided: 1, pGreater: 0.5 });
  });

  it('gives a tiny p for complete separation', () => {
    const r = mannWhitneyU([11, 12, 13, 14, 15, 16, 17, 18], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.u).toBe(64);
    expect(r.pGreater).toBeLessThan(0.001);
  });

  it('rejects empty and non-finite input', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, NaN], [1])).toThrow(RangeError);
  });
});

describe('shifted', () => {
  const base = [100, 102, 98, 101, 99, 103, 97, 100, 101, 99, 100, 102];

  it('flags a large significant rise in latency and names the numbers', () => {
    const v = shifted(base, base.map((x) => x * 1.3));
    expect(v.regression).toBe(true);
    expect(v.status).toBe('regression');
    expect(v.medianChange).toBeCloseTo(0.3, 10);
    expect(v.p).toBeLessThan(0.01);
    expect(v.reason).toMatch(/30\.0%/);
  });

  it('ignores a significant change below the minimum effect', () => {
    const v = shifted(base, base.map((x) => x * 1.03));
    expect(v.p).toBeLessThan(0.01);
    expect(v.status).toBe('pass');
    expect(v.reason).toMatch(/below/);
  });

  it('reads the bad direction from `worse`: falling throughput is a regression, rising is an improvement', () => {
    expect(shifted(base, base.map((x) => x * 0.7), { worse: 'lower' }).status).toBe('regression');
    expect(shifted(base, base.map((x) => x * 1.3), { worse: 'lower' }).status).toBe('improved');
    expect(shifted(base, base.map((x) => x * 0.7)).status).toBe('improved');
  });

  it('reports insufficient data below 8 finite windows per side', () => {
    const v = shifted(base, [200, 200, 200, NaN, 200, 200, 200, 200]);
    expect(v.status).toBe('insufficient-data');
    expect(v.regression).toBe(false);
    expect(v.p).toBeNull();
  });

  it('keeps defaults when an option is explicitly undefined', () => {
    expect(shifted(base, base.map((x) => x * 1.3), { minEffect: undefined, alpha: undefined }).status).toBe('regression');
  });

  it('treats a change from a zero median as infinite', () => {
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(0, 1)).toBe(Infinity);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });
});

describe('gate self-test on synthetic lognormal noise (seeded, deterministic)', () => {
  /*
   * Each window is median·exp(σ·N(0,1)) with σ = 0.1 (≈10% window-to-window spread of per-second p95s), 60
   * windows per side, 1,000 trials, default rule (one-sided α = 0.01, minimum effect 5%). σ is the assumption
   * the promise rests on: at 60 windows detection of a 10% shift falls below 95% from σ ≈ 0.12.
   */
  const trials = 1000;
  const windows = 60;
  const sigma = 0.1;

  function rates(minEffect?: number): { falseAlarm: number; detection: number } {
    const r = seededRandom(20240607);
    const sample = (m: number) => Array.from({ length: windows }, () => m * Math.exp(sigma * normal(r)));
    const opts = minEffect === undefined ? {} : { minEffect };
    let alarms = 0;
    let caught = 0;
    for (let i = 0; i < trials; i++) {
      if (shifted(sample(200), sample(200), opts).regression) alarms++;
      if (shifted(sample(200), sample(220), opts).regression) caught++;
    }
    return { falseAlarm: alarms / trials, detection: caught / trials };
  }

  it('A/A raises ≤ 1% false alarms and a 10% median shift is caught ≥ 95% of the time', () => {
    const { falseAlarm, detection } = rates();
    expect(falseAlarm).toBe(0.006);
    expect(detection).toBe(0.975);
    expect(falseAlarm).toBeLessThanOrEqual(0.01);
    expect(detection).toBeGreaterThanOrEqual(0.95);
  });

  it('a minimum effect equal to the shift to catch misses about half of such shifts (why the default is 5%)', () => {
    const { falseAlarm, detection } = rates(0.1);
    expect(falseAlarm).toBe(0);
    expect(detection).toBeLessThan(0.6);
  });
});

describe('verdict table', () => {
  const base = Array.from({ length: 30 }, (_, i) => 100 + (i % 5));

  it('builds rows from samples and fails the gate on a regression, naming the step', () => {
    const rows: VerdictRow[] = [
      compareCheck({ check: 'latency-p95', step: 'search', metric: 'p95 ms', baseline: base, current: base.map((x) => x * 1.2) }),
      compareCheck({ check: 'throughput', metric: 'req/s', baseline: base, current: base, options: { worse: 'lower' } }),
    ];
    expect(rows[0]).toMatchObject({ check: 'latency-p95', step: 'search', baseline: 102, status: 'regression' });
    expect(rows[0]?.current).toBeCloseTo(122.4, 10);
    expect(rows[1]?.step).toBeUndefined();
    expect(rows[1]?.status).toBe('pass');
    const d = decide(rows);
    expect(d).toMatchObject({ pass: false, exitCode: 1, counts: { pass: 1, regression: 1, improved: 0, 'insufficient-data': 0 } });
    expect(d.reason).toMatch(/latency-p95 \(search\)/);
  });

  it('passes improvements and, by default, insufficient data; an empty table fails', () => {
    const row = (status: VerdictRow['status']): VerdictRow => ({ check: status, metric: 'p95 ms', baseline: 1, current: 1, change: 0, p: null, status });
    expect(decide([row('pass'), row('improved'), row('insufficient-data')])).toMatchObject({ pass: true, exitCode: 0 });
    expect(decide([row('pass'), row('insufficient-data')], { failOnInsufficientData: true }).pass).toBe(false);
    expect(decide([])).toMatchObject({ pass: false, reason: 'no checks ran' });
  });
});
