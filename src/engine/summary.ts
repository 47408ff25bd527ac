import type { LedgerAudit, RunStatus, Summary, ThresholdResult } from '../core/run.ts';
import { newHistogram, statsMs } from '../core/histogram.ts';
import type { Recorder } from './recorder.ts';

export interface SummaryInput {
  status: RunStatus;
  durationSeconds: number;
  thresholds: ThresholdResult[];
  ledger: LedgerAudit | null;
  cpuSeconds: number;
  errorMessages: string[];
  loopDelayMs?: { p50: number; p99: number; max: number } | null;
}

/** Whole-run figures per step and overall, from the recorder's accumulators. */
export function buildSummary(rec: Recorder, input: SummaryInput): Summary {
  const latency = newHistogram();
  const service = newHistogram();
  let count = 0;
  let failed = 0;
  const steps: Summary['steps'] = {};
  const rate = (n: number) => (input.durationSeconds > 0 ? Math.round((n / input.durationSeconds) * 100) / 100 : 0);
  for (const [name, a] of rec.steps) {
    latency.add(a.latency);
    service.add(a.service);
    count += a.count;
    failed += a.failed;
    steps[name] = {
      count: a.count, writes: a.writes, ratePerSecond: rate(a.count), failed: a.failed, errors: a.errors, latencyMs: statsMs(a.latency),
      serviceMs: statsMs(a.service), bytesIn: a.bytesIn, bytesOut: a.bytesOut, replicas: a.replicas,
    };
  }
  const summary: Summary = {
    schema: 1,
    status: input.status,
    durationSeconds: Math.round(input.durationSeconds * 1000) / 1000,
    requests: { count, ratePerSecond: rate(count), failed, failedRate: count ? failed / count : 0 },
    latencyMs: statsMs(latency),
    serviceMs: statsMs(service),
    steps,
    iterations: {
      count: rec.totals.iterations, failed: rec.totals.iterationsFailed, dropped: rec.totals.dropped,
      durationMs: statsMs(rec.iterationDurations),
    },
    checks: Object.fromEntries(rec.checks),
    thresholds: input.thresholds,
    ledger: input.ledger,
    vusMax: rec.vusMax,
    events: rec.events,
    generator: {
      cpuSeconds: Math.round(input.cpuSeconds * 1000) / 1000,
      cpuMicrosPerRequest: count ? Math.round((input.cpuSeconds * 1e6) / count) : null,
      loopDelayMs: input.loopDelayMs ?? null,
    },
    errorMessages: input.errorMessages.slice(0, 20),
  };
  latency.destroy();
  service.destroy();
  return summary;
}
