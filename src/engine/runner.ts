/**
 * Runs one scenario's load against a target: builds the shared HTTP transport and the virtual users,
 * runs the executor, fires the scheduled actions (faults) at their time, and stops cleanly: the
 * executor's graceful stop, then a cut; a user abort cuts at once. Never throws for what the target
 * does; only for a scenario or load that cannot run at all.
 */
import { journeyPicker } from '../scenario/sampling.ts';
import type { ExecutorConfig, Scenario } from '../scenario/types.ts';
import { maxVUs, plannedSeconds, runExecutor, type ExecutorEnv } from './executors/index.ts';
import { HttpTransport, VuHttpClient, type RunClock } from './http.ts';
import type { MetricsSink } from './sink.ts';
import { Sleeper, VirtualUser, type Feeders } from './vu.ts';

export interface ScheduledAction {
  atSeconds: number;
  label: string;
  run: () => Promise<void>;
}

export interface RunOptions {
  scenario: Scenario;
  load: ExecutorConfig;
  /** e.g. http://127.0.0.1:8080/openmrs */
  target: string;
  credentials: { username: string; password: string };
  feeders: Feeders;
  sink: MetricsSink;
  signal?: AbortSignal;
  seed?: number;
  /** Faults and other marked moments, at seconds from the start of the load. */
  actions?: ScheduledAction[];
  /** The run clock's origin (a performance.now() value) shared with the recorder. */
  clock?: RunClock;
  requestTimeoutMs?: number;
  /** Unexpected step exceptions and failed actions, once per distinct message. */
  onError?: (message: string) => void;
}

export interface RunResult {
  /** Run-clock ms. */
  startedAt: number;
  endedAt: number;
  aborted: boolean;
  plannedSeconds: number;
}

/** Waiting longer than this for a fault action at the end of the run would hold the results hostage. */
const ACTION_SETTLE_MS = 30_000;

function onceEach(report: ((m: string) => void) | undefined): (m: string) => void {
  const seen = new Set<string>();
  return (m) => {
    if (seen.has(m) || seen.size >= 1000) return;
    seen.add(m);
    report?.(m);
  };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function scheduleActions(actions: ScheduledAction[], startedAt: number, clock: RunClock, sink: MetricsSink, onError: (m: string) => void) {
  const now = (): number => performance.now() - clock.start;
  const pending = new Map<ScheduledAction, Sleeper>();
  const running: Promise<void>[] = [];
  const fire = async (a: ScheduledAction): Promise<void> => {
    sink.event(now(), a.label);
    try {
      await a.run();
      sink.event(now(), `${a.label}: done`);
    } catch (e) {
      sink.event(now(), `${a.label}: failed: ${describe(e)}`);
      onError(`action '${a.label}' failed: ${describe(e)}`);
    }
  };
  for (const a of actions) {
    // A Sleeper, not a bare setTimeout: timers may fire a little early, and a fault must not precede its mark.
    const sleeper = new Sleeper(clock);
    pending.set(a, sleeper);
    void sleeper.until(startedAt + a.atSeconds * 1000).then((reached) => {
      if (!reached) return;
      pending.delete(a);
      running.push(fire(a));
    });
  }
  return {
    /** Cancels actions not yet due and waits (bounded) for those under way. */
    async finish(): Promise<void> {
      for (const [a, sleeper] of pending) {
        sleeper.cancel();
        onError(`action '${a.label}' at ${a.atSeconds}s did not run: the load ended first`);
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((r) => (timer = setTimeout(r, ACTION_SETTLE_MS, true)));
      if (await Promise.race([Promise.all(running).then(() => false), late])) onError('a scheduled action was still running when the run ended');
      clearTimeout(timer);
    },
  };
}

export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const { scenario, load, sink } = opts;
  const clock = opts.clock ?? { start: performance.now() };
  const now = (): number => performance.now() - clock.start;
  const seed = opts.seed ?? 1;
  const pickJourney = journeyPicker(scenario.journeys, seed);
  const planned = plannedSeconds(load);
  const ceiling = maxVUs(load);
  const basePath = scenario.basePath ?? '/openmrs';
  const transport = new HttpTransport({ target: opts.target, basePath, connections: ceiling, timeoutMs: opts.requestTimeoutMs });
  const report = onceEach(opts.onError);

  // One listener for the whole run (not one per VU): a hard stop cuts every VU's iteration.
  const hard = new AbortController();
  const vus: VirtualUser[] = [];
  hard.signal.addEventListener('abort', () => vus.forEach((vu) => vu.interrupt()), { once: true });
  const onExternalAbort = (): void => hard.abort();
  opts.signal?.addEventListener('abort', onExternalAbort, { once: true });
  if (opts.signal?.aborted) hard.abort();

  const env: ExecutorEnv = {
    clock,
    sink,
    signal: hard.signal,
    gracefulStopMs: (scenario.gracefulStop ?? 30) * 1000,
    pickJourney,
    newVu: () => {
      const vu = new VirtualUser({
        id: vus.length + 1,
        seed,
        http: new VuHttpClient(transport, sink, clock, opts.credentials),
        sink,
        clock,
        feeders: opts.feeders,
        spread: ceiling,
        credentials: opts.credentials,
        basePath,
        signal: hard.signal,
        onError: report,
      });
      vus.push(vu);
      return vu;
    },
  };

  const startedAt = now();
  const actions = scheduleActions(opts.actions ?? [], startedAt, clock, sink, report);
  let endedAt = startedAt;
  try {
    if (!hard.signal.aborted) await runExecutor(load, env);
    endedAt = now();
  } finally {
    opts.signal?.removeEventListener('abort', onExternalAbort);
    await actions.finish();
    await transport.close();
  }
  return { startedAt, endedAt, aborted: opts.signal?.aborted ?? false, plannedSeconds: planned };
}
