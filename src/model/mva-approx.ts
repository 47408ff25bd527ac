import { checkNetwork, type Network } from './network.ts';

/**
 * Schweitzer/Bard approximate multi-class MVA (reference/modeling.md), the fixed-point loop of PDQ's approximate
 * solver, extended with multi-server stations and station copies.
 *
 * Multi-server stations use Seidmann's approximation: a station with m servers and demand D is replaced by a
 * single-server queue with demand D/m in series with a delay of demand D(m−1)/m. A lone request still takes D and
 * the saturation throughput is still m/D; in between it overstates waiting a little at moderate load (see
 * test/model-mva.test.ts for the comparison with exact load-dependent MVA).
 *
 * Copies (see network.ts) share a station's visits: one copy's queue part carries D/(m·copies) per request.
 *
 * The loop, with Q_{c,k} the class-c queue at the queueing part of one copy of k:
 *   A_{c,k} = Σ_{j≠c} Q_{j,k} + Q_{c,k} (N_c − 1)/N_c             arrival-instant queue
 *   R_{c,k} = (D_{c,k}/m_k)(1 + A_{c,k}) + D_{c,k}(m_k − 1)/m_k    residence (D_{c,k} at delay stations)
 *   X_c     = N_c / (Z_c + Σ_k R_{c,k})                            throughput
 *   Q_{c,k} = X_c (D_{c,k}/m_k)(1 + A_{c,k}) / copies_k             queue length at one copy
 * until max |ΔQ_{c,k}| / N_c < tolerance.
 */

export interface ApproxOptions {
  /** Largest change of a queue length, as a fraction of its class's population, that counts as converged. */
  tolerance?: number;
  maxIterations?: number;
  /** Warm start: Q_{c,k} per copy from an earlier solve (index c·K + k), e.g. the previous population. */
  initialQueue?: Float64Array;
}

export interface ApproxSolution {
  /** X_c */
  throughput: number[];
  /** R_c = Σ_k R_{c,k}, excluding think time. */
  responseTime: number[];
  /** R_{c,k}: time a class-c request spends at all copies of station k. */
  residence: number[][];
  /** Q_{c,k}: class-c requests at station k (all copies, queue and Seidmann delay parts) = X_c · R_{c,k}. */
  queue: number[][];
  /** U_k: busy fraction of one server at one copy, Σ_c X_c D_{c,k} / (m_k · copies_k). */
  utilisation: number[];
  /** Q_{c,k} at the queueing part of one copy: hand it to the next solve as `initialQueue`. */
  queuePerCopy: Float64Array;
  iterations: number;
  converged: boolean;
}

export const DEFAULT_TOLERANCE = 1e-6;
export const DEFAULT_MAX_ITERATIONS = 20_000;

export function schweitzerMva(network: Network, populations: readonly number[], options: ApproxOptions = {}): ApproxSolution {
  checkNetwork(network);
  const { stations, classes } = network;
  const K = stations.length;
  const C = classes.length;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;

  // The network in flat arrays, named as in the formulas: D[c·K + k], m[k], copies[k].
  const D = new Float64Array(C * K);
  const N = new Float64Array(C);
  const Z = new Float64Array(C);
  classes.forEach((cls, c) => {
    D.set(cls.demands, c * K);
    N[c] = populations[c] ?? 0;
    Z[c] = cls.thinkTime;
  });
  const m = new Float64Array(K);
  const copies = new Float64Array(K);
  const delay = new Uint8Array(K);
  stations.forEach((st, k) => {
    m[k] = st.servers;
    copies[k] = st.copies;
    delay[k] = st.kind === 'delay' ? 1 : 0;
  });

  const Q = new Float64Array(C * K);
  if (options.initialQueue && options.initialQueue.length === C * K) Q.set(options.initialQueue);
  else for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) Q[c * K + k] = N[c]! / K / copies[k]!;

  const totalQ = new Float64Array(K);
  const R = new Float64Array(C * K);
  const queueResidence = new Float64Array(C * K); // the queue part of R_{c,k}, (D/m)(1 + A)
  const X = new Float64Array(C);
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations) {
    iterations++;
    totalQ.fill(0);
    for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) totalQ[k]! += Q[c * K + k]!;

    for (let c = 0; c < C; c++) {
      const Nc = N[c]!;
      let sumR = 0;
      for (let k = 0; k < K; k++) {
        const i = c * K + k;
        const Dck = D[i]!;
        if (delay[k] || Dck === 0 || Nc === 0) {
          R[i] = Dck;
          queueResidence[i] = 0;
        } else {
          const own = Q[i]!;
          const A = totalQ[k]! - own + own * Math.max(0, (Nc - 1) / Nc);
          const queuePart = (Dck / m[k]!) * (1 + A);
          queueResidence[i] = queuePart;
          // Fewer than one server (a share of a shared host's cores) is one slower server: no delay part.
          R[i] = queuePart + Math.max(0, (Dck * (m[k]! - 1)) / m[k]!);
        }
        sumR += R[i]!;
      }
      X[c] = Nc > 0 ? Nc / (Z[c]! + sumR) : 0;
    }

    let largestChange = 0;
    for (let c = 0; c < C; c++) {
      const Nc = N[c]!;
      for (let k = 0; k < K; k++) {
        const i = c * K + k;
        const next = (X[c]! * queueResidence[i]!) / copies[k]!;
        const change = Nc > 0 ? Math.abs(next - Q[i]!) / Nc : 0;
        if (change > largestChange) largestChange = change;
        Q[i] = next;
      }
    }
    if (largestChange < tolerance) {
      converged = true;
      break;
    }
  }

  // Report per class and station (plain loops: this runs for every point of a projection grid).
  const throughput = Array.from(X);
  const responseTime = new Array<number>(C);
  const residence = new Array<number[]>(C);
  const queue = new Array<number[]>(C);
  const busy = new Float64Array(K); // Σ_c X_c D_{c,k}
  for (let c = 0; c < C; c++) {
    const rowR = new Array<number>(K);
    const rowQ = new Array<number>(K);
    let sum = 0;
    for (let k = 0; k < K; k++) {
      rowR[k] = R[c * K + k]!;
      rowQ[k] = X[c]! * R[c * K + k]!;
      busy[k]! += X[c]! * D[c * K + k]!;
      sum += R[c * K + k]!;
    }
    residence[c] = rowR;
    queue[c] = rowQ;
    responseTime[c] = sum;
  }
  const utilisation = new Array<number>(K);
  for (let k = 0; k < K; k++) utilisation[k] = busy[k]! / (m[k]! * copies[k]!);
  return {
    throughput,
    responseTime,
    residence,
    queue,
    utilisation,
    queuePerCopy: Q,
    iterations,
    converged,
  };
}
