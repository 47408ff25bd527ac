import { leastSquares } from './linalg.ts';

/**
 * Non-negative least squares, min ‖A x − b‖ subject to x ≥ 0, by the Lawson–Hanson active-set method
 * (Lawson & Hanson, Solving Least Squares Problems, 1974, ch. 23). Demands and background utilisation cannot be
 * negative; plain least squares hands a negative demand to a class that merely correlates with another.
 *
 * Columns are scaled to unit length first so the tolerance means the same for a class at 0.1 req/s and one at
 * 500 req/s; x ≥ 0 is unchanged by positive scaling.
 */

export interface NnlsResult {
  coefficients: number[];
  residuals: number[];
  /** 1 − SS_res / SS_tot about the mean of b (1 when b is constant and fitted exactly, 0 when not). */
  r2: number;
  iterations: number;
}

export function nnls(A: readonly (readonly number[])[], b: readonly number[]): NnlsResult {
  const rows = A.length;
  const n = A[0]?.length ?? 0;
  const norms = Array.from({ length: n }, (_, j) => Math.sqrt(A.reduce((s, row) => s + (row[j] ?? 0) ** 2, 0)));
  const scaled = A.map((row) => row.map((v, j) => (norms[j]! > 0 ? v / norms[j]! : 0)));

  const passive = new Array<boolean>(n).fill(false);
  let x = new Array<number>(n).fill(0);
  const tolerance = 1e-10 * Math.max(1, Math.sqrt(b.reduce((s, v) => s + v * v, 0)));
  const gradient = () => {
    // w = Aᵀ(b − A x): how much each coefficient would lower the residual if it grew.
    const r = b.map((bi, i) => bi - scaled[i]!.reduce((s, a, j) => s + a * x[j]!, 0));
    return Array.from({ length: n }, (_, j) => scaled.reduce((s, row, i) => s + row[j]! * r[i]!, 0));
  };
  const solvePassive = (): number[] => {
    const cols = passive.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
    const sol = leastSquares(scaled, b, cols);
    const z = new Array<number>(n).fill(0);
    cols.forEach((j, i) => (z[j] = sol[i]!));
    return z;
  };

  let iterations = 0;
  const maxIterations = 3 * n + 10;
  while (iterations < maxIterations) {
    const w = gradient();
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && norms[j]! > 0 && w[j]! > tolerance && (best < 0 || w[j]! > w[best]!)) best = j;
    if (best < 0) break;
    passive[best] = true;
    iterations++;
    // Inner loop: step towards the unconstrained solution on the passive set, dropping coefficients that hit 0.
    for (;;) {
      const z = solvePassive();
      const infeasible = passive.map((p, j) => p && z[j]! <= 0);
      if (!infeasible.includes(true)) {
        x = z;
        break;
      }
      let alpha = 1;
      infeasible.forEach((bad, j) => {
        if (bad) alpha = Math.min(alpha, x[j]! / (x[j]! - z[j]!));
      });
      x = x.map((xj, j) => xj + alpha * (z[j]! - xj));
      x.forEach((xj, j) => {
        if (passive[j] && xj <= tolerance) {
          passive[j] = false;
          x[j] = 0;
        }
      });
      if (!passive.includes(true)) break;
    }
  }

  const coefficients = x.map((xj, j) => (norms[j]! > 0 ? xj / norms[j]! : 0));
  const residuals = b.map((bi, i) => bi - A[i]!.reduce((s, a, j) => s + a * coefficients[j]!, 0));
  const mean = b.reduce((s, v) => s + v, 0) / Math.max(1, rows);
  const ssTot = b.reduce((s, v) => s + (v - mean) ** 2, 0);
  const ssRes = residuals.reduce((s, v) => s + v * v, 0);
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes <= 1e-12 * Math.max(1, mean * mean * rows) ? 1 : 0;
  return { coefficients, residuals, r2, iterations };
}
