/**
 * Operational laws and asymptotic bounds (reference/modeling.md, "Operational laws"). They hold for any measured
 * interval, with no assumption about distributions, so they check both measurements and solver output.
 */

/** Utilisation law: U = X · D. */
export function utilisation(throughput: number, demand: number): number {
  return throughput * demand;
}

/** Service demand law (the utilisation law solved for D): D = U / X. */
export function demandFromUtilisation(utilisation: number, throughput: number): number {
  if (!(throughput > 0)) throw new RangeError('throughput must be > 0 to derive a demand');
  return utilisation / throughput;
}

/** Little's law for an interactive system: N = X · (R + Z). */
export function littlePopulation(throughput: number, responseTime: number, thinkTime: number): number {
  return throughput * (responseTime + thinkTime);
}

/** Interactive response time law: R = N / X − Z. */
export function interactiveResponseTime(users: number, throughput: number, thinkTime: number): number {
  if (!(throughput > 0)) throw new RangeError('throughput must be > 0');
  return users / throughput - thinkTime;
}

/** A station as the bounds see it: total demand D_k and the servers that share it (m · copies). */
export interface BoundStation {
  name: string;
  demand: number;
  servers?: number;
  /** Delay stations add to D but never saturate. */
  delay?: boolean;
}

/** The bottleneck: the queueing station with the largest demand per server, D_max = max_k D_k / m_k. */
export function bottleneck(stations: readonly BoundStation[]): { name: string; demandPerServer: number } {
  let best = { name: '', demandPerServer: 0 };
  for (const s of stations) {
    if (s.delay) continue;
    const perServer = s.demand / (s.servers ?? 1);
    if (perServer > best.demandPerServer || best.name === '') best = { name: s.name, demandPerServer: perServer };
  }
  return best;
}

/** Total demand D = Σ_k D_k: the response time of a lone request. */
export function totalDemand(stations: readonly BoundStation[]): number {
  return stations.reduce((sum, s) => sum + s.demand, 0);
}

/**
 * Asymptotic bounds for N users with think time Z:
 * X(N) ≤ min(N / (D + Z), 1 / D_max) and R(N) ≥ max(D, N · D_max − Z).
 */
export function asymptoticBounds(
  stations: readonly BoundStation[],
  thinkTime: number,
  users: number,
): { throughputUpper: number; responseTimeLower: number } {
  const D = totalDemand(stations);
  const Dmax = bottleneck(stations).demandPerServer;
  const throughputUpper = Math.min(users / (D + thinkTime), Dmax > 0 ? 1 / Dmax : Infinity);
  const responseTimeLower = Math.max(D, users * Dmax - thinkTime);
  return { throughputUpper, responseTimeLower };
}

/** The knee N* = (D + Z) / D_max: beyond it the bottleneck, not the users, limits throughput. */
export function kneeUsers(stations: readonly BoundStation[], thinkTime: number): number {
  const Dmax = bottleneck(stations).demandPerServer;
  return Dmax > 0 ? (totalDemand(stations) + thinkTime) / Dmax : Infinity;
}
