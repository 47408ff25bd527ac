import { leastSquares, solveLinear } from './linalg.ts';

/**
 * Universal Scalability Law (Gunther): X(N) = λN / (1 + σ(N−1) + κN(N−1)), with λ the throughput of one user
 * (or node), σ contention and κ coherency. Fitted by Levenberg–Marquardt with λ, σ, κ kept ≥ 0; the peak is at
 * N_max = √((1 − σ)/κ). A cross-check of measured scaling, independent of the queueing model.
 */

export interface UslPoint {
  users: number;
  throughput: number;
}

export type UslFit =
  | {
      ok: true;
      lambda: number;
      sigma: number;
      kappa: number;
      /** Concurrency of peak throughput; null when κ = 0 (no retrograde region) or σ ≥ 1. */
      nMax: number | null;
      /** X(N_max), or λ/σ (the asymptote) when there is no peak; null if neither is finite. */
      peakThroughput: number | null;
      r2: number;
      iterations: number;
    }
  | { ok: false; reason: string };

export const USL_MIN_POINTS = 6;

export function uslThroughput(n: number, lambda: number, sigma: number, kappa: number): number {
  return (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

export function fitUsl(points: readonly UslPoint[]): UslFit {
  const data = points.filter((p) => p.users > 0 && p.throughput > 0 && Number.isFinite(p.throughput));
  const distinct = new Set(data.map((p) => p.users)).size;
  if (distinct < USL_MIN_POINTS) {
    return { ok: false, reason: `the USL needs at least ${USL_MIN_POINTS} load levels with throughput; got ${distinct}` };
  }

  const sumOfSquares = (p: readonly number[]) =>
    data.reduce((s, d) => s + (d.throughput - uslThroughput(d.users, p[0]!, p[1]!, p[2]!)) ** 2, 0);

  // Start: λ from the smallest load; then N·λ/X − 1 = σ(N−1) + κN(N−1) is linear in σ, κ.
  const smallest = data.reduce((a, b) => (b.users < a.users ? b : a));
  const lambda0 = smallest.throughput / smallest.users;
  const rows = data.map((d) => [d.users - 1, d.users * (d.users - 1)]);
  const rhs = data.map((d) => (d.users * lambda0) / d.throughput - 1);
  const [s0, k0] = leastSquares(rows, rhs, [0, 1]);
  let params = [lambda0, Math.max(0, s0 ?? 0), Math.max(0, k0 ?? 0)];
  let cost = sumOfSquares(params);

  // Levenberg–Marquardt with Marquardt's diagonal scaling: (JᵀJ + μ·diag(JᵀJ)) δ = Jᵀr.
  let mu = 1e-3;
  let iterations = 0;
  for (; iterations < 500; iterations++) {
    const [lambda, sigma, kappa] = params as [number, number, number];
    const JtJ = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const Jtr = [0, 0, 0];
    for (const d of data) {
      const N = d.users;
      const den = 1 + sigma * (N - 1) + kappa * N * (N - 1);
      const f = (lambda * N) / den;
      // ∂X/∂λ, ∂X/∂σ, ∂X/∂κ
      const J = [N / den, (-f * (N - 1)) / den, (-f * N * (N - 1)) / den];
      const r = d.throughput - f;
      for (let a = 0; a < 3; a++) {
        Jtr[a]! += J[a]! * r;
        for (let b = 0; b < 3; b++) JtJ[a]![b]! += J[a]! * J[b]!;
      }
    }
    let improved = false;
    while (mu < 1e12) {
      const damped = JtJ.map((row, a) => row.map((v, b) => (a === b ? v * (1 + mu) + 1e-300 : v)));
      const step = solveLinear(damped, Jtr);
      if (!step) {
        mu *= 10;
        continue;
      }
      const trial = params.map((p, a) => Math.max(0, p + step[a]!));
      const trialCost = sumOfSquares(trial);
      if (trialCost < cost) {
        const relative = (cost - trialCost) / Math.max(cost, 1e-300);
        params = trial;
        cost = trialCost;
        mu = Math.max(mu / 10, 1e-12);
        improved = relative > 1e-14;
        break;
      }
      mu *= 10;
    }
    if (!improved) break;
  }

  const [lambda, sigma, kappa] = params as [number, number, number];
  const mean = data.reduce((s, d) => s + d.throughput, 0) / data.length;
  const ssTot = data.reduce((s, d) => s + (d.throughput - mean) ** 2, 0);
  const nMax = kappa > 0 && sigma < 1 ? Math.sqrt((1 - sigma) / kappa) : null;
  const peakThroughput = nMax !== null ? uslThroughput(nMax, lambda, sigma, kappa) : sigma > 0 ? lambda / sigma : null;
  return { ok: true, lambda, sigma, kappa, nMax, peakThroughput, r2: ssTot > 0 ? 1 - cost / ssTot : 1, iterations };
}
