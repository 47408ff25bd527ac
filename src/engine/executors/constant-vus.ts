/** constant-vus: a fixed number of VUs loop over iterations for a duration (closed model). */
import { closedLoop, clockNow, gracefulStop, sampleVus, stoppableSleeper, VuPool, type ConfigOf, type ExecutorSpec } from './base.ts';

export const constantVus: ExecutorSpec<ConfigOf<'constant-vus'>> = {
  plannedSeconds: (c) => c.duration,
  maxVUs: (c) => c.vus,

  async run(c, env) {
    const pool = new VuPool(env, c.vus);
    const stopSampling = sampleVus(env, pool);
    const { until, dispose } = stoppableSleeper(env);
    let ended = false;
    try {
      const t0 = clockNow(env.clock);
      const loops = Array.from({ length: c.vus }, (_, i) => closedLoop(env, pool, pool.at(i), () => !ended));
      await until(t0 + c.duration * 1000);
      ended = true;
      await gracefulStop(env, pool, Promise.all(loops));
    } finally {
      ended = true;
      dispose();
      stopSampling();
    }
  },
};
