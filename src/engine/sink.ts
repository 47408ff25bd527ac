/**
 * What the running engine reports, and nothing more: executors and virtual users call these;
 * the recorder (recorder.ts) turns them into per-second HDR histograms, the timeline, the summary
 * and the ledger. Times are milliseconds on the run's clock (performance.now() − run start).
 */
export interface RequestSample {
  /** The step that made the request. */
  step: string;
  /** The request's own label inside the step (the chart fan-out's parts); the step's name by default. */
  name: string;
  method: string;
  /** 0 when no response arrived. */
  status: number;
  ok: boolean;
  /** Why it failed: http-4xx, http-5xx, unexpected-status, timeout, connect, reset, non-json, … */
  errorClass?: string;
  /**
   * When the request should have been sent: the scheduled arrival for an iteration's first request,
   * the end of the planned think time for later ones. Latency is measured from here (no coordinated
   * omission); service time from `sentAt`.
   */
  intendedAt: number;
  sentAt: number;
  endedAt: number;
  bytesIn: number;
  bytesOut: number;
  /** Which replica served it: the load balancer's sticky cookie value, or X-Served-By when present. */
  replica?: string;
}

export interface MetricsSink {
  request(s: RequestSample): void;
  check(name: string, ok: boolean, step: string): void;
  iteration(journey: string, startedAt: number, endedAt: number, ok: boolean): void;
  /** Arrival-rate iterations that found no free virtual user (k6's dropped_iterations). */
  dropped(at: number, n?: number): void;
  /** Active and allocated virtual users, sampled by the executor. */
  vus(at: number, active: number, allocated: number): void;
  /** An acknowledged write: a 201 whose body carried a uuid (for the post-run ledger audit). */
  acknowledged(resource: string, uuid: string, step: string, at: number): void;
  /** A marked moment, e.g. a scheduled fault. */
  event(at: number, label: string): void;
  /** What a failing response said (once per step and status), for the summary's error messages. */
  failure?(step: string, text: string): void;
  /** A think time a VU completed (seconds), at its end: calibration divides their sum by the requests. */
  think?(at: number, seconds: number): void;
}
