/**
 * One k6 VU as a loadlab VuContext, and its walk through a journey — the engine's VirtualUser
 * (src/engine/vu.ts) with k6's blocking calls: think times are `sleep()`s, checks are k6 checks, and
 * a failing step (a StepError, a thrown error or a rejected result) ends the iteration. The k6
 * functions are passed in, so this file runs under the test shim and in Node alike.
 */
import { StepError, type Journey, type VuContext } from '../../scenario/types.ts';
import type { K6VuHttp } from './http.ts';
import { Prng, mix, thinkSeconds } from '../../scenario/sampling.ts';
import { Settled, isThenable, realPromiseError } from './settled.ts';
import type { FeederRecord } from '../../scenario/records.ts';

export interface VuDeps {
  check(name: string, ok: boolean, step: string): boolean;
  sleep(seconds: number): void;
  /** A think time slept, with its journey. */
  think(seconds: number, journey: string): void;
  /** An iteration's outcome (false: a step failed or a request had an unexpected status). */
  iteration(journey: string, ok: boolean): void;
  /** An unexpected error (not a StepError), once per distinct message. */
  warn(message: string): void;
}

export class K6Vu implements VuContext {
  /** 0 in the first iteration, as the engine's and k6's __ITER. */
  iteration = -1;
  readonly vars = new Map<string, unknown>();
  private readonly rng: Prng;
  private readonly feedAt = new Map<string, number>();
  private readonly warned: Record<string, true> = {};

  constructor(
    readonly vu: number,
    seed: number,
    readonly http: K6VuHttp,
    private readonly feeders: () => Record<string, FeederRecord[]>,
    /** The profile's maximum VUs: each VU starts reading a feeder at its own share of the records. */
    private readonly spread: number,
    private readonly creds: () => { username: string; password: string },
    readonly basePath: string,
    private readonly deps: VuDeps,
  ) {
    this.rng = new Prng(mix(seed, vu));
  }

  get credentials(): { username: string; password: string } {
    return this.creds();
  }

  feed(name: string): Record<string, string> {
    const records = this.feeders()[name];
    if (!records || !records.length) throw new StepError(`feeder '${name}' has no records`, 'feeder');
    const spread = Math.max(1, this.spread);
    const at = this.feedAt.get(name);
    const k = at !== undefined ? at : Math.floor((((this.vu - 1) % spread) * records.length) / spread);
    this.feedAt.set(name, k + 1);
    return records[k % records.length]!;
  }

  check(name: string, ok: boolean): boolean {
    return this.deps.check(name, ok, this.http.step);
  }

  random(): number {
    return this.rng.next();
  }

  /** Runs one journey to its end or its first failing step; true when nothing failed. */
  runIteration(journey: Journey): boolean {
    const { http, deps } = this;
    this.iteration++;
    this.vars.clear();
    http.failures = 0;
    http.journey = journey.name;
    let failed = false;
    for (const item of journey.items) {
      if ('think' in item) {
        const seconds = thinkSeconds(item.think, () => this.rng.next());
        http.step = '';
        deps.sleep(seconds);
        deps.think(seconds, journey.name);
        continue;
      }
      http.step = item.step.name;
      const error = this.runStep(item.step.run);
      if (error !== undefined) {
        failed = true;
        if (!(error instanceof StepError) && !isStepErrorLike(error)) this.warnOnce(`${journey.name} / ${item.step.name}: ${message(error)}`);
        break;
      }
    }
    const ok = !failed && http.failures === 0;
    deps.iteration(journey.name, ok);
    return ok;
  }

  /** The step's failure, or undefined. Its result is a Settled (a lowered async function) or nothing. */
  private runStep(run: (vu: VuContext) => Promise<void>): unknown {
    let out: unknown;
    try {
      out = run(this);
    } catch (e) {
      return e === undefined ? new Error('step threw undefined') : e;
    }
    if (out instanceof Settled) return out.ok ? undefined : out.error === undefined ? new Error('step failed') : out.error;
    return isThenable(out) ? realPromiseError() : undefined;
  }

  private warnOnce(m: string): void {
    if (this.warned[m]) return;
    this.warned[m] = true;
    this.deps.warn(m);
  }
}

/**
 * TypeScript's ES5 classes cannot subclass Error (the instance is the Error that Error() made), so a
 * StepError thrown inside the bundle fails instanceof; its errorClass field still says what it is.
 */
const isStepErrorLike = (e: unknown): boolean => typeof e === 'object' && e !== null && typeof (e as { errorClass?: unknown }).errorClass === 'string';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
