/**
 * ramping-vus: the VU count follows the stages' lines (closed model). VUs above a lowered target finish
 * their current iteration and stop; one still running after gracefulRampDown is cut.
 */
import { closedLoop, clockNow, gracefulStop, sampleVus, stoppableSleeper, VuPool, type ConfigOf, type ExecutorSpec } from './base.ts';

type Config = ConfigOf<'ramping-vus'>;

/** As k6 does: one VU at a time along each stage's line, the count truncated towards the stage's start. */
export function* vuSteps(startVUs: number, stages: Config['stages']): Generator<{ atMs: number; target: number }> {
  let from = startVUs;
  let t = 0;
  for (const s of stages) {
    const ms = s.duration * 1000;
    const n = Math.abs(s.target - from);
    const dir = Math.sign(s.target - from);
    for (let j = 1; j <= n; j++) yield { atMs: t + (j * ms) / n, target: from + dir * j };
    t += ms;
    from = s.target;
  }
}

export const rampingVus: ExecutorSpec<Config> = {
  plannedSeconds: (c) => c.stages.reduce((s, st) => s + st.duration, 0),
  maxVUs: (c) => Math.max(c.startVUs ?? 1, ...c.stages.map((s) => s.target)),

  async run(c, env) {
    const pool = new VuPool(env, this.maxVUs(c));
    const rampDownMs = (c.gracefulRampDown ?? 30) * 1000;
    const loops: (Promise<void> | undefined)[] = [];
    const downSince: (number | undefined)[] = [];
    const timers = new Set<NodeJS.Timeout>();
    let target = c.startVUs ?? 1;
    let ended = false;

    const startLoops = (): void => {
      for (let i = 0; i < target; i++) {
        downSince[i] = undefined;
        loops[i] ??= closedLoop(env, pool, pool.at(i), () => !ended && i < target).then(() => {
          loops[i] = undefined;
        });
      }
    };
    const cutLingering = (): void => {
      const now = clockNow(env.clock);
      for (let i = target; i < pool.all.length; i++) {
        const since = downSince[i];
        if (loops[i] && since !== undefined && now - since >= rampDownMs - 1) pool.all[i]!.interrupt();
      }
    };
    const setTarget = (next: number): void => {
      if (next > target) {
        target = next;
        startLoops();
        return;
      }
      const now = clockNow(env.clock);
      for (let i = next; i < target; i++) downSince[i] = now;
      target = next;
      const t = setTimeout(() => {
        timers.delete(t);
        cutLingering();
      }, rampDownMs);
      timers.add(t);
    };

    const stopSampling = sampleVus(env, pool);
    const { until, dispose } = stoppableSleeper(env);
    try {
      const t0 = clockNow(env.clock);
      startLoops();
      for (const step of vuSteps(target, c.stages)) {
        if (!(await until(t0 + step.atMs))) break;
        setTarget(step.target);
      }
      await until(t0 + this.plannedSeconds(c) * 1000);
      ended = true;
      await gracefulStop(env, pool, Promise.all(loops));
    } finally {
      ended = true;
      for (const t of timers) clearTimeout(t);
      dispose();
      stopSampling();
    }
  },
};
