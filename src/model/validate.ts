import type { Model, TargetTopology } from '../core/model.ts';
import { project } from './solve.ts';

/**
 * Validation: predict runs the model was not calibrated on and compare with what they measured (issue goals:
 * throughput within 10%, mean response time within 25% below 85% utilisation, the bottleneck named correctly).
 * The measured side comes from a run directory's steady part; the predicted side from `project` on the run's own
 * topology — on the machine it ran on, every process included (topology `host`).
 */

export const GOALS = { throughput: 0.1, responseTime: 0.25, utilisationBelow: 0.85 } as const;
/** Measured utilisations this close (relative) are a tie: either station is the bottleneck. */
export const BOTTLENECK_TIE = 0.1;

/** One second of a run: per-class completions and mean latency, active users, CPU seconds per process. */
export interface RunSecond {
  t: number;
  vus: number;
  steps: Record<string, { count: number; meanSeconds: number }>;
  /** CPU seconds per sampled process this second, by process name, with its role. */
  cpu: { name: string; role: string; seconds: number }[];
  /** The machine ran slow this second (src/model/host-speed.ts): its CPU and latencies are not the workload's. */
  slow?: boolean;
}

export interface HeldOutRun {
  id: string;
  executor: string;
  topology: TargetTopology;
  appThreads: number;
  seconds: RunSecond[];
  /** The load's planned length: after it, VUs finish their iterations and the load tails off. */
  plannedSeconds?: number;
}

export interface Measured {
  /** Seconds of the steady part the figures come from. */
  seconds: number;
  /** Seconds of the steady part in which the machine ran slow: left out, unless all were (`allSlow`). */
  slowSeconds: number;
  allSlow: boolean;
  users: number;
  throughput: number;
  meanResponseSeconds: number;
  /** app: the busiest replica's CPU over its threads; host: every sampled process's CPU over the vCPUs. */
  utilisation: { app: number; host: number };
  /** `tie` when app and host utilisation are within BOTTLENECK_TIE of each other. */
  bottleneck: 'app' | 'host' | 'tie';
}

export interface ValidationRow {
  id: string;
  load: string;
  description: string;
  measured: Measured;
  predicted: { throughput: number; meanResponseSeconds: number; utilisation: { app: number; host: number }; bottleneck: string };
  errors: { throughput: number; meanResponseTime: number };
  /** Whether each goal holds; response time is judged only where the run measured under 85% utilisation (null). */
  goals: { throughput: boolean; responseTime: boolean | null; bottleneck: boolean };
}

const closedExecutors = new Set(['constant-vus', 'ramping-vus', 'per-vu-iterations', 'shared-iterations']);

/** The steady part: `skipSeconds` dropped at the start (ramp-up, JIT warm-up), and the tail after the planned end. */
export function measure(run: HeldOutRun, skipSeconds: number): Measured {
  const last = Math.min(Math.max(...run.seconds.map((s) => s.t)), run.plannedSeconds ?? Infinity);
  const inRange = run.seconds.filter((s) => s.t >= skipSeconds && s.t < last);
  const fast = inRange.filter((s) => !s.slow);
  // A run slow throughout is still measured — on every second, flagged — rather than not at all.
  const steady = fast.length > 0 ? fast : inRange;
  if (steady.length === 0) throw new RangeError(`run ${run.id} has no seconds after the first ${skipSeconds}`);
  let count = 0;
  let latency = 0;
  let vus = 0;
  const replicaCpu = new Map<string, number>();
  let allCpu = 0;
  for (const s of steady) {
    vus += s.vus;
    for (const step of Object.values(s.steps)) {
      count += step.count;
      latency += step.count * step.meanSeconds;
    }
    for (const p of s.cpu) {
      allCpu += p.seconds;
      if (p.role === 'replica') replicaCpu.set(p.name, (replicaCpu.get(p.name) ?? 0) + p.seconds);
    }
  }
  const n = steady.length;
  const host = run.topology.host?.vcpus ?? 1;
  const app = Math.max(0, ...replicaCpu.values()) / n / run.appThreads;
  const utilisation = { app, host: allCpu / n / host };
  return {
    seconds: n,
    slowSeconds: inRange.length - fast.length,
    allSlow: fast.length === 0,
    users: vus / n,
    throughput: count / n,
    meanResponseSeconds: count > 0 ? latency / count : 0,
    utilisation,
    bottleneck:
      Math.abs(utilisation.app - utilisation.host) <= BOTTLENECK_TIE * Math.max(utilisation.app, utilisation.host)
        ? 'tie'
        : utilisation.app > utilisation.host ? 'app' : 'host',
  };
}

const relative = (predicted: number, measured: number) => (measured > 0 ? (predicted - measured) / measured : predicted > 0 ? Infinity : 0);

/** Predicts one held-out run at its measured load (users for a closed run, requests/s for an open one). */
export function validateRun(model: Model, run: HeldOutRun, skipSeconds: number): ValidationRow {
  const measured = measure(run, skipSeconds);
  const closed = closedExecutors.has(run.executor);
  const load = closed ? { users: [Math.max(1, Math.round(measured.users))] } : { rates: [measured.throughput] };
  const projection = project(model, run.topology, load);
  const point = projection.points[0]!;
  const total = point.throughput.total;
  const mean = total > 0 ? Object.entries(point.responseTimeMean).reduce((s, [c, r]) => s + (r ?? Infinity) * (point.throughput.perClass[c] ?? 0), 0) / total : Infinity;
  const appUtil = Math.max(0, ...Object.entries(point.utilisation).filter(([k]) => k.startsWith('app')).map(([, u]) => u));
  const hostUtil = point.utilisation.host ?? 0;
  const bottleneck = point.bottleneck.replace(/#.*$/, '');
  const errors = { throughput: relative(total, measured.throughput), meanResponseTime: relative(mean, measured.meanResponseSeconds) };
  const busiest = Math.max(measured.utilisation.app, measured.utilisation.host);
  return {
    id: run.id,
    load: closed ? `${load.users![0]} users` : `${measured.throughput.toFixed(1)} req/s offered`,
    description: projection.description,
    measured,
    predicted: { throughput: total, meanResponseSeconds: mean, utilisation: { app: appUtil, host: hostUtil }, bottleneck },
    errors,
    goals: {
      throughput: Math.abs(errors.throughput) <= GOALS.throughput,
      responseTime: busiest < GOALS.utilisationBelow ? Math.abs(errors.meanResponseTime) <= GOALS.responseTime : null,
      bottleneck: measured.bottleneck === 'tie' || bottleneck === measured.bottleneck,
    },
  };
}
