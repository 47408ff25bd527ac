import type { HostLine } from '../core/resources.ts';

/**
 * Seconds in which the machine ran slow, from the host-speed probe (src/probe/host-speed.ts): a unit of work
 * costing more than SLOW_FACTOR × its usual CPU time. The usual time is the run's 10th percentile, so a machine
 * slow throughout still shows as slow only against its own best seconds — compare runs' baselines for that.
 */
export const SLOW_FACTOR = 1.5;
/** Seconds around a slow sample that count as slow too. */
export const MARGIN = { before: 2, after: 5 } as const;

export interface HostSpeed {
  /** CPU ms of the unit at the machine's usual speed (10th percentile over the run); null without samples. */
  baselineMs: number | null;
  slow: Set<number>;
  sampled: number;
}

export function hostSpeed(lines: readonly HostLine[]): HostSpeed {
  const costs = lines.map((l) => l.unitCpuMs).filter((c) => c > 0).sort((a, b) => a - b);
  if (costs.length === 0) return { baselineMs: null, slow: new Set(), sampled: 0 };
  const baseline = costs[Math.floor((costs.length - 1) * 0.1)]!;
  const slowest = new Set(lines.filter((l) => l.unitCpuMs > SLOW_FACTOR * baseline).map((l) => l.t));
  // One sample a second misses where a slow stretch begins and ends, and the queues it built take a while to drain.
  const slow = new Set<number>();
  for (const t of slowest) for (let d = -MARGIN.before; d <= MARGIN.after; d++) if (t + d >= 0) slow.add(t + d);
  return { baselineMs: baseline, slow, sampled: lines.length };
}

/** A warning sentence when part of the run was slow, else null. */
export function slowWarning(speed: HostSpeed, what: string): string | null {
  if (speed.slow.size === 0) return null;
  return (
    `the machine ran slow in ${speed.slow.size} of ${speed.sampled} seconds (with ${MARGIN.before} s before and ${MARGIN.after} s after each slow sample) (a unit of work cost over ${SLOW_FACTOR}× its usual CPU time: ` +
    `a throttled or shared VM); ${what}`
  );
}
