import { MODEL_SCHEMA, type MeasuredTopology, type Model, type ModelStation, type RequestClass } from '../core/model.ts';
import { scaledConditionNumber } from './linalg.ts';
import { nnls } from './nnls.ts';

/**
 * Calibration (reference/modeling.md, "Estimating demands from a run"): per window w, the measured utilisation of
 * each station U_k(w) = busy_k(w) / seconds(w) (in busy servers) and the per-class throughputs
 * X_c(w) = completions_c(w) / seconds(w) give U_k(w) = U0_k + Σ_c X_c(w) D_{c,k} + ε, solved for D_{c,k} ≥ 0 and
 * the background U0_k ≥ 0 by non-negative least squares, one station at a time.
 *
 * The regression can only separate classes whose throughputs move differently: a run at constant load, or one
 * whose classes rise and fall together (a ramp with a fixed mix), leaves the split between classes undetermined.
 * We say so in warnings rather than hand on numbers that look precise.
 */

export interface CalibrationWindow {
  seconds: number;
  completions: Record<string, number>;
  /** Busy seconds of each station in the window (CPU seconds, DB busy time), summed over its copies. */
  busy: Record<string, number>;
}

export interface DemandEstimate {
  /** D_{c,k}: demands[class][station] */
  demands: Record<string, Record<string, number>>;
  /** U0_k in busy servers. */
  background: Record<string, number>;
  r2: Record<string, number>;
  rmsResidual: Record<string, number>;
  conditionNumber: number;
  loadVariation: number;
  warnings: string[];
}

/** Below this relative spread of the total throughput the run counts as constant load. */
export const MIN_LOAD_VARIATION = 0.2;
/** Above this condition number of the scaled design matrix the per-class split is not identifiable. */
export const MAX_CONDITION_NUMBER = 30;
/** Below this R² a station's fit is reported as poor. */
export const MIN_R2 = 0.7;

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? 0;

export function estimateDemands(windows: readonly CalibrationWindow[], stations: readonly string[], classes: readonly string[]): DemandEstimate {
  const warnings: string[] = [];
  const usable = windows.filter((w) => w.seconds > 0);
  // Design matrix rows: [1, X_1(w), …, X_C(w)]; the leading 1 carries the background U0_k.
  const design = usable.map((w) => [1, ...classes.map((c) => (w.completions[c] ?? 0) / w.seconds)]);
  if (usable.length < 3 * (classes.length + 1)) {
    warnings.push(`only ${usable.length} windows for ${classes.length} classes and a background: use a longer run or shorter windows`);
  }

  const totals = design.map((row) => row.slice(1).reduce((a, b) => a + b, 0)).sort((a, b) => a - b);
  const median = quantile(totals, 0.5);
  const loadVariation = median > 0 ? (quantile(totals, 0.9) - quantile(totals, 0.1)) / median : 0;
  if (loadVariation < MIN_LOAD_VARIATION) {
    warnings.push(
      `the run lacks load variation: total throughput varies by ${(loadVariation * 100).toFixed(0)}% across windows ` +
        `(under ${MIN_LOAD_VARIATION * 100}%), so background and demands cannot be told apart; calibrate from the capacity profile (a ramp)`,
    );
  }
  const idle = classes.filter((_, c) => design.every((row) => row[c + 1] === 0));
  if (idle.length > 0) warnings.push(`no completions of ${idle.join(', ')}: their demands are set to 0`);
  const observed = design.map((row) => row.filter((_, j) => j === 0 || !idle.includes(classes[j - 1]!)));
  const conditionNumber = usable.length > 0 ? scaledConditionNumber(observed) : Infinity;
  if (conditionNumber > MAX_CONDITION_NUMBER && loadVariation >= MIN_LOAD_VARIATION) {
    warnings.push(
      `the per-class throughputs are nearly collinear (condition number ${Number.isFinite(conditionNumber) ? conditionNumber.toFixed(0) : '∞'}): ` +
        'the split of demand between classes is not identifiable: projections at this run\'s mix hold, but per-class demands ' +
        '(and what-ifs that move one class, such as search=opensearch) do not; a ramp keeps the mix fixed, so only runs of different mixes separate the classes',
    );
  }

  const demands: Record<string, Record<string, number>> = Object.fromEntries(classes.map((c) => [c, {}]));
  const background: Record<string, number> = {};
  const r2: Record<string, number> = {};
  const rmsResidual: Record<string, number> = {};
  for (const station of stations) {
    const utilisation = usable.map((w) => (w.busy[station] ?? 0) / w.seconds);
    const fit = nnls(design, utilisation);
    background[station] = fit.coefficients[0] ?? 0;
    classes.forEach((c, j) => ((demands[c] ??= {})[station] = fit.coefficients[j + 1] ?? 0));
    r2[station] = fit.r2;
    rmsResidual[station] = Math.sqrt(fit.residuals.reduce((s, e) => s + e * e, 0) / Math.max(1, usable.length));
    if (fit.r2 < MIN_R2 && utilisation.some((u) => u > 0)) {
      warnings.push(`station ${station}: the fit explains little of its utilisation (R² ${fit.r2.toFixed(2)}); check the probe or add a class`);
    }
  }
  return { demands, background, r2, rmsResidual, conditionNumber, loadVariation, warnings };
}

