/**
 * ramping-arrival-rate: the rate moves linearly within each stage (as in k6); arrival i is due when the
 * integral of the rate since the start reaches i, so starts are evenly spaced by the instantaneous rate.
 */
import { runArrivals, type ConfigOf, type ExecutorSpec } from './base.ts';

type Config = ConfigOf<'ramping-arrival-rate'>;

export function* rampingArrivals(startRate: number, stages: Config['stages'], timeUnitSeconds = 1): Generator<number> {
  const unitMs = timeUnitSeconds * 1000;
  let from = startRate / unitMs; // arrivals per ms
  let stageStart = 0;
  let before = 0; // arrivals due before this stage (the integral, not rounded)
  let i = 0;
  for (const s of stages) {
    const ms = s.duration * 1000;
    const to = s.target / unitMs;
    const inStage = ((from + to) / 2) * ms;
    // Within the stage, arrivals so far = from·τ + k·τ², k = (to − from)/(2·ms); solved for τ in the
    // form that stays exact when k is 0 or negative.
    const k = (to - from) / (2 * ms);
    while (i < before + inStage - 1e-9) {
      const need = i - before;
      const tau = need <= 0 ? 0 : (2 * need) / (from + Math.sqrt(Math.max(0, from * from + 4 * k * need)));
      yield stageStart + Math.min(tau, ms);
      i++;
    }
    before += inStage;
    stageStart += ms;
    from = to;
  }
}

export const rampingArrivalRate: ExecutorSpec<Config> = {
  plannedSeconds: (c) => c.stages.reduce((s, st) => s + st.duration, 0),
  maxVUs: (c) => Math.max(c.preAllocatedVUs, c.maxVUs ?? 0, 1),
  run(c, env) {
    const offsets = rampingArrivals(c.startRate ?? 0, c.stages, c.timeUnit);
    return runArrivals(env, c.preAllocatedVUs, this.maxVUs(c), offsets, this.plannedSeconds(c) * 1000);
  },
};
