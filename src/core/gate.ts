import { z } from 'zod';

/**
 * What the gate keeps of a run in its history: per-window samples of every compared metric, so the history
 * stays small (kilobytes a night) and never needs the run directories it came from.
 */
export const GATE_SCHEMA = 1;

export const GateRecord = z.object({
  schema: z.literal(GATE_SCHEMA),
  runId: z.string(),
  scenario: z.string(),
  profile: z.string(),
  startedAt: z.string(),
  recordedAt: z.string(),
  /** CI's commit or build label when known (GITHUB_SHA), for the reader of the history. */
  label: z.string().nullable(),
  windowSeconds: z.number().positive(),
  /** Windows left out because the machine ran slow in them (see the host-speed probe). */
  slowWindows: z.number().int().min(0),
  /** CPU ms of the probe's unit of work at the machine's usual speed in this run; null without samples. */
  hostUnitMs: z.number().nullable(),
  /**
   * check name (e.g. `latency-p95:searchPatient`) → one value per window, in time order. A window without such
   * requests has no latency: NaN in memory, null in JSON (which has no NaN).
   */
  samples: z.record(z.string(), z.array(z.union([z.number(), z.nan(), z.null()]).transform((v) => v ?? NaN))),
});
export type GateRecord = z.infer<typeof GateRecord>;

const Threshold = z.union([z.string(), z.object({ threshold: z.string(), abortOnFail: z.boolean().optional() })]);

/** The gate's settings file (`--thresholds FILE`, YAML or JSON). Every field is optional. */
export const GateConfig = z
  .object({
    /** Absolute limits in k6's syntax, checked on the current run alone. */
    thresholds: z.record(z.string(), z.array(Threshold)).default({}),
    compare: z
      .object({
        /** Smallest relative change worth failing a build for. */
        minEffect: z.number().min(0).max(10).default(0.05),
        /** One-sided significance level of the Mann–Whitney test. */
        alpha: z.number().gt(0).lt(0.5).default(0.01),
        windowSeconds: z.number().int().min(1).max(600).default(10),
        /** Seconds left out at the start (JIT warm-up, connection pools filling). */
        skipSeconds: z.number().int().min(0).default(30),
        /** History: the most recent runs of the current regime that form the baseline. */
        historyRuns: z.number().int().min(2).max(200).default(10),
        /** History: how far the current run must stand from the baseline runs' scatter (robust z). */
        historyZ: z.number().positive().default(2.5),
      })
      .strict()
      .default({}),
    infrastructure: z
      .object({
        /** Database processes' CPU, in cores, not to be exceeded for more than `sustainedSeconds`. */
        dbCpuCores: z.number().positive().nullable().default(null),
        sustainedSeconds: z.number().int().min(1).default(60),
        /** Mean Threads_running of any database node. */
        threadsRunning: z.number().positive().default(32),
        /** Fraction of the run Galera replication was paused by flow control. */
        flowControlPaused: z.number().min(0).max(1).default(0.1),
        readerLagSeconds: z.number().min(0).default(5),
        /** Dropped iterations as a fraction of started ones (k6's dropped_iterations). */
        droppedRate: z.number().min(0).max(1).default(0.01),
        /** Failed requests: OpenMRS's own nightly suite fails above 3%. */
        errorRate: z.number().min(0).max(1).default(0.03),
      })
      .strict()
      .default({}),
  })
  .strict();
export type GateConfig = z.infer<typeof GateConfig>;
