import { MODEL_SCHEMA, type Model, type Projection, type ProjectionPoint, type TargetTopology } from '../core/model.ts';
import { closedPoint, networkBounds, openPoint, userShares, type PointContext, type SolvedPoint } from './solve-point.ts';
import { describeTopology, topologyVcpus } from './topology.ts';

/**
 * `simulate`: project a calibrated model onto a topology for a list of loads. Closed loads (users) use exact MVA
 * for small single-class populations and Schweitzer/Bard approximate MVA with Seidmann's multi-server
 * approximation otherwise; open loads (arrival rates) use the open model with Erlang C.
 */

export type Load = { users: number[] } | { rates: number[] };

export interface Slo {
  p95Seconds: number;
  /** Classes the SLO applies to; all classes when omitted. */
  classes?: string[];
}

export interface ProjectOptions {
  /** Largest single-class population solved exactly (load-dependent MVA costs O(N²K)). Default 200. */
  exactLimit?: number;
  /** Always use Schweitzer (benchmarks, cross-checks). */
  forceApproximate?: boolean;
  /** Start each population's fixed-point from the previous one's queues, scaled. Default true. */
  warmStart?: boolean;
}

export const P95_METHOD =
  'derived: p95 = mean response time (MVA) × the class’s measured p95/mean ratio from the calibration run; ' +
  'it assumes the tail keeps its measured shape as load changes, which understates it near saturation';

function context(model: Model, topology: TargetTopology, warnings: string[]): PointContext {
  const measuredTails = Object.values(model.tail.p95OverMean);
  const fallback = measuredTails.length > 0 ? Math.max(...measuredTails) : 2;
  const tails = model.classes.map((c) => {
    const t = model.tail.p95OverMean[c.name];
    if (t === undefined) warnings.push(`class ${c.name} has no measured tail ratio; using ${fallback.toFixed(2)}, the largest of the others`);
    return t ?? fallback;
  });
  return { model, topology, mix: model.classes.map((c) => c.mixShare), userShares: userShares(model), tails };
}

const worstP95 = (point: ProjectionPoint, classes: readonly string[]): number | null => {
  let worst = 0;
  for (const c of classes) {
    const p = point.p95[c];
    if (p == null) return null; // saturated
    worst = Math.max(worst, p);
  }
  return worst;
};

