import { describe, expect, it } from 'vitest';
import { fitUsl, uslThroughput } from '../src/model/usl.ts';
import { seededRandom } from './model-fixture.ts';

const loads = [1, 2, 4, 8, 16, 24, 32, 48, 64, 96];

describe('Universal Scalability Law fit', () => {
  it('recovers λ, σ, κ from exact points, and N_max = √((1 − σ)/κ)', () => {
    const truth = { lambda: 120, sigma: 0.04, kappa: 0.0008 };
    const fit = fitUsl(loads.map((n) => ({ users: n, throughput: uslThroughput(n, truth.lambda, truth.sigma, truth.kappa) })));
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.lambda).toBeCloseTo(truth.lambda, 4);
    expect(fit.sigma).toBeCloseTo(truth.sigma, 6);
    expect(fit.kappa).toBeCloseTo(truth.kappa, 8);
    expect(fit.nMax).toBeCloseTo(Math.sqrt(0.96 / 0.0008), 3); // ≈ 34.6
    expect(fit.r2).toBeCloseTo(1, 9);
  });

  it('stays close with ±2% noise', () => {
    const random = seededRandom(42);
    const truth = { lambda: 50, sigma: 0.1, kappa: 0.002 };
    const points = loads.flatMap((n) =>
      [0, 1].map(() => ({ users: n, throughput: uslThroughput(n, truth.lambda, truth.sigma, truth.kappa) * (1 + 0.04 * (random() - 0.5)) })),
    );
    const fit = fitUsl(points);
    if (!fit.ok) throw new Error(fit.reason);
    expect(Math.abs(fit.lambda - truth.lambda) / truth.lambda).toBeLessThan(0.05);
    expect(Math.abs(fit.sigma - truth.sigma)).toBeLessThan(0.03);
    expect(Math.abs(fit.kappa - truth.kappa) / truth.kappa).toBeLessThan(0.25);
    expect(fit.r2).toBeGreaterThan(0.98);
  });

  it('keeps the coefficients ≥ 0 and reports no peak for linear scaling', () => {
    const fit = fitUsl(loads.map((n) => ({ users: n, throughput: 10 * n })));
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.sigma).toBeGreaterThanOrEqual(0);
    expect(fit.kappa).toBeGreaterThanOrEqual(0);
    expect(fit.lambda).toBeCloseTo(10, 6);
    expect(fit.nMax).toBeNull();
  });

  it('needs at least 6 load levels', () => {
    const fit = fitUsl([1, 2, 4, 8, 16].map((n) => ({ users: n, throughput: 10 * n })));
    expect(fit.ok).toBe(false);
    if (!fit.ok) expect(fit.reason).toMatch(/at least 6/);
  });
});
