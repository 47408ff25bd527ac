import { z } from 'zod';
import type { DbSnapshot, ResourceLine } from './resources.ts';

/**
 * The run directory, the contract between stages: run.json, timeline.ndjson, summary.json
 * (resources.ndjson and db.json come from the probes). Versioned and validated when read.
 */
export const RUN_SCHEMA = 1;

export const RunStatus = z.enum(['running', 'complete', 'interrupted', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunMeta = z.object({
  schema: z.literal(RUN_SCHEMA),
  id: z.string(),
  scenario: z.object({ name: z.string(), file: z.string(), description: z.string() }),
  profile: z.string(),
  load: z.record(z.string(), z.unknown()),
  /** The target's URL, never with credentials. */
  target: z.string(),
  topology: z.object({ description: z.string(), spec: z.record(z.string(), z.unknown()) }).nullable(),
  versions: z.object({ loadlab: z.string(), node: z.string() }),
  host: z.object({ cpus: z.number(), memoryGiB: z.number(), hostname: z.string() }),
  seed: z.number(),
  plannedSeconds: z.number(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  status: RunStatus,
  /** The engine's process while it runs: a `running` run whose process is gone was interrupted. */
  pid: z.number(),
  error: z.string().nullable(),
  faults: z.array(z.object({ atSeconds: z.number(), action: z.string() })).default([]),
});
export type RunMeta = z.infer<typeof RunMeta>;

/**
 * One line per second per step: counts, errors by class, HDR histograms (µs, compressed base64).
 * Rarely a second has two lines for a step (a sample that arrived late); readers add them up.
 */
export const StepWindow = z.object({
  type: z.literal('step'),
  t: z.number().int(),
  step: z.string(),
  count: z.number().int(),
  /** Of which not GET/HEAD. */
  writes: z.number().int().default(0),
  errors: z.record(z.string(), z.number().int()),
  /** Latency from the intended start (includes any wait before sending). */
  latency: z.string(),
  /** Service time, from sending to the last byte. */
  service: z.string(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  replicas: z.record(z.string(), z.number().int()),
});
export const RunWindow = z.object({
  type: z.literal('run'),
  t: z.number().int(),
  vus: z.number().int(),
  vusAllocated: z.number().int(),
  iterations: z.number().int(),
  iterationsFailed: z.number().int(),
  dropped: z.number().int(),
  checksPassed: z.number().int(),
  checksFailed: z.number().int(),
  /** The load generator's own CPU seconds in this second (it shares the machine with the target). */
  generatorCpu: z.number(),
  /** Think time the VUs completed in this second (seconds): the model's Z is their sum over the requests. */
  thinkSeconds: z.number().min(0).optional(),
});
export const EventLine = z.object({ type: z.literal('event'), t: z.number(), label: z.string() });
export const TimelineLine = z.discriminatedUnion('type', [StepWindow, RunWindow, EventLine]);
export type StepWindow = z.infer<typeof StepWindow>;

/** A step window's failed requests, every error class together. */
export const failedOf = (l: Pick<StepWindow, 'errors'>): number => Object.values(l.errors).reduce((a, b) => a + b, 0);
export type RunWindow = z.infer<typeof RunWindow>;
export type TimelineLine = z.infer<typeof TimelineLine>;

export const Stats = z.object({
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  max: z.number(),
});
export type Stats = z.infer<typeof Stats>;

export const StepSummary = z.object({
  count: z.number().int(),
  /** Of which not GET/HEAD. */
  writes: z.number().int().default(0),
  ratePerSecond: z.number(),
  failed: z.number().int(),
  errors: z.record(z.string(), z.number().int()),
  /** Milliseconds, from the intended start. */
  latencyMs: Stats,
  serviceMs: Stats,
  bytesIn: z.number(),
  bytesOut: z.number(),
  replicas: z.record(z.string(), z.number().int()),
});
export type StepSummary = z.infer<typeof StepSummary>;

export const ThresholdResult = z.object({
  metric: z.string(),
  expression: z.string(),
  ok: z.boolean(),
  actual: z.number().nullable(),
  abortOnFail: z.boolean(),
});
export type ThresholdResult = z.infer<typeof ThresholdResult>;

export const LedgerAudit = z.object({
  method: z.enum(['rest', 'database']),
  acknowledged: z.number().int(),
  found: z.number().int(),
  lost: z.number().int(),
  /** Writes the audit could not decide (e.g. the target was unreachable). */
  unknown: z.number().int(),
  byResource: z.record(z.string(), z.object({ acknowledged: z.number().int(), lost: z.number().int() })),
  lostExamples: z.array(z.object({ resource: z.string(), uuid: z.string(), step: z.string() })),
});
export type LedgerAudit = z.infer<typeof LedgerAudit>;

export const Summary = z.object({
  schema: z.literal(RUN_SCHEMA),
  status: RunStatus,
  /** Seconds from the first scheduled start to the end of measurement. */
  durationSeconds: z.number(),
  requests: z.object({ count: z.number().int(), ratePerSecond: z.number(), failed: z.number().int(), failedRate: z.number() }),
  latencyMs: Stats,
  serviceMs: Stats,
  steps: z.record(z.string(), StepSummary),
  iterations: z.object({ count: z.number().int(), failed: z.number().int(), dropped: z.number().int(), durationMs: Stats }),
  checks: z.record(z.string(), z.object({ passes: z.number().int(), fails: z.number().int() })),
  thresholds: z.array(ThresholdResult),
  ledger: LedgerAudit.nullable(),
  vusMax: z.number().int(),
  events: z.array(z.object({ t: z.number(), label: z.string() })),
  /**
   * The load generator's own cost and health: when its event loop is delayed, requests leave late
   * and latency from the intended start rises — this says by how much the generator is to blame.
   */
  generator: z.object({
    cpuSeconds: z.number(),
    cpuMicrosPerRequest: z.number().nullable(),
    loopDelayMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }).nullable(),
  }),
  /** Distinct error messages seen (first 20), for the reader of the summary. */
  errorMessages: z.array(z.string()),
});
export type Summary = z.infer<typeof Summary>;

/** A run directory as read back (engine/run-dir.ts reads it; report, gate and calibration take it). */
export interface RunFiles {
  meta: RunMeta;
  timeline: TimelineLine[];
  summary: Summary | null;
  /** Probe samples (empty when the run sampled nothing). */
  resources: ResourceLine[];
  db: DbSnapshot | null;
}
