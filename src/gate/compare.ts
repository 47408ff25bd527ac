/**
 * Current run against a baseline run or the nightly history: one verdict row per step and metric. Pure.
 */
import type { GateConfig, GateRecord } from '../core/gate.ts';
import { changePoints, MIN_RUNS_FOR_Z, standing } from './history.ts';
import { METRICS, parseCheck } from './samples.ts';
import { median } from './stats.ts';
import { compareCheck, type VerdictRow } from './verdict.ts';

export type CompareSettings = GateConfig['compare'];

/** Each check present in the current run, compared with the same check of one baseline run. */
export function compareWithRun(current: GateRecord, baseline: GateRecord, s: CompareSettings): VerdictRow[] {
  const rows = checksOf(current).map(({ name, metric, step }) =>
    compareCheck({
      check: name, step, metric: `${metric} (${METRICS[metric].unit})`,
      baseline: baseline.samples[name] ?? [], current: current.samples[name] ?? [],
      options: { minEffect: s.minEffect, alpha: s.alpha, worse: METRICS[metric].worse },
    }),
  );
  return holm(rows, s.alpha);
}

/**
 * Holm's step-down correction across the checks of one comparison. A run has ~35 checks (5 metrics × ~7 steps);
 * at α = 0.01 each, about one A/A comparison in four would fail somewhere by chance alone. Holm keeps the chance
 * of any false alarm among them at α, and costs less power than Bonferroni: the smallest p must pass α/m, the
 * next α/(m−1), and so on, stopping at the first that does not.
 */
export function holm(rows: VerdictRow[], alpha: number): VerdictRow[] {
  const tested = rows.filter((r) => r.p !== null).sort((a, b) => a.p! - b.p!);
  const m = tested.length;
  let passing = true;
  tested.forEach((r, k) => {
    const limit = alpha / (m - k);
    passing &&= r.p! < limit;
    if (!passing && r.status === 'regression') {
      r.status = 'pass';
      r.reason = `${r.reason}, but not after Holm's correction for ${m} checks (needs p < ${limit.toPrecision(2)})`;
    }
  });
  return rows;
}

export interface HistoryBaseline {
  /** Runs of the current regime used as the baseline, oldest first. */
  runs: GateRecord[];
  /** Runs before the last change point, left out. */
  before: number;
}

/**
 * For each check: the history's run-level medians, its last change point, and the most recent runs after it.
 * A check then fails only if the window test fails AND (with enough runs) tonight stands out from the nights.
 */
export function compareWithHistory(current: GateRecord, history: readonly GateRecord[], s: CompareSettings): { rows: VerdictRow[]; regimes: Record<string, HistoryBaseline> } {
  const rows: VerdictRow[] = [];
  const regimes: Record<string, HistoryBaseline> = {};
  for (const { name, metric, step } of checksOf(current)) {
    const runs = history.filter((r) => (r.samples[name] ?? []).some(Number.isFinite));
    const series = runs.map((r) => median((r.samples[name] ?? []).filter(Number.isFinite)));
    const cuts = changePoints(series, { minEffect: s.minEffect });
    const start = cuts.at(-1) ?? 0;
    const baseRuns = runs.slice(start).slice(-s.historyRuns);
    regimes[name] = { runs: baseRuns, before: start };
    const worse = METRICS[metric].worse;
    const row = compareCheck({
      check: name, step, metric: `${metric} (${METRICS[metric].unit})`,
      baseline: baseRuns.flatMap((r) => r.samples[name] ?? []), current: current.samples[name] ?? [],
      options: { minEffect: s.minEffect, alpha: s.alpha, worse },
    });
    const recent = Math.max(start, series.length - s.historyRuns);
    const st = standing(series, recent, median((current.samples[name] ?? []).filter(Number.isFinite)), worse, cuts);
    const regime = start > 0 ? `; baseline: ${baseRuns.length} runs since a change point (${start} older left out)` : `; baseline: ${baseRuns.length} runs`;
    if (row.status === 'regression' && st.z !== null && st.z < s.historyZ) {
      row.status = 'pass';
      row.reason = `${row.reason}, but within the nights' own scatter (robust z ${st.z.toFixed(1)} < ${s.historyZ})${regime}`;
    } else {
      const z = st.z === null ? `robust z n/a (< ${MIN_RUNS_FOR_Z} runs)` : `robust z ${st.z.toFixed(1)}`;
      row.reason = `${row.reason}; ${z}${regime}`;
    }
    rows.push(row);
  }
  return { rows: holm(rows, s.alpha), regimes };
}

function checksOf(r: GateRecord): { name: string; metric: keyof typeof METRICS; step: string }[] {
  return Object.keys(r.samples)
    .sort()
    .flatMap((name) => {
      const c = parseCheck(name);
      return c ? [{ name, ...c }] : [];
    });
}