/** What the CLI knows about each class besides the windows: its kind, think time and measured tail. */
export interface ClassFacts {
  name: string;
  kind: RequestClass['kind'];
  thinkTimeSeconds: number;
  /** p95 / mean of the class's measured response time (from summary.json). */
  p95OverMean: number;
  bytesPerRequest?: number;
  ioPerRequest?: number;
}

export interface CalibrationInput {
  runId: string;
  scenario?: string;
  stations: ModelStation[];
  classes: ClassFacts[];
  windows: CalibrationWindow[];
  measured: MeasuredTopology;
  database?: Model['database'];
  /** Warnings about the run itself (e.g. seconds the machine ran slow), added to the fit's. */
  notes?: string[];
}

/** Builds model.json from a run's windows: demands and background by NNLS, the mix from completions. */
export function calibrate(input: CalibrationInput): Model {
  const stationNames = input.stations.map((s) => s.name);
  const classNames = input.classes.map((c) => c.name);
  const estimate = estimateDemands(input.windows, stationNames, classNames);
  const completions = classNames.map((c) => input.windows.reduce((s, w) => s + (w.completions[c] ?? 0), 0));
  const total = completions.reduce((a, b) => a + b, 0);
  const seconds = input.windows.reduce((s, w) => s + w.seconds, 0);
  return {
    schema: MODEL_SCHEMA,
    source: { runId: input.runId, ...(input.scenario ? { scenario: input.scenario } : {}) },
    stations: input.stations,
    classes: input.classes.map((c, i) => ({
      name: c.name,
      kind: c.kind,
      thinkTimeSeconds: c.thinkTimeSeconds,
      mixShare: total > 0 ? completions[i]! / total : 1 / classNames.length,
      demands: estimate.demands[c.name] ?? {},
      ...(c.bytesPerRequest !== undefined ? { bytesPerRequest: c.bytesPerRequest } : {}),
      ...(c.ioPerRequest !== undefined ? { ioPerRequest: c.ioPerRequest } : {}),
    })),
    background: estimate.background,
    measured: input.measured,
    fit: {
      windows: input.windows.length,
      windowSeconds: input.windows.length > 0 ? seconds / input.windows.length : 0,
      r2: estimate.r2,
      rmsResidual: estimate.rmsResidual,
      conditionNumber: Number.isFinite(estimate.conditionNumber) ? estimate.conditionNumber : 1e12,
      loadVariation: estimate.loadVariation,
      warnings: [...(input.notes ?? []), ...estimate.warnings],
    },
    tail: { p95OverMean: Object.fromEntries(input.classes.map((c) => [c.name, Math.max(1, c.p95OverMean)])) },
    statements: [],
    ...(input.database ? { database: input.database } : {}),
  };
}
