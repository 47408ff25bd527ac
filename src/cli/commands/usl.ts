import { UsageError } from '../../core/errors.ts';
import { readRun } from '../../engine/run-dir.ts';
import { fitUsl, uslThroughput, type UslFit } from '../../model/usl.ts';
import { defaultAxis, plateauPoints, replicaPoints, toUslPoints, type MeasuredPoint, type UslAxis } from '../../model/usl-points.ts';

export interface UslOptions {
  by?: string;
  json?: boolean;
}

type FittedPoint = MeasuredPoint & { fitted: number | null; error: number | null };

/**
 * One sentence on what limits scaling: which USL term weighs more at the largest measured N, in the words
 * an operator would look for (a serialised resource, or crosstalk between nodes), and where that leads.
 */
export function interpretUsl(fit: Extract<UslFit, { ok: true }>, nLargest: number, axis: UslAxis): string {
  const contention = fit.sigma * (nLargest - 1);
  const coherency = fit.kappa * nLargest * (nLargest - 1);
  const sigma = `contention (σ = ${fit.sigma.toFixed(3)}: about ${(fit.sigma * 100).toFixed(1)}% of the work is serialised, e.g. a single database or one shared core)`;
  const kappa = `coherency (κ = ${fit.kappa.toExponential(2)}: crosstalk such as cache invalidation or Galera certification, growing with N²)`;
  if (contention + coherency < 0.05) {
    return `Scaling is nearly linear up to ${nLargest} ${axis}: neither ${sigma} nor ${kappa} costs much yet.`;
  }
  const ratio = coherency > 0 ? contention / coherency : Infinity;
  const weight =
    ratio > 1.5 ? `${sigma[0]!.toUpperCase()}${sigma.slice(1)} outweighs ${kappa}`
    : ratio < 1 / 1.5 ? `${kappa[0]!.toUpperCase()}${kappa.slice(1)} outweighs ${sigma}`
    : `${sigma[0]!.toUpperCase()}${sigma.slice(1)} and ${kappa} weigh about the same`;
  const outcome =
    fit.nMax !== null
      ? `κ makes throughput peak near ${fit.nMax.toFixed(0)} ${axis}${fit.nMax > nLargest ? ' (beyond what was measured)' : ''} and fall after it`
      : fit.kappa > 0
        ? 'throughput falls from the first level on (σ ≥ 1)'
        : `with κ = 0 throughput levels off towards λ/σ = ${(fit.lambda / fit.sigma).toFixed(1)} requests/s`;
  return `${weight} at ${nLargest} ${axis}; ${outcome}.`;
}

/** `loadlab usl RUN_DIR…`: the Universal Scalability Law fitted to measured runs, beside the queueing model. */
export async function uslCommand(dirs: string[], o: UslOptions): Promise<void> {
  if (o.by !== undefined && o.by !== 'users' && o.by !== 'replicas') {
    throw new UsageError(`--by: '${o.by}' is neither users nor replicas`, 'users: plateaus of active VUs; replicas: one point per run, N its replica count');
  }
  const runs = dirs.map((dir) => readRun(dir));
  const axis: UslAxis = (o.by as UslAxis | undefined) ?? defaultAxis(runs);
  const { points, warnings } = axis === 'users' ? plateauPoints(runs) : replicaPoints(runs);
  const fit = fitUsl(toUslPoints(points));
  const fitted: FittedPoint[] = points.map((p) => {
    const x = fit.ok ? uslThroughput(p.n, fit.lambda, fit.sigma, fit.kappa) : null;
    return { ...p, fitted: x, error: x === null ? null : (x - p.throughput) / p.throughput };
  });
  if (!fit.ok) process.exitCode = 1;
  if (o.json) return void console.log(JSON.stringify({ by: axis, points: fitted, fit, warnings }, null, 2));

  const many = runs.length > 1;
  console.log(`USL by ${axis}, ${points.length} point(s) from ${runs.length} run(s)`);
  console.log(`  ${axis.padStart(8)}  ${'req/s'.padStart(8)}  ${'fitted'.padStart(8)}  ${'error'.padStart(7)}  measured over`);
  for (const p of fitted) {
    const f = p.fitted === null ? '—' : p.fitted.toFixed(1);
    const e = p.error === null ? '—' : `${p.error >= 0 ? '+' : ''}${(p.error * 100).toFixed(1)}%`;
    console.log(`  ${String(p.n).padStart(8)}  ${p.throughput.toFixed(1).padStart(8)}  ${f.padStart(8)}  ${e.padStart(7)}  ${many ? `${p.run} ` : ''}${p.from}–${p.to} s`);
  }
  if (!fit.ok) {
    console.log(`no fit: ${fit.reason}`);
  } else {
    const nLargest = Math.max(...points.map((p) => p.n));
    console.log(`λ ${fit.lambda.toFixed(2)}/s per ${axis === 'users' ? 'user' : 'replica'}, σ ${fit.sigma.toFixed(4)}, κ ${fit.kappa.toExponential(2)}, R² ${fit.r2.toFixed(3)}`);
    const peak = fit.peakThroughput === null ? 'none' : `${fit.peakThroughput.toFixed(1)} requests/s`;
    if (fit.nMax !== null) {
      const beyond = fit.nMax > nLargest ? ` (beyond the largest measured ${nLargest}: an extrapolation)` : '';
      console.log(`N_max ${fit.nMax.toFixed(1)} ${axis}${beyond}, peak throughput ${peak}`);
    } else {
      console.log(`N_max none (κ = 0: no retrograde region), throughput ceiling ${fit.peakThroughput === null ? 'none' : `λ/σ = ${peak}`}`);
    }
    console.log(interpretUsl(fit, nLargest, axis));
  }
  for (const w of warnings) console.log(`warning: ${w}`);
}
