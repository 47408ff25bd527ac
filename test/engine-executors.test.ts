/**
 * Executors against a real local HTTP server: arrival schedules, dropped iterations, open vs closed
 * models under stalls (coordinated omission), graceful stop, aborts and scheduled actions. Assertions are
 * on counts and on latency distributions computed from the samples, never on how long the test took.
 */
import { describe, expect, it } from 'vitest';
import { rampingArrivals } from '../src/engine/executors/ramping-arrival-rate.ts';
import { constantArrivals } from '../src/engine/executors/constant-arrival-rate.ts';
import { vuSteps } from '../src/engine/executors/ramping-vus.ts';
import { runScenario, type RunOptions } from '../src/engine/runner.ts';
import type { MetricsSink, RequestSample } from '../src/engine/sink.ts';
import type { ExecutorConfig, Step } from '../src/scenario/types.ts';
import { delayServer, FakeSink, scenarioOf } from './support/engine.ts';

const getStep: Step = { name: 'get', run: async (vu) => void (await vu.http.get('/ws/rest/v1/x')) };

const scenario = (extra = {}) => scenarioOf([{ step: getStep }], extra);

function run(load: ExecutorConfig, target: string, sink: MetricsSink, more: Partial<RunOptions> = {}) {
  return runScenario({ scenario: scenario(), load, target, credentials: { username: 'u', password: 'p' }, feeders: {}, sink, ...more });
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const latencies = (s: RequestSample[]): number[] => s.map((x) => x.endedAt - x.intendedAt);

describe('arrival schedules', () => {
  it('constant-arrival-rate starts exactly rate×duration iterations, 1/rate apart by the schedule', async () => {
    const target = await delayServer(() => 1);
    const sink = new FakeSink();
    await run({ executor: 'constant-arrival-rate', rate: 50, duration: 4, preAllocatedVUs: 5, maxVUs: 50 }, target, sink);
    expect(sink.iterations.length).toBeGreaterThanOrEqual(196);
    expect(sink.iterations.length).toBeLessThanOrEqual(204);
    expect(sink.dropCount).toBe(0);
    const intended = sink.samples.map((s) => s.intendedAt).sort((a, b) => a - b);
    const first = intended[0]!;
    intended.forEach((t, i) => expect(t - first).toBeCloseTo(i * 20, 6));
    for (const s of sink.samples) expect(s.sentAt).toBeGreaterThanOrEqual(s.intendedAt);
    expect(sink.vuSamples.length).toBeGreaterThanOrEqual(4);
  });

  it('ramping-arrival-rate 0→40/s over 3 s starts ~60 iterations, denser as the rate rises', async () => {
    const target = await delayServer(() => 1);
    const sink = new FakeSink();
    const r = await run({ executor: 'ramping-arrival-rate', startRate: 0, stages: [{ duration: 3, target: 40 }], preAllocatedVUs: 5, maxVUs: 20 }, target, sink);
    expect(r.plannedSeconds).toBe(3);
    expect(Math.abs(sink.iterations.length - 60)).toBeLessThanOrEqual(3);
    const intended = sink.samples.map((s) => s.intendedAt).sort((a, b) => a - b);
    // Arrival i is due where the integral of the rate reaches i: 40/3 per s² ⇒ t = sqrt(i·3/20) s.
    intended.forEach((t, i) => expect(t - intended[0]!).toBeCloseTo(Math.sqrt((i * 3) / 20) * 1000, 6));
  });

  it('keeps the schedule on a busy event loop: late arrivals start at once with their original intended times', async () => {
    const target = await delayServer(() => 1);
    const sink = new FakeSink();
    const block = async (): Promise<void> => {
      const end = performance.now() + 300;
      while (performance.now() < end); // the event loop is stuck for 300 ms
    };
    await run({ executor: 'constant-arrival-rate', rate: 50, duration: 2, preAllocatedVUs: 20 }, target, sink, {
      actions: [{ atSeconds: 0.5, label: 'block', run: block }],
    });
    expect(sink.iterations.length).toBe(100);
    const intended = sink.samples.map((s) => s.intendedAt).sort((a, b) => a - b);
    intended.forEach((t, i) => expect(t - intended[0]!).toBeCloseTo(i * 20, 6));
    const [from, to] = sink.events.map((e) => e.at) as [number, number];
    const late = sink.samples.filter((s) => s.intendedAt > from + 1 && s.intendedAt < to - 1);
    expect(late.length).toBeGreaterThanOrEqual(12);
    for (const s of late) {
      expect(s.sentAt).toBeGreaterThanOrEqual(to);
      expect(s.endedAt - s.intendedAt).toBeGreaterThanOrEqual(to - s.intendedAt);
    }
  });

  it('integrates piecewise-linear rates exactly', () => {
    const constant = constantArrivals(4, 2);
    expect([0, 1, 2].map(() => constant.next().value)).toEqual([0, 500, 1000]);
    const ramp = [...rampingArrivals(10, [{ duration: 2, target: 10 }, { duration: 2, target: 0 }, { duration: 1, target: 0 }])];
    expect(ramp.length).toBe(30); // 20 at a flat 10/s, then 10 while ramping down to 0
    expect(ramp[19]).toBeCloseTo(1900, 6);
    for (let i = 1; i < ramp.length; i++) expect(ramp[i]!).toBeGreaterThan(ramp[i - 1]!);
    expect(ramp[29]!).toBeLessThan(4000);
    expect([...vuSteps(0, [{ duration: 2, target: 4 }, { duration: 1, target: 2 }])]).toEqual([
      { atMs: 500, target: 1 },
      { atMs: 1000, target: 2 },
      { atMs: 1500, target: 3 },
      { atMs: 2000, target: 4 },
      { atMs: 2500, target: 3 },
      { atMs: 3000, target: 2 },
    ]);
  });
});

describe('dropped iterations', () => {
  it('drops arrivals that find every VU busy at maxVUs, and accounts for every arrival', async () => {
    const target = await delayServer(() => 200);
    const sink = new FakeSink();
    await run({ executor: 'constant-arrival-rate', rate: 50, duration: 2, preAllocatedVUs: 1, maxVUs: 2 }, target, sink);
    expect(sink.dropCount).toBeGreaterThan(50);
    expect(Math.abs(sink.iterations.length + sink.dropCount - 100)).toBeLessThanOrEqual(2);
    expect(Math.max(...sink.vuSamples.map((v) => v.allocated))).toBe(2);
  });
});

describe('open vs closed model against a stalling server', () => {
  // Normally 5 ms; during [1000, 2000) ms of the run clock every response waits for the stall to end.
  const stalled = (t: number): boolean => t >= 1000 && t < 2000;

  async function stallingRun(load: ExecutorConfig): Promise<FakeSink> {
    const clock = { start: performance.now() };
    const target = await delayServer((now) => {
      const t = now - clock.start;
      return stalled(t) ? 2000 - t + 5 : 5;
    });
    const sink = new FakeSink();
    await run(load, target, sink, { clock });
    return sink;
  }

  it('the open model measures the stall from intended starts; the closed model mostly stops sending', async () => {
    const open = await stallingRun({ executor: 'constant-arrival-rate', rate: 50, duration: 3, preAllocatedVUs: 10, maxVUs: 100 });
    const closed = await stallingRun({ executor: 'constant-vus', vus: 2, duration: 3 });

    expect(open.dropCount).toBe(0);
    expect(Math.abs(open.samples.length - 150)).toBeLessThanOrEqual(3);
    const openDuringStall = open.samples.filter((s) => stalled(s.intendedAt)).length;
    expect(openDuringStall).toBeGreaterThanOrEqual(45);
    expect(percentile(latencies(open.samples), 99)).toBeGreaterThanOrEqual(500);

    // Closed: each VU sends once into the stall and then waits, so the stall is nearly invisible.
    const closedDuringStall = closed.samples.filter((s) => stalled(s.sentAt)).length;
    expect(closedDuringStall).toBeLessThanOrEqual(2 * 2);
    expect(closed.samples.length).toBeGreaterThan(100);
    expect(percentile(latencies(closed.samples), 99)).toBeLessThan(500);
    expect(Math.max(...latencies(closed.samples))).toBeGreaterThanOrEqual(500);
  });
});

describe('VU executors, stopping and actions', () => {
  it('ramping-vus follows its stages and ends', async () => {
    const target = await delayServer(() => 5);
    const sink = new FakeSink();
    const r = await run({ executor: 'ramping-vus', startVUs: 1, stages: [{ duration: 1, target: 4 }, { duration: 1, target: 0 }], gracefulRampDown: 1 }, target, sink);
    expect(r.plannedSeconds).toBe(2);
    expect(Math.max(...sink.vuSamples.map((v) => v.allocated))).toBe(4);
    expect(sink.iterations.length).toBeGreaterThan(20);
    expect(sink.iterations.every((i) => i.ok)).toBe(true);
    expect(new Set(sink.samples.map((s) => s.step))).toEqual(new Set(['get']));
  });

  it('cuts a VU above a lowered target once gracefulRampDown has passed', async () => {
    const target = await delayServer(() => 5000);
    const sink = new FakeSink();
    const r = await runScenario({
      scenario: scenario({ gracefulStop: 0.2 }),
      load: { executor: 'ramping-vus', startVUs: 2, stages: [{ duration: 0.2, target: 1 }, { duration: 0.8, target: 1 }], gracefulRampDown: 0.3 },
      target,
      credentials: { username: 'u', password: 'p' },
      feeders: {},
      sink,
    });
    const cutAt = sink.samples.map((s) => s.endedAt - r.startedAt).sort((a, b) => a - b);
    expect(sink.samples.map((s) => s.errorClass)).toEqual(['aborted', 'aborted']);
    expect(cutAt[0]).toBeGreaterThanOrEqual(500 - 1); // ramped down at 0.2 s, + 0.3 s of grace
    expect(cutAt[0]).toBeLessThan(1000);
    expect(cutAt[1]).toBeGreaterThanOrEqual(1200 - 1); // the end at 1 s, + 0.2 s graceful stop
  });

  it('cuts iterations still running after gracefulStop, recording their requests as aborted', async () => {
    const target = await delayServer(() => 5000);
    const sink = new FakeSink();
    const r = await runScenario({
      scenario: scenario({ gracefulStop: 0.3 }),
      load: { executor: 'constant-vus', vus: 2, duration: 0.5 },
      target,
      credentials: { username: 'u', password: 'p' },
      feeders: {},
      sink,
    });
    expect(r.aborted).toBe(false);
    expect(r.endedAt - r.startedAt).toBeLessThan(4000);
    expect(sink.samples.map((s) => s.errorClass)).toEqual(['aborted', 'aborted']);
    expect(sink.iterations).toEqual([]); // cut by the run, not failed by the target
  });

  it.each<ExecutorConfig>([
    { executor: 'constant-arrival-rate', rate: 20, duration: 30, preAllocatedVUs: 2 },
    { executor: 'ramping-arrival-rate', stages: [{ duration: 30, target: 20 }], preAllocatedVUs: 2 },
    { executor: 'constant-vus', vus: 2, duration: 30 },
    { executor: 'ramping-vus', stages: [{ duration: 10, target: 3 }, { duration: 20, target: 0 }] },
  ])('$executor stops at once on the caller’s abort signal', async (load) => {
    const target = await delayServer(() => 5);
    const sink = new FakeSink();
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    const r = await run(load, target, sink, { signal: ctl.signal });
    expect(r.aborted).toBe(true);
    expect(r.endedAt - r.startedAt).toBeLessThan(5000); // far from the planned 30 s
    expect(sink.iterations.length).toBeGreaterThan(0);
  });

  it('runs scheduled actions at their time and marks them, failures included', async () => {
    const target = await delayServer(() => 2);
    const sink = new FakeSink();
    const errors: string[] = [];
    const ran: number[] = [];
    const clock = { start: performance.now() };
    const r = await run({ executor: 'constant-vus', vus: 1, duration: 1.5 }, target, sink, {
      clock,
      onError: (m) => errors.push(m),
      actions: [
        { atSeconds: 0.4, label: 'kill replica:2', run: async () => void ran.push(performance.now() - clock.start) },
        { atSeconds: 0.8, label: 'stop db:1', run: () => Promise.reject(new Error('no such node')) },
        { atSeconds: 60, label: 'too late', run: async () => undefined },
      ],
    });
    expect(sink.events.map((e) => e.label)).toEqual(['kill replica:2', 'kill replica:2: done', 'stop db:1', 'stop db:1: failed: no such node']);
    expect(sink.events[0]!.at).toBeGreaterThanOrEqual(r.startedAt + 400 - 1);
    expect(ran[0]).toBeGreaterThanOrEqual(r.startedAt + 400 - 1);
    expect(sink.events[2]!.at).toBeGreaterThanOrEqual(r.startedAt + 800 - 1);
    expect(errors.some((e) => e.includes('no such node'))).toBe(true);
    expect(errors.some((e) => e.includes("'too late'"))).toBe(true);
    expect(sink.iterations.length).toBeGreaterThan(10);
  });
});
