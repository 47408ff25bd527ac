import type { Model, ProjectionPoint, SolverMethod, TargetTopology } from '../core/model.ts';
import { bottleneck, totalDemand, type BoundStation } from './laws.ts';
import { exactLoadDependentMva, exactMva, type ExactStation } from './mva-exact.ts';
import { schweitzerMva } from './mva-approx.ts';
import { hostServers, mixDemands, mixThinkTime, withHostServers, type Network } from './network.ts';
import { solveOpen } from './open.ts';
import { buildNetwork, type TopologyNetwork } from './topology.ts';

/** One load point of a projection: build the target network for that load, solve it, report per class. */

export interface PointContext {
  model: Model;
  topology: TargetTopology;
  /** mixShare_c: share of completed requests. */
  mix: number[];
  /** Share of the users assigned to each class in the closed model (see userShares). */
  userShares: number[];
  /** p95/mean per class. */
  tails: number[];
}

export interface SolvedPoint {
  point: ProjectionPoint;
  built: TopologyNetwork;
  /** Schweitzer's per-copy queues, for warm-starting the next population. */
  queuePerCopy?: Float64Array;
  converged: boolean;
}

/**
 * A request class is not a population of its own: a user cycles through classes in the mix. The closed model
 * gives class c the share of users equal to its share of a user's cycle time, mix_c(Z_c + D_c) / Σ_j mix_j(Z_j + D_j),
 * which reproduces the measured mix at light load (D_c = Σ_k D_{c,k}, the response time of a lone request).
 */
export function userShares(model: Model): number[] {
  const cycle = model.classes.map((c) => c.mixShare * (c.thinkTimeSeconds + Object.values(c.demands).reduce((a, b) => a + b, 0)));
  const total = cycle.reduce((a, b) => a + b, 0);
  return total > 0 ? cycle.map((t) => t / total) : model.classes.map(() => 1 / model.classes.length);
}

/** Bounds view of a network under the request mix: D_k = Σ_c mix_c D_{c,k}, shared by m_k · copies_k servers. */
export function networkBounds(network: Network, mix: readonly number[]) {
  const D = mixDemands(network, mix);
  const host = network.sharedHost;
  // On a shared host the host's cores also serve the replicas: its bound counts their demand too.
  const appDemand = host ? host.appStations.reduce((d, k) => d + (D[k] ?? 0), 0) : 0;
  const stations: BoundStation[] = network.stations.map((s, k) =>
    host && k === host.station
      ? { name: s.name, demand: (D[k] ?? 0) + appDemand, servers: Math.max(1e-9, host.vcpus - host.backgroundServers), delay: false }
      : { name: s.name, demand: D[k] ?? 0, servers: s.servers * s.copies, delay: s.kind === 'delay' },
  );
  const Z = mixThinkTime(network, mix);
  const worst = bottleneck(stations);
  // The lone request's time counts the replicas' demand once, wherever the bound puts it.
  const D0 = totalDemand(stations) - appDemand;
  return {
    station: worst.name,
    demandPerServerSeconds: worst.demandPerServer,
    maxThroughput: worst.demandPerServer > 0 ? 1 / worst.demandPerServer : Infinity,
    kneeUsers: worst.demandPerServer > 0 ? (D0 + Z) / worst.demandPerServer : Infinity,
    /** Σ_k D_k + Z: one request's cycle at light load, for Little's law estimates. */
    cycleSeconds: D0 + Z,
  };
}

function toPoint(
  ctx: PointContext,
  network: Network,
  load: { users: number | null; rate: number | null },
  throughput: readonly number[],
  responseTime: readonly (number | null)[],
  utilisation: readonly number[],
  saturated: boolean,
  method: SolverMethod,
): ProjectionPoint {
  const names = ctx.model.classes.map((c) => c.name);
  let worst = 0;
  network.stations.forEach((s, k) => {
    const best = network.stations[worst];
    if (s.kind === 'queue' && (best?.kind === 'delay' || (utilisation[k] ?? 0) > (utilisation[worst] ?? 0))) worst = k;
  });
  return {
    users: load.users,
    rate: load.rate,
    throughput: {
      total: throughput.reduce((a, b) => a + b, 0),
      perClass: Object.fromEntries(names.map((n, c) => [n, throughput[c] ?? 0])),
    },
    responseTimeMean: Object.fromEntries(names.map((n, c) => [n, responseTime[c] ?? null])),
    p95: Object.fromEntries(names.map((n, c) => [n, responseTime[c] == null ? null : responseTime[c]! * (ctx.tails[c] ?? 1)])),
    utilisation: Object.fromEntries(network.stations.map((s, k) => [s.name, utilisation[k] ?? 0])),
    bottleneck: network.stations[worst]?.name ?? '',
    saturated,
    method,
    ioPerSecond: ioPerSecond(ctx, throughput),
  };
}

/** I/O at the database(s): Σ_c X_c · (reads + writes per request of c), when the calibration run measured it. */
function ioPerSecond(ctx: PointContext, throughput: readonly number[]): number | null {
  const io = ctx.model.database?.io;
  if (!io) return null;
  return ctx.model.classes.reduce((sum, c, i) => sum + (throughput[i] ?? 0) * ((io[c.name]?.reads ?? 0) + (io[c.name]?.writes ?? 0)), 0);
}

