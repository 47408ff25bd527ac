import { describe, expect, it } from 'vitest';
import { Model } from '../src/core/model.ts';
import { calibrate, estimateDemands, type CalibrationWindow } from '../src/model/calibrate.ts';
import { leastSquares, scaledConditionNumber } from '../src/model/linalg.ts';
import { nnls } from '../src/model/nnls.ts';
import { normal, seededRandom } from './model-fixture.ts';

describe('non-negative least squares (Lawson–Hanson)', () => {
  it('equals least squares when the unconstrained solution is positive', () => {
    const A = [
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
    ];
    const b = [1.1, 2.9, 5.2, 6.8];
    const free = leastSquares(A, b, [0, 1]);
    const fit = nnls(A, b);
    expect(fit.coefficients[0]).toBeCloseTo(free[0]!, 10);
    expect(fit.coefficients[1]).toBeCloseTo(free[1]!, 10);
    expect(fit.coefficients[1]).toBeCloseTo(1.94, 10); // slope by hand: Σ(x−x̄)(y−ȳ)/Σ(x−x̄)² = 9.7/5
    expect(fit.r2).toBeGreaterThan(0.99);
  });

  it('clamps to zero where least squares goes negative, and refits the rest', () => {
    // b = 2·x1 − 0.5·x2: plain least squares finds (2, −0.5); the non-negative answer drops x2 and refits x1.
    const A = [
      [1, 0.2],
      [2, 0.1],
      [3, 0.05],
      [4, 0.0],
    ];
    const b = [1.9, 3.95, 5.975, 8];
    expect(leastSquares(A, b, [0, 1])[1]).toBeCloseTo(-0.5, 10);
    const fit = nnls(A, b);
    expect(fit.coefficients[1]).toBe(0);
    expect(fit.coefficients[0]).toBeCloseTo((1.9 + 7.9 + 17.925 + 32) / 30, 10); // Σx·b/Σx² on x1 alone
    expect(fit.residuals).toHaveLength(4);
  });
});

const classes = ['search', 'chart', 'vitals'];
const stations = ['app', 'db'];
// True demands (s/request) and background (busy servers); vitals never touches the app CPU.
const truth: Record<string, Record<string, number>> = {
  search: { app: 0.012, db: 0.008 },
  chart: { app: 0.02, db: 0.004 },
  vitals: { app: 0, db: 0.015 },
};
const truthBackground: Record<string, number> = { app: 0.05, db: 0.02 };

/** Windows whose per-class rates come from `rates`, with busy time = truth + 2% Gaussian noise. */
function synthesise(count: number, rates: (w: number, random: () => number) => number[], seed = 7): CalibrationWindow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, w) => {
    const x = rates(w, random);
    const completions = Object.fromEntries(classes.map((c, i) => [c, x[i]! * 5]));
    const busy = Object.fromEntries(
      stations.map((k) => {
        const u = truthBackground[k]! + classes.reduce((s, c, i) => s + x[i]! * truth[c]![k]!, 0);
        return [k, Math.max(0, u * (1 + 0.02 * normal(random))) * 5];
      }),
    );
    return { seconds: 5, completions, busy };
  });
}

describe('calibration', () => {
  it('recovers known demands from varied windows with noise, keeping true zeros at ≥ 0', () => {
    const windows = synthesise(120, (_w, r) => [5 + 60 * r(), 2 + 40 * r(), 1 + 20 * r()]);
    const est = estimateDemands(windows, stations, classes);
    for (const c of classes) {
      for (const k of stations) {
        const d = est.demands[c]![k]!;
        expect(d).toBeGreaterThanOrEqual(0);
        if (truth[c]![k]! === 0) expect(d).toBeLessThan(0.001);
        else expect(Math.abs(d - truth[c]![k]!) / truth[c]![k]!).toBeLessThan(0.1);
      }
    }
    for (const k of stations) {
      expect(est.background[k]).toBeGreaterThanOrEqual(0);
      expect(est.r2[k]).toBeGreaterThan(0.95);
    }
    expect(est.warnings).toEqual([]);
  });

  it('warns when the run lacks load variation', () => {
    const windows = synthesise(120, (_w, r) => [30 * (1 + 0.02 * (r() - 0.5)), 20 * (1 + 0.02 * (r() - 0.5)), 10 * (1 + 0.02 * (r() - 0.5))]);
    const est = estimateDemands(windows, stations, classes);
    expect(est.loadVariation).toBeLessThan(0.2);
    expect(est.warnings.join('\n')).toMatch(/lacks load variation.*capacity profile/);
  });

  it('warns when a ramp keeps the mix fixed: the classes are collinear', () => {
    const windows = synthesise(120, (w) => [0.5, 0.3, 0.2].map((share) => share * (10 + w)));
    const est = estimateDemands(windows, stations, classes);
    expect(est.loadVariation).toBeGreaterThan(0.2);
    expect(est.conditionNumber).toBeGreaterThan(30);
    expect(est.warnings.join('\n')).toMatch(/nearly collinear.*runs of different mixes/);
    // Even unidentifiable, the fit reproduces the total demand per request of the fixed mix.
    const perRequest = (d: Record<string, Record<string, number>>) => [0.5, 0.3, 0.2].reduce((s, share, i) => s + share * d[classes[i]!]!.db!, 0);
    expect(perRequest(est.demands)).toBeCloseTo(perRequest(truth), 3);
  });

  it('the condition number separates independent from proportional columns', () => {
    expect(scaledConditionNumber([
      [1, 0],
      [0, 1],
    ])).toBeCloseTo(1, 9);
    expect(scaledConditionNumber([
      [1, 2],
      [2, 4],
      [3, 6.000001],
    ])).toBeGreaterThan(1e4);
  });

  it('builds a model.json that validates, with mix shares and tails', () => {
    const windows = synthesise(60, (_w, r) => [5 + 60 * r(), 2 + 40 * r(), 1 + 20 * r()]);
    const model = calibrate({
      runId: 'run-1',
      stations: [
        { name: 'app', kind: 'queue', servers: 2, role: 'app', perReplica: true },
        { name: 'db', kind: 'queue', servers: 4, role: 'db-cpu' },
      ],
      classes: [
        { name: 'search', kind: 'read', thinkTimeSeconds: 5, p95OverMean: 2.5 },
        { name: 'chart', kind: 'read', thinkTimeSeconds: 8, p95OverMean: 2 },
        { name: 'vitals', kind: 'write', thinkTimeSeconds: 10, p95OverMean: 3, bytesPerRequest: 900 },
      ],
      windows,
      measured: { replicas: 1, dbKind: 'single', dbNodes: 1, vcpusApp: 2, vcpusDb: 4 },
    });
    expect(() => Model.parse(model)).not.toThrow();
    expect(model.classes.reduce((s, c) => s + c.mixShare, 0)).toBeCloseTo(1, 12);
    expect(model.classes[0]!.mixShare).toBeGreaterThan(model.classes[2]!.mixShare);
    expect(model.tail.p95OverMean.vitals).toBe(3);
    expect(model.fit.windows).toBe(60);
  });

  it('names classes that never completed', () => {
    const windows = synthesise(60, (_w, r) => [5 + 60 * r(), 2 + 40 * r(), 0]);
    const est = estimateDemands(windows, stations, classes);
    expect(est.demands.vitals).toEqual({ app: 0, db: 0 });
    expect(est.warnings.join('\n')).toMatch(/no completions of vitals/);
  });
});
