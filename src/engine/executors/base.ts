/**
 * What the executors share (k6's lib/executor base): the environment the runner hands them, a pool of
 * virtual users, the closed-loop and arrival-schedule drivers, VU sampling and the graceful stop.
 * Each executor file only says *when* iterations start.
 */
import type { ExecutorConfig, Journey } from '../../scenario/types.ts';
import type { RunClock } from '../http.ts';
import type { MetricsSink } from '../sink.ts';
import { Sleeper, type IterationOutcome, type VirtualUser } from '../vu.ts';

export interface ExecutorEnv {
  clock: RunClock;
  sink: MetricsSink;
  /** The run's hard stop (the user aborted): stop scheduling at once; the runner interrupts the VUs. */
  signal: AbortSignal;
  /** How long running iterations may go on after the schedule ends before they are cut. */
  gracefulStopMs: number;
  /** Makes the run's next virtual user. */
  newVu(): VirtualUser;
  /** The journey of an iteration, by weight, from a seeded hash of (a, b): repeatable for a given schedule. */
  pickJourney(a: number, b: number): Journey;
}

export interface ExecutorSpec<C extends ExecutorConfig> {
  /** Seconds of scheduled load, graceful stop excluded (for the progress bar). */
  plannedSeconds(c: C): number;
  /** The most VUs it may run at once: sizes the connection pool and the feeders' spread. */
  maxVUs(c: C): number;
  run(c: C, env: ExecutorEnv): Promise<void>;
}

export type ConfigOf<E extends ExecutorConfig['executor']> = Extract<ExecutorConfig, { executor: E }>;

export function clockNow(clock: RunClock): number {
  return performance.now() - clock.start;
}

/** The virtual users an executor has allocated, and how many are inside an iteration. */
export class VuPool {
  readonly all: VirtualUser[] = [];
  active = 0;
  private readonly idle: VirtualUser[] = [];
  private onIdle: (() => void)[] = [];

  constructor(
    private readonly env: ExecutorEnv,
    readonly max: number,
  ) {}

  /** The VU at this index, allocated on first use. */
  at(i: number): VirtualUser {
    while (this.all.length <= i) this.all.push(this.env.newVu());
    return this.all[i]!;
  }

  preallocate(n: number): void {
    for (let i = this.all.length; i < Math.min(n, this.max); i++) this.idle.push(this.at(i));
  }

  /** A free VU, allocating a new one while under `max`; undefined when every VU is busy. */
  acquire(): VirtualUser | undefined {
    return this.idle.pop() ?? (this.all.length < this.max ? this.at(this.all.length) : undefined);
  }

  async run(vu: VirtualUser, journey: Journey, intendedAt: number): Promise<IterationOutcome> {
    this.active++;
    try {
      return await vu.runIteration(journey, intendedAt);
    } finally {
      this.active--;
      if (this.active === 0) this.notifyIdle();
    }
  }

  /** Starts an iteration and returns the VU to the free list when it ends (arrival-rate executors). */
  start(vu: VirtualUser, journey: Journey, intendedAt: number): void {
    void this.run(vu, journey, intendedAt).then(() => this.idle.push(vu));
  }

  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.onIdle.push(resolve));
  }

  interruptAll(): void {
    for (const vu of this.all) vu.interrupt();
  }

  private notifyIdle(): void {
    const waiting = this.onIdle;
    this.onIdle = [];
    for (const w of waiting) w();
  }
}

/** Sleeps on the run clock until a moment; the run's hard stop cuts the sleep short (resolving false). */
export function stoppableSleeper(env: ExecutorEnv): { until: (t: number) => Promise<boolean>; dispose: () => void } {
  const sleeper = new Sleeper(env.clock);
  const cancel = (): void => sleeper.cancel();
  env.signal.addEventListener('abort', cancel, { once: true });
  return {
    until: (t) => (env.signal.aborted ? Promise.resolve(false) : sleeper.until(t)),
    dispose: () => env.signal.removeEventListener('abort', cancel),
  };
}

/** Reports active and allocated VUs now, about once a second, and once more when stopped. */
export function sampleVus(env: ExecutorEnv, pool: VuPool): () => void {
  const tick = (): void => env.sink.vus(clockNow(env.clock), pool.active, pool.all.length);
  tick();
  const timer = setInterval(tick, 1000);
  return () => {
    clearInterval(timer);
    tick();
  };
}

/** One VU's closed loop: each iteration starts when the previous one ends, so its intended start is "now". */
export async function closedLoop(env: ExecutorEnv, pool: VuPool, vu: VirtualUser, keepGoing: () => boolean): Promise<void> {
  let n = 0;
  while (keepGoing() && !env.signal.aborted) {
    const start = clockNow(env.clock);
    await pool.run(vu, env.pickJourney(vu.vu, n++), start);
    // An iteration that never waited on I/O would otherwise starve the timers (the run's end included).
    if (clockNow(env.clock) - start < 1) await new Promise((r) => setImmediate(r));
  }
}

/**
 * Lets running iterations finish, for at most the graceful stop; then cuts them. `done` settles when the
 * executor's iterations (or loops) are all over.
 */
export async function gracefulStop(env: ExecutorEnv, pool: VuPool, done: Promise<unknown>): Promise<void> {
  const sleeper = new Sleeper(env.clock);
  const finished = done.then(() => sleeper.cancel());
  if (await sleeper.until(clockNow(env.clock) + env.gracefulStopMs)) pool.interruptAll();
  await finished;
}

/**
 * Starts one iteration per arrival at its intended time, `offsets` being ms from the start in increasing
 * order. When the event loop is late, the due arrivals start at once with their original intended times,
 * so the lateness shows in their latency rather than shifting the schedule. An arrival that finds every
 * VU busy and `max` reached is dropped (k6's dropped_iterations).
 */
export async function runArrivals(env: ExecutorEnv, preAllocated: number, max: number, offsets: Iterable<number>, durationMs: number): Promise<void> {
  const pool = new VuPool(env, Math.max(1, max));
  pool.preallocate(preAllocated);
  const stopSampling = sampleVus(env, pool);
  const { until, dispose } = stoppableSleeper(env);
  const t0 = clockNow(env.clock);
  let i = 0;
  try {
    for (const offset of offsets) {
      if (!(offset < durationMs) || env.signal.aborted) break;
      const at = t0 + offset;
      if (!(await until(at))) break;
      const vu = pool.acquire();
      if (vu) pool.start(vu, env.pickJourney(0, i), at);
      else env.sink.dropped(at, 1);
      i++;
    }
    // The schedule may end in a stretch without arrivals: the executor still lasts its whole duration.
    await until(t0 + durationMs);
    await gracefulStop(env, pool, pool.whenIdle());
  } finally {
    dispose();
    stopSampling();
  }
}
