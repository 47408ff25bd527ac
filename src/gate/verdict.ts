/**
 * The gate's verdict table and the overall decision. Pure: rendering (terminal, JUnit, Markdown) lives elsewhere.
 */
import { shifted, type ShiftOptions, type ShiftStatus } from './stats.ts';

export type CheckStatus = ShiftStatus;

export interface VerdictRow {
  /** Stable name, e.g. "latency-p95:search"; one JUnit testcase per row. */
  check: string;
  step?: string;
  /** e.g. "p95 ms", "throughput req/s". */
  metric: string;
  /** Medians of the per-window samples (or the raw values for absolute checks). */
  baseline: number;
  current: number;
  /** Relative change current/baseline − 1; NaN when unknown. */
  change: number;
  /** One-sided p-value in the bad direction; null for checks without a statistical test or without data. */
  p: number | null;
  status: CheckStatus;
  reason?: string;
  /** What kind of check: a comparison with the baseline, an absolute threshold, or an infrastructure limit. */
  kind?: 'compare' | 'threshold' | 'infrastructure';
}

export interface CompareCheck {
  check: string;
  step?: string;
  metric: string;
  baseline: readonly number[];
  current: readonly number[];
  options?: ShiftOptions;
}

/** One row from per-window samples through the significance-and-magnitude rule. */
export function compareCheck(c: CompareCheck): VerdictRow {
  const s = shifted(c.baseline, c.current, c.options);
  const row: VerdictRow = {
    check: c.check,
    metric: c.metric,
    baseline: s.baselineMedian,
    current: s.currentMedian,
    change: s.medianChange,
    p: s.p,
    status: s.status,
    reason: s.reason,
    kind: 'compare',
  };
  if (c.step !== undefined) row.step = c.step;
  return row;
}

export interface DecideOptions {
  /**
   * Off by default: a step too short for 8 windows should not redden a nightly build, but it is still listed so
   * nobody mistakes "not measured" for "passed". Turn on where every check must have run.
   */
  failOnInsufficientData?: boolean;
}

export interface Decision {
  pass: boolean;
  /** 0 pass, 1 regression; the CLI adds 2 for errors it hits before a verdict exists. */
  exitCode: 0 | 1;
  counts: Record<CheckStatus, number>;
  failing: VerdictRow[];
  reason: string;
}

export function decide(rows: readonly VerdictRow[], options: DecideOptions = {}): Decision {
  const counts: Record<CheckStatus, number> = { pass: 0, regression: 0, improved: 0, 'insufficient-data': 0 };
  for (const r of rows) counts[r.status]++;
  const failing = rows.filter((r) => r.status === 'regression' || (options.failOnInsufficientData === true && r.status === 'insufficient-data'));

  // A gate that compared nothing must not go green: that is how a broken pipeline hides.
  if (rows.length === 0) return { pass: false, exitCode: 1, counts, failing, reason: 'no checks ran' };
  if (failing.length > 0) {
    const names = failing.map((r) => (r.step !== undefined ? `${r.check} (${r.step})` : r.check)).join(', ');
    return { pass: false, exitCode: 1, counts, failing, reason: `${failing.length} failing: ${names}` };
  }
  return { pass: true, exitCode: 0, counts, failing, reason: `${rows.length} checks, none regressed` };
}
