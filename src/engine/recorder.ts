import type * as hdr from 'hdr-histogram-js';
import type { RunWindow, StepWindow, TimelineLine } from '../core/run.ts';
import { encodeHistogram, micros, newHistogram } from '../core/histogram.ts';
import type { MetricsSink, RequestSample } from './sink.ts';

/** Accumulates one step's requests; used both per one-second window and for the whole run. */
export class StepAccumulator {
  count = 0;
  /** Requests other than GET/HEAD: tells read classes from write classes for calibration. */
  writes = 0;
  failed = 0;
  errors: Record<string, number> = {};
  latency: hdr.Histogram = newHistogram();
  service: hdr.Histogram = newHistogram();
  bytesIn = 0;
  bytesOut = 0;
  replicas: Record<string, number> = {};

  add(s: RequestSample): void {
    this.count++;
    if (s.method !== 'GET' && s.method !== 'HEAD') this.writes++;
    if (!s.ok) {
      this.failed++;
      const cls = s.errorClass ?? 'other';
      this.errors[cls] = (this.errors[cls] ?? 0) + 1;
    }
    this.latency.recordValue(micros(s.intendedAt, s.endedAt));
    this.service.recordValue(micros(s.sentAt, s.endedAt));
    this.bytesIn += s.bytesIn;
    this.bytesOut += s.bytesOut;
    if (s.replica) this.replicas[s.replica] = (this.replicas[s.replica] ?? 0) + 1;
  }

  destroy(): void {
    this.latency.destroy();
    this.service.destroy();
  }
}

interface RunCounters {
  vus: number;
  vusAllocated: number;
  iterations: number;
  iterationsFailed: number;
  dropped: number;
  checksPassed: number;
  checksFailed: number;
  thinkSeconds: number;
}

const zeroCounters = (): RunCounters => ({ vus: 0, vusAllocated: 0, iterations: 0, iterationsFailed: 0, dropped: 0, checksPassed: 0, checksFailed: 0, thinkSeconds: 0 });

export interface Acknowledged {
  resource: string;
  uuid: string;
  step: string;
  at: number;
}

/**
 * The engine's MetricsSink: whole-run totals plus per-second windows, handed to `emit` as timeline
 * lines once each second is over (samples are filed by completion time, so a second is complete
 * once the clock has moved past it).
 */
export class Recorder implements MetricsSink {
  readonly steps = new Map<string, StepAccumulator>();
  readonly iterationDurations = newHistogram();
  readonly checks = new Map<string, { passes: number; fails: number }>();
  readonly ledger: Acknowledged[] = [];
  readonly events: { t: number; label: string }[] = [];
  /** The first failing response of each step and status (bounded), for the summary. */
  readonly failures: string[] = [];
  private readonly failureKeys = new Set<string>();
  readonly totals = zeroCounters();
  vusMax = 0;
  private windows = new Map<number, { steps: Map<string, StepAccumulator>; run: RunCounters }>();
  private lastCpu = process.cpuUsage();

  constructor(private readonly emit: (line: TimelineLine) => void) {}

  private window(atMs: number) {
    const t = Math.max(0, Math.floor(atMs / 1000));
    let w = this.windows.get(t);
    if (!w) this.windows.set(t, (w = { steps: new Map(), run: zeroCounters() }));
    return w;
  }

  private stepOf(map: Map<string, StepAccumulator>, step: string): StepAccumulator {
    let a = map.get(step);
    if (!a) map.set(step, (a = new StepAccumulator()));
    return a;
  }

  request(s: RequestSample): void {
    this.stepOf(this.steps, s.step).add(s);
    this.stepOf(this.window(s.endedAt).steps, s.step).add(s);
  }

  check(name: string, ok: boolean, _step?: string): void {
    const c = this.checks.get(name) ?? { passes: 0, fails: 0 };
    if (ok) c.passes++;
    else c.fails++;
    this.checks.set(name, c);
    const key = ok ? 'checksPassed' : 'checksFailed';
    this.totals[key]++;
    this.window(performance.now() - this.clockStart).run[key]++;
  }

  iteration(_journey: string, startedAt: number, endedAt: number, ok: boolean): void {
    this.iterationDurations.recordValue(micros(startedAt, endedAt));
    const w = this.window(endedAt).run;
    this.totals.iterations++;
    w.iterations++;
    if (!ok) {
      this.totals.iterationsFailed++;
      w.iterationsFailed++;
    }
  }

  dropped(at: number, n = 1): void {
    this.totals.dropped += n;
    this.window(at).run.dropped += n;
  }

  think(at: number, seconds: number): void {
    this.window(at).run.thinkSeconds += seconds;
  }

  vus(at: number, active: number, allocated: number): void {
    const w = this.window(at).run;
    w.vus = Math.max(w.vus, active);
    w.vusAllocated = Math.max(w.vusAllocated, allocated);
    this.vusMax = Math.max(this.vusMax, active);
  }

  acknowledged(resource: string, uuid: string, step: string, at: number): void {
    this.ledger.push({ resource, uuid, step, at });
  }

  failure(step: string, text: string): void {
    const key = `${step} ${/→ (\d+)/.exec(text)?.[1] ?? ''}`;
    if (this.failureKeys.has(key) || this.failures.length >= 20) return;
    this.failureKeys.add(key);
    this.failures.push(`${step}: ${text}`);
  }

  event(at: number, label: string): void {
    const t = Math.round(at) / 1000;
    this.events.push({ t, label });
    this.emit({ type: 'event', t, label });
  }

  /** Run-clock origin, so that checks (which carry no time) land in the right second. */
  clockStart = performance.now();

  /**
   * Emits every window that ended more than a second before `nowMs` (all of them when `final`).
   * A sample reaches the sink when its step moves on, which can be a little after it ended, so a
   * second is held open one second longer; a still later sample starts a second line for the same
   * second, which readers merge by (t, step).
   */
  flush(nowMs: number, final = false): void {
    const current = Math.floor(nowMs / 1000);
    for (const t of [...this.windows.keys()].sort((a, b) => a - b)) {
      if (!final && t >= current - 1) break;
      const w = this.windows.get(t)!;
      this.windows.delete(t);
      for (const [step, a] of w.steps) {
        const line: StepWindow = {
          type: 'step', t, step, count: a.count, writes: a.writes, errors: a.errors, latency: encodeHistogram(a.latency),
          service: encodeHistogram(a.service), bytesIn: a.bytesIn, bytesOut: a.bytesOut, replicas: a.replicas,
        };
        this.emit(line);
        a.destroy();
      }
      // A late second (already flushed) whose run counters are all zero would only say "0 VUs": leave it out.
      const late = t <= this.lastFlushed;
      this.lastFlushed = Math.max(this.lastFlushed, t);
      if (late && Object.values(w.run).every((v) => v === 0)) continue;
      const cpu = process.cpuUsage(this.lastCpu);
      this.lastCpu = process.cpuUsage();
      const run: RunWindow = { type: 'run', t, ...w.run, generatorCpu: (cpu.user + cpu.system) / 1e6 };
      this.emit(run);
    }
  }

  private lastFlushed = -1;
}
