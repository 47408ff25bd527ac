/**
 * Where every pod's samples meet: one engine Recorder, so that each second's histograms and the whole-run
 * histograms hold the samples of all pods together (percentiles of the combined samples, never an average of
 * per-pod percentiles), and timeline.ndjson and summary.json come out exactly as a loadlab run writes them.
 * The run lines (VUs, iterations, checks) are built here instead: k6's VUs are per pod and must be summed,
 * and the generator's CPU is not this process's.
 */
import type * as hdr from 'hdr-histogram-js';
import type { RunWindow, TimelineLine } from '../../core/run.ts';
import { micros, newHistogram } from '../../core/histogram.ts';
import { Recorder } from '../../engine/recorder.ts';

/** One request, rebuilt from a k6 http_req_duration point (k6 stamps its samples with the request's end). */
export interface ImportedRequest {
  endMs: number;
  durationMs: number;
  step: string;
  method: string;
  status: number;
  failed: boolean;
  errorClass?: string;
  /** What a failed request was, for the summary's error messages. */
  failureText?: string;
}

export interface PodState {
  index: number;
  file: string;
  /** The latest point time read so far (epoch ms): how far this pod's file has got. */
  clock: number;
  first: number;
  last: number;
  exhausted: boolean;
  requests: number;
  /** k6's own http_reqs counter, to cross-check the requests rebuilt from http_req_duration. */
  httpReqs: number;
  bytesIn: number;
  bytesOut: number;
  /** This pod alone, per step: only to show what averaging per-pod percentiles would have said. */
  latency: Map<string, hdr.Histogram>;
  /** The latest gauge point of each second not yet written, and the value carried into later seconds. */
  gauges: { vus: Map<number, { at: number; v: number }>; vus_max: Map<number, { at: number; v: number }> };
  current: { vus: number; vus_max: number };
}

export function newPod(index: number, file: string): PodState {
  return {
    index, file, clock: -Infinity, first: Infinity, last: -Infinity, exhausted: false, requests: 0, httpReqs: 0, bytesIn: 0, bytesOut: 0,
    latency: new Map(), gauges: { vus: new Map(), vus_max: new Map() }, current: { vus: 0, vus_max: 0 },
  };
}

type Counters = Omit<RunWindow, 'type' | 't' | 'vus' | 'vusAllocated' | 'generatorCpu' | 'thinkSeconds'>;
const zero = (): Counters => ({ iterations: 0, iterationsFailed: 0, dropped: 0, checksPassed: 0, checksFailed: 0 });

export class Accumulator {
  readonly rec: Recorder;
  /** The highest sum of the pods' VUs in any second. */
  vusMax = 0;
  private fromRecorder: TimelineLine[] = [];
  private runs = new Map<number, Counters>();
  private written = -1;

  constructor(
    /** Epoch ms of the earliest point across all files: second 0. */
    readonly origin: number,
    private readonly pods: PodState[],
    private readonly write: (lines: TimelineLine[]) => void,
  ) {
    this.rec = new Recorder((l) => {
      if (l.type !== 'run') this.fromRecorder.push(l);
    });
  }

  private rel(epochMs: number): number {
    return epochMs - this.origin;
  }

  private second(epochMs: number): number {
    return Math.max(0, Math.floor(this.rel(epochMs) / 1000));
  }

  private counters(epochMs: number): Counters {
    const t = this.second(epochMs);
    let c = this.runs.get(t);
    if (!c) this.runs.set(t, (c = zero()));
    return c;
  }

  request(pod: PodState, r: ImportedRequest): void {
    const ended = this.rel(r.endMs);
    // k6 measures from sending and knows no intended start: intended = sent, so latency and service agree.
    const sent = ended - r.durationMs;
    this.rec.request({
      step: r.step, name: r.step, method: r.method, status: r.status, ok: !r.failed, errorClass: r.failed ? r.errorClass : undefined,
      intendedAt: sent, sentAt: sent, endedAt: ended, bytesIn: 0, bytesOut: 0,
    });
    if (r.failed && r.failureText) this.rec.failure(r.step, r.failureText);
    pod.requests++;
    let h = pod.latency.get(r.step);
    if (!h) pod.latency.set(r.step, (h = newHistogram()));
    h.recordValue(micros(sent, ended));
  }