/** Stations expanded copy by copy, each with D/copies: the exact solvers know nothing of copies. */
function expandCopies(network: Network): ExactStation[] {
  return network.stations.flatMap((s, k) =>
    Array.from({ length: s.copies }, () => ({ kind: s.kind, demand: (network.classes[0]?.demands[k] ?? 0) / s.copies, servers: s.servers })),
  );
}

export interface ClosedOptions {
  /** Single-class populations up to this size are solved exactly. */
  exactLimit: number;
  forceApproximate: boolean;
  initialQueue?: Float64Array;
}

export function closedPoint(ctx: PointContext, users: number, options: ClosedOptions): SolvedPoint {
  const built = buildNetwork(ctx.model, ctx.topology, users);
  const { network } = built;
  const load = { users, rate: null };
  const single = network.classes.length === 1 && Number.isInteger(users) && users >= 1 && users <= options.exactLimit;
  if (single && !options.forceApproximate && !network.sharedHost) {
    const stations = expandCopies(network);
    const multiServer = network.stations.some((s) => s.kind === 'queue' && s.servers > 1);
    const last = (multiServer ? exactLoadDependentMva : exactMva)(stations, network.classes[0]!.thinkTime, users).at(-1)!;
    const utilisation = network.stations.map((s, k) => (last.throughput * network.classes[0]!.demands[k]!) / (s.servers * s.copies));
    const method = multiServer ? 'exact-load-dependent-mva' : 'exact-mva';
    return { point: toPoint(ctx, network, load, [last.throughput], [last.responseTime], utilisation, false, method), built, converged: true };
  }
  const populations = ctx.userShares.map((s) => s * users);
  const solve = (net: Network, initialQueue?: Float64Array) => schweitzerMva(net, populations, initialQueue ? { initialQueue } : {});
  let solved = solve(network, options.initialQueue);
  let utilisation = solved.utilisation;
  const host = network.sharedHost;
  if (host) {
    // The host gets the cores the replicas leave; their use depends on the throughput, so iterate (damped).
    let appBusy = 0;
    for (let i = 0; i < 100; i++) {
      const measured = busyAt(network, solved.throughput, host.appStations);
      const next = i === 0 ? measured : (appBusy + measured) / 2;
      const settled = Math.abs(next - appBusy) < 1e-4;
      appBusy = next;
      solved = solve(withHostServers(network, hostServers(host, appBusy)), solved.queuePerCopy);
      if (settled) break;
    }
    utilisation = hostUtilisation(network, solved.throughput, solved.utilisation);
  }
  return {
    point: toPoint(ctx, network, load, solved.throughput, solved.responseTime, utilisation, false, 'schweitzer-seidmann'),
    built,
    queuePerCopy: solved.queuePerCopy,
    converged: solved.converged,
  };
}

/** Busy servers at the given stations, all copies: Σ_k Σ_c X_c D_{c,k}. */
function busyAt(network: Network, throughput: readonly number[], stations: readonly number[]): number {
  return stations.reduce((u, k) => u + network.classes.reduce((s, cls, c) => s + (throughput[c] ?? 0) * (cls.demands[k] ?? 0), 0), 0);
}

/** On a shared host, the host's utilisation is that of the whole machine: every process's busy cores over its vCPUs. */
function hostUtilisation(network: Network, throughput: readonly number[], utilisation: readonly number[]): number[] {
  const host = network.sharedHost!;
  const all = busyAt(network, throughput, network.stations.flatMap((s, k) => (s.kind === 'queue' ? [k] : [])));
  return utilisation.map((u, k) => (k === host.station ? Math.min(1, (all + host.backgroundServers) / host.vcpus) : u));
}

/**
 * Open load at `rate` requests/s split by the mix. Sticky imbalance needs a user count: Little's law gives
 * N ≈ λ · (Z + D) for the mix at light load.
 */
export function openPoint(ctx: PointContext, rate: number): SolvedPoint {
  const light = buildNetwork(ctx.model, { ...ctx.topology, sessions: 'shared' }).network;
  const users = rate * networkBounds(light, ctx.mix).cycleSeconds;
  const built = buildNetwork(ctx.model, ctx.topology, users);
  const rates = ctx.mix.map((s) => s * rate);
  const host = built.network.sharedHost;
  const network = host ? withHostServers(built.network, hostServers(host, busyAt(built.network, rates, host.appStations))) : built.network;
  const solved = solveOpen(network, rates);
  const capacity = networkBounds(network, ctx.mix).maxThroughput;
  // A saturated open system cannot carry the offered rate: report what the bottleneck lets through.
  const carried = solved.saturated ? rates.map((r) => r * Math.min(1, capacity / rate)) : rates;
  const response = solved.responseTime.map((r) => (Number.isFinite(r) ? r : null));
  const utilisation = (host ? hostUtilisation(built.network, rates, solved.utilisation) : solved.utilisation).map((u) => Math.min(1, u));
  return { point: toPoint(ctx, built.network, { users: null, rate }, carried, response, utilisation, solved.saturated, 'open-erlang-c'), built, converged: true };
}
