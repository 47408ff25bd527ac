/**
 * A virtual user: what a step sees (VuContext), and the walk through one journey's items. It owns the
 * intended-start bookkeeping of its requests (see RequestSample.intendedAt): an iteration's first
 * request is due at the scheduled arrival, a request after a think time at the think's planned end.
 */
import { mix, Prng, thinkSeconds } from '../scenario/sampling.ts';
import { StepError, type Journey, type ThinkTime, type VuContext } from '../scenario/types.ts';
import type { RunClock, VuHttpClient } from './http.ts';
import type { MetricsSink } from './sink.ts';

export type Feeders = Record<string, Record<string, string>[]>;
export type IterationOutcome = 'ok' | 'failed' | 'interrupted';

export interface VuOptions {
  id: number;
  seed: number;
  http: VuHttpClient;
  sink: MetricsSink;
  clock: RunClock;
  feeders: Feeders;
  /** The run's maximum VUs: each VU starts reading a feeder at its own share of the records. */
  spread: number;
  credentials: { username: string; password: string };
  basePath: string;
  /** The run's hard stop; the runner interrupts every VU when it fires. */
  signal: AbortSignal;
  onError: (message: string) => void;
}

export const thinkMs = (t: ThinkTime, random: () => number): number => thinkSeconds(t, random) * 1000;

/**
 * Sleeps until a moment on the run clock. Node timers work in whole, cached milliseconds and can fire
 * a little before the moment asked for, so it re-arms until the clock really reached it.
 */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private resolve: ((reached: boolean) => void) | undefined;
  private target = 0;

  constructor(private readonly clock: RunClock) {}

  /** True once `target` is reached; false if cancelled first. */
  until(target: number): Promise<boolean> {
    if (performance.now() - this.clock.start >= target) return Promise.resolve(true);
    this.target = target;
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.arm();
    });
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.settle(false);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.arm();
  };

  private arm(): void {
    const wait = this.target - (performance.now() - this.clock.start);
    if (wait <= 0) this.settle(true);
    else this.timer = setTimeout(this.fire, Math.ceil(wait));
  }

  private settle(reached: boolean): void {
    const r = this.resolve;
    this.resolve = undefined;
    r?.(reached);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class VirtualUser implements VuContext {
  readonly vu: number;
  /** 0 in the first iteration, as k6's __ITER. */
  iteration = -1;
  readonly http: VuHttpClient;
  readonly vars = new Map<string, unknown>();
  readonly credentials: { username: string; password: string };
  readonly basePath: string;
  private readonly rng: Prng;
  private readonly sleeper: Sleeper;
  private readonly feedAt = new Map<string, number>();
  private interrupted = false;

  constructor(private readonly o: VuOptions) {
    this.vu = o.id;
    this.http = o.http;
    this.credentials = o.credentials;
    this.basePath = o.basePath;
    this.rng = new Prng(mix(o.seed, o.id));
    this.sleeper = new Sleeper(o.clock);
  }

  feed(name: string): Record<string, string> {
    const records = this.o.feeders[name];
    if (!records?.length) throw new StepError(`feeder '${name}' has no records`, 'feeder');
    const spread = Math.max(1, this.o.spread);
    const k = this.feedAt.get(name) ?? Math.floor((((this.vu - 1) % spread) * records.length) / spread);
    this.feedAt.set(name, k + 1);
    return records[k % records.length]!;
  }

  check(name: string, ok: boolean): boolean {
    this.o.sink.check(name, ok, this.http.step);
    return ok;
  }

  random(): number {
    return this.rng.next();
  }

  /** Ends the current iteration now: cancels its think time and cuts its requests in flight. */
  interrupt(): void {
    this.interrupted = true;
    this.sleeper.cancel();
    this.http.interrupt();
  }

  /**
   * Runs one journey. Never throws: a failing step ends the iteration as failed, an interruption ends
   * it without counting it (the run stopped it, not the target).
   */
  async runIteration(journey: Journey, intendedAt: number): Promise<IterationOutcome> {
    const { http, o } = this;
    this.interrupted = false;
    if (o.signal.aborted) return 'interrupted';
    this.iteration++;
    this.vars.clear();
    http.nextIntendedAt = intendedAt;
    http.failures = 0;
    let failed = false;
    for (const item of journey.items) {
      if (this.interrupted || o.signal.aborted) return this.cut();
      if ('think' in item) {
        // Due at the planned end, however late the event loop wakes us.
        const planned = thinkMs(item.think, () => this.rng.next());
        const end = this.now() + planned;
        if (!(await this.sleeper.until(end))) return this.cut();
        o.sink.think?.(this.now(), planned / 1000);
        http.nextIntendedAt = end;
        continue;
      }
      http.step = item.step.name;
      try {
        await item.step.run(this);
      } catch (e) {
        failed = true;
        if (!(e instanceof StepError) && !this.interrupted) o.onError(`${journey.name} / ${item.step.name}: ${message(e)}`);
      }
      http.flush();
      if (this.interrupted) return this.cut();
      if (failed) break;
    }
    const ok = !failed && http.failures === 0;
    o.sink.iteration(journey.name, intendedAt, this.now(), ok);
    return ok ? 'ok' : 'failed';
  }

  private cut(): IterationOutcome {
    this.http.flush();
    return 'interrupted';
  }

  private now(): number {
    return performance.now() - this.o.clock.start;
  }
}