export function project(model: Model, topology: TargetTopology, load: Load, slo?: Slo, options: ProjectOptions = {}): Projection {
  const warnings: string[] = [];
  const ctx = context(model, topology, warnings);
  const closed = 'users' in load;
  const loads = closed ? load.users : load.rates;
  if (loads.length === 0) throw new RangeError('project: no load points');
  const closedOptions = { exactLimit: options.exactLimit ?? 200, forceApproximate: options.forceApproximate ?? false };
  const solveAt = (x: number, previous?: SolvedPoint, previousLoad?: number): SolvedPoint => {
    if (!closed) return openPoint(ctx, x);
    const warm = (options.warmStart ?? true) && previous?.queuePerCopy && previousLoad && previousLoad > 0;
    const initialQueue = warm ? previous!.queuePerCopy!.map((q) => (q * x) / previousLoad!) : undefined;
    return closedPoint(ctx, x, initialQueue ? { ...closedOptions, initialQueue } : closedOptions);
  };

  const solved: SolvedPoint[] = [];
  loads.forEach((x, i) => {
    if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`project: load ${x} is not a number ≥ 0`);
    solved.push(solveAt(x, solved[i - 1], loads[i - 1]));
  });
  const points = solved.map((s) => s.point);
  const unconverged = solved.filter((s) => !s.converged).map((s) => s.point.users ?? s.point.rate);
  if (unconverged.length > 0) warnings.push(`the approximate solver hit its iteration cap at ${unconverged.join(', ')}`);

  // Bounds come from the network at the largest load: the sticky split is most even there.
  const largest = loads.reduce((a, b) => Math.max(a, b), 0);
  const reference = solved[loads.indexOf(largest)]!.built;
  const bounds = networkBounds(reference.network, ctx.mix);
  if (!Number.isFinite(bounds.maxThroughput)) throw new RangeError('project: the model has no demand at any queueing station');
  const plateau = points.find((p) => p.throughput.total >= 0.9 * bounds.maxThroughput);

  let sloResult: Projection['slo'] = null;
  if (slo) {
    const classes = slo.classes ?? model.classes.map((c) => c.name);
    const passes = (p: ProjectionPoint) => {
      const w = worstP95(p, classes);
      return w !== null && w <= slo.p95Seconds && !p.saturated;
    };
    const order = loads.map((x, i) => ({ x, point: points[i]! })).sort((a, b) => a.x - b.x);
    const firstFail = order.findIndex((o) => !passes(o.point));
    if (firstFail < 0) {
      sloResult = { p95Seconds: slo.p95Seconds, classes, withinSlo: order.at(-1)!.x, bound: 'beyond-grid' };
    } else {
      // Bisect between the last passing load (or zero) and the first failing one.
      let lo = firstFail > 0 ? order[firstFail - 1]!.x : 0;
      let hi = order[firstFail]!.x;
      for (let step = 0; step < 60 && (closed ? hi - lo > 1 : hi - lo > 1e-3 * hi); step++) {
        const mid = closed ? Math.floor((lo + hi) / 2) : (lo + hi) / 2;
        if (passes(solveAt(mid).point)) lo = mid;
        else hi = mid;
      }
      sloResult = lo > 0 ? { p95Seconds: slo.p95Seconds, classes, withinSlo: lo, bound: 'within-grid' } : { p95Seconds: slo.p95Seconds, classes, withinSlo: null, bound: 'never' };
    }
  }

  const assumptions = [...new Set(solved.flatMap((s) => s.built.assumptions))];
  const topologyWarnings = [...new Set(solved.flatMap((s) => s.built.warnings))];
  const multiServer = !closed
    ? 'Erlang C per station (M/M/m), R = D(1 + P_wait/(m(1−ρ)))'
    : points.every((p) => p.method !== 'schweitzer-seidmann')
      ? 'exact (load-dependent MVA for multi-server stations)'
      : 'Seidmann: an m-server station is a queue with demand D/m in series with a delay of D(m−1)/m';
  return {
    schema: MODEL_SCHEMA,
    source: { runId: model.source.runId },
    topology,
    description: describeTopology(topology),
    load: closed ? 'closed' : 'open',
    multiServer,
    p95Method: P95_METHOD,
    stations: reference.network.stations.map((s) => ({ ...s })),
    points,
    bottleneck: { station: bounds.station, demandPerServerSeconds: bounds.demandPerServerSeconds, maxThroughput: bounds.maxThroughput },
    saturation: {
      maxThroughput: bounds.maxThroughput,
      kneeUsers: closed ? bounds.kneeUsers : null,
      plateauAt: plateau ? (plateau.users ?? plateau.rate) : null,
    },
    slo: sloResult,
    assumptions,
    warnings: [...warnings, ...topologyWarnings, ...model.fit.warnings.map((w) => `calibration: ${w}`)],
  };
}

export interface TopologyVerdict {
  topology: TargetTopology;
  description: string;
  vcpus: number;
  point: ProjectionPoint;
  /** Worst p95 over the SLO classes; null when saturated. */
  worstP95: number | null;
  meetsSlo: boolean;
}

/**
 * The smallest candidate (fewest vCPUs; ties in the order given) that carries the target load within the SLO.
 * Cost is not known here: src/cost ranks by money, this ranks by size.
 */
export function smallestTopology(
  model: Model,
  candidates: readonly TargetTopology[],
  target: { users: number } | { rate: number },
  slo: Slo,
  options: ProjectOptions = {},
): { chosen: TopologyVerdict | null; evaluated: TopologyVerdict[] } {
  const classes = slo.classes ?? model.classes.map((c) => c.name);
  const evaluated = candidates
    .map((topology, i) => ({ topology, i, vcpus: topologyVcpus(topology) }))
    .sort((a, b) => a.vcpus - b.vcpus || a.i - b.i)
    .map(({ topology, vcpus }) => {
      const load: Load = 'users' in target ? { users: [target.users] } : { rates: [target.rate] };
      const point = project(model, topology, load, undefined, options).points[0]!;
      const worst = worstP95(point, classes);
      return { topology, description: describeTopology(topology), vcpus, point, worstP95: worst, meetsSlo: worst !== null && worst <= slo.p95Seconds && !point.saturated };
    });
  return { chosen: evaluated.find((v) => v.meetsSlo) ?? null, evaluated };
}
