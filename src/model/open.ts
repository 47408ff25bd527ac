import { checkNetwork, type Network } from './network.ts';

/**
 * Open model: requests arrive at rates λ_c whatever the response time (reference/modeling.md, "Open model").
 *
 * Utilisation at one copy of station k: U_k = Σ_c λ_c D_{c,k} / copies_k, in busy servers; stable only while
 * U_k < m_k. Single server: R_{c,k} = D_{c,k} / (1 − U_k). With m servers we use Erlang C on the offered load
 * a = U_k (ρ = a/m): R_{c,k} = D_{c,k} (1 + P_wait / (m (1 − ρ))), which is R = S + W_q with
 * W_q = P_wait · S / (m(1 − ρ)) for one class and reduces to D/(1 − U) when m = 1.
 */

/**
 * Erlang B blocking probability for m servers and offered load a, by the recurrence
 * B(0) = 1, B(j) = a·B(j−1) / (j + a·B(j−1)): no factorials or powers, so it is stable for thousands of servers.
 */
export function erlangB(servers: number, offeredLoad: number): number {
  if (!Number.isInteger(servers) || servers < 0) throw new RangeError('servers must be an integer ≥ 0');
  let b = 1;
  for (let j = 1; j <= servers; j++) b = (offeredLoad * b) / (j + offeredLoad * b);
  return b;
}

/**
 * Erlang C: the probability that an arrival waits, P_wait = B / (1 − ρ(1 − B)) with B = Erlang B(m, a), ρ = a/m.
 * Equal to the textbook [a^m/(m!(1−ρ))] / [Σ_{i<m} a^i/i! + a^m/(m!(1−ρ))]; 1 when ρ ≥ 1 (everyone waits).
 */
export function erlangC(servers: number, offeredLoad: number): number {
  const rho = offeredLoad / servers;
  if (rho >= 1) return 1;
  if (offeredLoad <= 0) return 0;
  const b = erlangB(servers, offeredLoad);
  return b / (1 - rho * (1 - b));
}

/** Mean response time of an M/M/m queue with service time S and offered load a = λS: R = S + P_wait·S/(m(1−ρ)). */
export function mmmResponseTime(servers: number, serviceTime: number, offeredLoad: number): number {
  const rho = offeredLoad / servers;
  if (rho >= 1) return Infinity;
  return serviceTime + (erlangC(servers, offeredLoad) * serviceTime) / (servers * (1 - rho));
}

export interface OpenSolution {
  /** U_k in busy servers at one copy (Σ_c λ_c D_{c,k} / copies). */
  busyServers: number[];
  /** U_k / m_k: busy fraction of one copy's servers. */
  utilisation: number[];
  /** R_{c,k}; Infinity at a saturated station. */
  residence: number[][];
  /** R_c = Σ_k R_{c,k}; Infinity when the class visits a saturated station. */
  responseTime: number[];
  saturated: boolean;
  saturatedStations: string[];
}

export function solveOpen(network: Network, rates: readonly number[]): OpenSolution {
  checkNetwork(network);
  const { stations, classes } = network;
  const busyServers = stations.map((st, k) => classes.reduce((u, cls, c) => u + (rates[c] ?? 0) * cls.demands[k]!, 0) / st.copies);
  const saturatedStations = stations.filter((st, k) => st.kind === 'queue' && busyServers[k]! >= st.servers).map((st) => st.name);

  // Stretch factor per station: R_{c,k} = D_{c,k} · stretch_k.
  const stretch = stations.map((st, k) => {
    if (st.kind === 'delay') return 1;
    const a = busyServers[k]!;
    const rho = a / st.servers;
    if (rho >= 1) return Infinity;
    if (Number.isInteger(st.servers)) return 1 + erlangC(st.servers, a) / (st.servers * (1 - rho));
    // A share of a shared host's cores (network.ts, SharedHost): Seidmann's form, as the closed solver uses —
    // a single server of rate m (demand D/m) plus, above one server, a delay of D(m − 1)/m.
    return 1 / (st.servers * (1 - rho)) + Math.max(0, (st.servers - 1) / st.servers);
  });
  const residence = classes.map((cls) => cls.demands.map((D, k) => (D === 0 ? 0 : D * stretch[k]!)));
  return {
    busyServers,
    utilisation: busyServers.map((u, k) => u / stations[k]!.servers),
    residence,
    responseTime: residence.map((row) => row.reduce((a, b) => a + b, 0)),
    saturated: saturatedStations.length > 0,
    saturatedStations,
  };
}
