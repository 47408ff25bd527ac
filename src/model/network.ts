import type { StationRole } from '../core/model.ts';

/**
 * The queueing network the solvers work on: what a topology transform produces from a calibrated model.
 *
 * A station may stand for `copies` identical copies that share its visits evenly (N app replicas, R Aurora
 * readers, N Galera nodes). Demands are per request summed over the copies, so one copy carries D/copies and a
 * request's residence over all copies is copies · (D/copies)(1 + Q_copy) = D(1 + Q_copy): the solvers need one
 * queue length per copy, not one per replica, and the cost of a solve does not grow with the replica count.
 */
export interface Station {
  name: string;
  role: StationRole;
  kind: 'queue' | 'delay';
  /** m: identical servers at one copy (vCPUs). */
  servers: number;
  copies: number;
}

export interface NetworkClass {
  name: string;
  /** Z_c, seconds. */
  thinkTime: number;
  /** D_{c,k} per station index, seconds per request over all copies of station k. */
  demands: number[];
}

export const HOST_STATION = 'host';

/**
 * Every process on one machine (topology `host`): the station at `station` stands for all CPU work outside the
 * replicas, and its servers are the vCPUs that the replicas' busy cores (Σ over `appStations` of X·D) and the
 * background leave free — found by iterating the solve, since the replicas' use depends on the throughput.
 */
export interface SharedHost {
  vcpus: number;
  station: number;
  appStations: number[];
  /** U0 of every process, busy servers. */
  backgroundServers: number;
}

export interface Network {
  stations: Station[];
  classes: NetworkClass[];
  sharedHost?: SharedHost;
}

/** Least servers left to the host station, so a solve at overload still has a (very slow) server to queue at. */
export const MIN_HOST_SERVERS = 0.05;

/** The host's servers once the replicas and the background have taken `appBusy` and U0 cores. */
export function hostServers(host: SharedHost, appBusy: number): number {
  return Math.max(MIN_HOST_SERVERS, host.vcpus - host.backgroundServers - appBusy);
}

/** The network with the host station's servers set to `servers` (a fraction is allowed: a share of the cores). */
export function withHostServers(network: Network, servers: number): Network {
  const host = network.sharedHost;
  if (!host) return network;
  return { ...network, stations: network.stations.map((s, k) => (k === host.station ? { ...s, servers } : s)) };
}

/**
 * Aggregate per-request demand at each station for a request mix (weights sum to 1): D_k = Σ_c w_c · D_{c,k}.
 * Used by the bounds (single-class view of a multi-class workload).
 */
export function mixDemands(network: Network, weights: readonly number[]): number[] {
  return network.stations.map((_, k) =>
    network.classes.reduce((sum, cls, c) => sum + (weights[c] ?? 0) * (cls.demands[k] ?? 0), 0),
  );
}

/** Mean think time per request for a mix: Z = Σ_c w_c · Z_c. */
export function mixThinkTime(network: Network, weights: readonly number[]): number {
  return network.classes.reduce((sum, cls, c) => sum + (weights[c] ?? 0) * cls.thinkTime, 0);
}

/** Throws on demands or servers a solver cannot use; the message names the station. */
export function checkNetwork(network: Network): void {
  const K = network.stations.length;
  for (const s of network.stations) {
    if (!(s.servers > 0) || !(s.copies >= 1)) throw new RangeError(`station ${s.name}: servers must be > 0 and copies ≥ 1`);
  }
  for (const cls of network.classes) {
    if (cls.demands.length !== K) throw new RangeError(`class ${cls.name}: ${cls.demands.length} demands for ${K} stations`);
    if (cls.demands.some((d) => !(d >= 0) || !Number.isFinite(d))) throw new RangeError(`class ${cls.name}: demands must be finite and ≥ 0`);
    if (!(cls.thinkTime >= 0)) throw new RangeError(`class ${cls.name}: think time must be ≥ 0`);
  }
}
