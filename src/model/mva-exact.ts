/**
 * Exact mean value analysis of closed product-form networks (reference/modeling.md, "Exact MVA").
 * Three variants: single class (the textbook recursion), multi-class over population vectors (small populations
 * only: the cost is ∏(N_c + 1)), and single class with load-dependent multi-server stations (the exact answer the
 * Seidmann approximation in mva-approx.ts is tested against).
 */

export interface ExactStation {
  kind: 'queue' | 'delay';
  /** D_k, seconds per request. */
  demand: number;
  /** m_k identical servers; only the load-dependent solver reads it (1 elsewhere). */
  servers?: number;
}

export interface ExactPoint {
  users: number;
  /** X(n) */
  throughput: number;
  /** R(n) = Σ_k R_k(n), excluding think time. */
  responseTime: number;
  /** R_k(n) */
  residence: number[];
  /** Q_k(n) = X(n) · R_k(n) */
  queue: number[];
}

/**
 * Single-class exact MVA. Q_k(0) = 0; for n = 1…N: R_k(n) = D_k(1 + Q_k(n−1)) at queueing stations and D_k at
 * delay stations, X(n) = n / (Z + Σ_k R_k(n)), Q_k(n) = X(n) R_k(n). Returns the points n = 1…N.
 */
export function exactMva(stations: readonly ExactStation[], thinkTime: number, users: number): ExactPoint[] {
  const queue = stations.map(() => 0);
  const points: ExactPoint[] = [];
  for (let n = 1; n <= users; n++) {
    const residence = stations.map((s, k) => (s.kind === 'delay' ? s.demand : s.demand * (1 + (queue[k] ?? 0))));
    const responseTime = residence.reduce((a, b) => a + b, 0);
    const throughput = n / (thinkTime + responseTime);
    residence.forEach((r, k) => (queue[k] = throughput * r));
    points.push({ users: n, throughput, responseTime, residence, queue: [...queue] });
  }
  return points;
}

/**
 * Single-class exact MVA with load-dependent stations: a queueing station with m servers serves at rate
 * α(j) = min(j, m) times one server's rate when j requests are present. With p_k(j | n) the probability of j
 * requests at k with n in the network:
 *   R_k(n) = Σ_{j=1..n} (j / α(j)) · D_k · p_k(j−1 | n−1)
 *   X(n)   = n / (Z + Σ_k R_k(n))
 *   p_k(j | n) = X(n) · D_k / α(j) · p_k(j−1 | n−1),  p_k(0 | n) = 1 − Σ_{j≥1} p_k(j | n).
 * The subtraction for p_k(0 | n) loses accuracy near saturation with many servers, so it is clamped at 0; the
 * callers use it for small populations (tests, single-class projections up to a few hundred users).
 */
export function exactLoadDependentMva(stations: readonly ExactStation[], thinkTime: number, users: number): ExactPoint[] {
  // marginal[k][j] = p_k(j | n−1), grown by one entry per population step.
  const marginal = stations.map(() => [1]);
  const points: ExactPoint[] = [];
  for (let n = 1; n <= users; n++) {
    const residence = stations.map((s, k) => {
      if (s.kind === 'delay') return s.demand;
      const m = s.servers ?? 1;
      const p = marginal[k] ?? [];
      let r = 0;
      for (let j = 1; j <= n; j++) r += (j / Math.min(j, m)) * s.demand * (p[j - 1] ?? 0);
      return r;
    });
    const responseTime = residence.reduce((a, b) => a + b, 0);
    const throughput = n / (thinkTime + responseTime);
    stations.forEach((s, k) => {
      if (s.kind === 'delay') return;
      const m = s.servers ?? 1;
      const prev = marginal[k] ?? [];
      const next = new Array<number>(n + 1).fill(0);
      let busy = 0;
      for (let j = 1; j <= n; j++) {
        next[j] = ((throughput * s.demand) / Math.min(j, m)) * (prev[j - 1] ?? 0);
        busy += next[j] ?? 0;
      }
      next[0] = Math.max(0, 1 - busy);
      marginal[k] = next;
    });
    const queue = residence.map((r) => throughput * r);
    points.push({ users: n, throughput, responseTime, residence, queue });
  }
  return points;
}

export interface MultiClassStation {
  kind: 'queue' | 'delay';
  /** D_{c,k} per class. */
  demands: readonly number[];
}

export interface MultiClassResult {
  /** X_c */
  throughput: number[];
  /** R_c = Σ_k R_{c,k} */
  responseTime: number[];
  /** R_{c,k} */
  residence: number[][];
  /** Q_{c,k} */
  queue: number[][];
}

/** Populations beyond this many vectors are left to the approximate solver. */
export const EXACT_MULTICLASS_LIMIT = 5_000_000;

/**
 * Multi-class exact MVA over population vectors. For each vector n (in an order where n − e_c comes first):
 *   R_{c,k}(n) = D_{c,k} (1 + Q_k(n − e_c)) at queueing stations, D_{c,k} at delay stations
 *   X_c(n) = n_c / (Z_c + Σ_k R_{c,k}(n)),   Q_k(n) = Σ_c X_c(n) R_{c,k}(n).
 * Vectors are numbered in mixed radix (digit c runs 0…N_c), so n − e_c has index idx − stride_c < idx.
 */
export function exactMultiClassMva(
  stations: readonly MultiClassStation[],
  thinkTimes: readonly number[],
  populations: readonly number[],
): MultiClassResult {
  const C = populations.length;
  const K = stations.length;
  if (populations.some((n) => !Number.isInteger(n) || n < 0)) throw new RangeError('populations must be integers ≥ 0');
  const strides: number[] = [];
  let vectors = 1;
  for (const n of populations) {
    strides.push(vectors);
    vectors *= n + 1;
  }
  if (vectors > EXACT_MULTICLASS_LIMIT) throw new RangeError(`${vectors} population vectors: use the approximate solver`);

  const totalQueue = new Float64Array(vectors * K); // Q_k(n), all classes
  const digits = new Array<number>(C).fill(0);
  const residence = populations.map(() => new Array<number>(K).fill(0));
  const throughput = new Array<number>(C).fill(0);
  for (let idx = 1; idx < vectors; idx++) {
    // Advance the mixed-radix counter to the vector numbered idx.
    for (let c = 0; c < C; c++) {
      if ((digits[c] ?? 0) < (populations[c] ?? 0)) {
        digits[c] = (digits[c] ?? 0) + 1;
        break;
      }
      digits[c] = 0;
    }
    for (let c = 0; c < C; c++) {
      const nc = digits[c] ?? 0;
      throughput[c] = 0;
      const row = residence[c] ?? [];
      if (nc === 0) {
        row.fill(0);
        continue;
      }
      const without = idx - (strides[c] ?? 0); // n − e_c
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const st = stations[k];
        const D = st?.demands[c] ?? 0;
        row[k] = st?.kind === 'delay' ? D : D * (1 + (totalQueue[without * K + k] ?? 0));
        sum += row[k] ?? 0;
      }
      throughput[c] = nc / ((thinkTimes[c] ?? 0) + sum);
    }
    for (let k = 0; k < K; k++) {
      let q = 0;
      for (let c = 0; c < C; c++) q += (throughput[c] ?? 0) * (residence[c]?.[k] ?? 0);
      totalQueue[idx * K + k] = q;
    }
  }
  return {
    throughput: [...throughput],
    responseTime: residence.map((row) => row.reduce((a, b) => a + b, 0)),
    residence: residence.map((row) => [...row]),
    queue: residence.map((row, c) => row.map((r) => (throughput[c] ?? 0) * r)),
  };
}
