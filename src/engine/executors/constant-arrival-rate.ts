/** constant-arrival-rate: `rate` iterations per `timeUnit`, evenly spaced, whatever the response times (open model). */
import { runArrivals, type ConfigOf, type ExecutorSpec } from './base.ts';

type Config = ConfigOf<'constant-arrival-rate'>;

/** Arrival i is due at i·timeUnit/rate: computed from the schedule, never from the previous start. */
export function* constantArrivals(rate: number, timeUnitSeconds = 1): Generator<number> {
  if (!(rate > 0)) return;
  const unitMs = timeUnitSeconds * 1000;
  for (let i = 0; ; i++) yield (i * unitMs) / rate;
}

export const constantArrivalRate: ExecutorSpec<Config> = {
  plannedSeconds: (c) => c.duration,
  maxVUs: (c) => Math.max(c.preAllocatedVUs, c.maxVUs ?? 0, 1),
  run(c, env) {
    return runArrivals(env, c.preAllocatedVUs, this.maxVUs(c), constantArrivals(c.rate, c.timeUnit), c.duration * 1000);
  },
};