  check(name: string, ok: boolean, atMs: number): void {
    // The recorder files checks by wall-clock time; its run lines are discarded, its totals and names kept.
    this.rec.check(name, ok);
    this.counters(atMs)[ok ? 'checksPassed' : 'checksFailed']++;
  }

  iteration(endMs: number, durationMs: number): void {
    const ended = this.rel(endMs);
    this.rec.iteration('k6', ended - durationMs, ended, true);
    this.counters(endMs).iterations++;
  }

  dropped(atMs: number, n: number): void {
    this.rec.dropped(this.rel(atMs), n);
    this.counters(atMs).dropped += n;
  }

  gauge(pod: PodState, which: 'vus' | 'vus_max', atMs: number, value: number): void {
    const t = this.second(atMs);
    if (t <= this.written) {
      // Too late for its second; still the pod's newest value if nothing later has come.
      if (atMs >= pod.last) pod.current[which] = value;
      return;
    }
    const seen = pod.gauges[which].get(t);
    if (!seen || atMs >= seen.at) pod.gauges[which].set(t, { at: atMs, v: value });
  }

  /** The pod's VUs in second t: its last value in that second, else the one it carries; 0 outside its span. */
  private podGauge(pod: PodState, which: 'vus' | 'vus_max', t: number): number {
    const g = pod.gauges[which].get(t);
    if (g) {
      pod.current[which] = g.v;
      pod.gauges[which].delete(t);
    }
    if (pod.first === Infinity || t < this.second(pod.first)) return 0;
    if (pod.exhausted && t > this.second(pod.last)) return 0;
    return pod.current[which];
  }

  /** Writes every second that ended before `epochMs` (all of them with `final`). */
  flushBefore(epochMs: number, final = false): void {
    const upTo = final ? Math.max(this.written, ...this.runs.keys(), this.second(Math.max(...this.pods.map((p) => p.last)))) : Math.floor(this.rel(epochMs) / 1000) - 1;
    if (upTo <= this.written && !this.hasLate()) return;
    this.rec.flush((upTo + 2) * 1000, final);
    const steps = new Map<number, TimelineLine[]>();
    for (const l of this.fromRecorder.splice(0)) {
      const list = steps.get(l.t) ?? [];
      list.push(l);
      steps.set(l.t, list);
    }
    const out: TimelineLine[] = [];
    const seconds = new Set<number>([...steps.keys(), ...[...this.runs.keys()].filter((t) => t <= upTo)]);
    for (let t = this.written + 1; t <= upTo; t++) seconds.add(t);
    for (const t of [...seconds].sort((a, b) => a - b)) {
      out.push(...(steps.get(t) ?? []));
      const c = this.runs.get(t) ?? zero();
      this.runs.delete(t);
      if (t <= this.written) {
        // A late sample for a second already written: a second line, which readers add up (0 VUs: keep the first).
        if (Object.values(c).some((v) => v > 0)) out.push({ type: 'run', t, vus: 0, vusAllocated: 0, ...c, generatorCpu: 0 });
        continue;
      }
      const vus = this.pods.reduce((s, p) => s + this.podGauge(p, 'vus', t), 0);
      const vusAllocated = this.pods.reduce((s, p) => s + this.podGauge(p, 'vus_max', t), 0);
      this.vusMax = Math.max(this.vusMax, vus);
      out.push({ type: 'run', t, vus, vusAllocated: Math.max(vus, vusAllocated), ...c, generatorCpu: 0 });
    }
    this.written = Math.max(this.written, upTo);
    this.write(out);
  }

  private hasLate(): boolean {
    return [...this.runs.keys()].some((t) => t <= this.written);
  }
}
