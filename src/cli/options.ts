import { readFileSync } from 'node:fs';
import { Model } from '../core/model.ts';
import { UsageError } from '../core/errors.ts';

/** A positive integer option, with a message naming the option when it is not one. */
export function positiveInt(value: string | number | undefined, option: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${option} is required`);
    return fallback;
  }
  const n = typeof value === 'number' ? value : Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${option}: '${value}' is not a whole number`, `e.g. ${option} 1000`);
  return n;
}

/** `search=1.2,encounter=1.5` → {search: 1.2, encounter: 1.5}. */
export function parseFactors(value: string | undefined, option: string): Record<string, number> {
  if (!value) return {};
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=');
    const f = Number(v);
    if (!k || !v || !Number.isFinite(f) || f < 1) {
      throw new UsageError(`${option}: '${part}' is not CLASS=FACTOR with FACTOR ≥ 1`, `e.g. ${option} search=1.2`);
    }
    out[k.trim()] = f;
  }
  return out;
}

/** A number option at least `min`. */
export function positiveNumber(v: string, option: string, min = 0): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`${option}: '${v}' is not a number ≥ ${min}`);
  return n;
}

/** model.json from `loadlab calibrate`, validated; a bad or missing file is a usage error naming it. */
export function readModel(file: string): Model {
  try {
    return Model.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new UsageError(`--model ${file}: ${(e as Error).message.split('\n')[0]}`, 'make one with `loadlab calibrate RUN_DIR`');
  }
}

/** `--slo 'p95<1s'` (or ms) → the p95 limit in seconds. */
export function parseSlo(v: string | undefined): { p95Seconds: number } | undefined {
  if (!v) return undefined;
  const m = /^p95\s*<\s*(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(v.trim());
  if (!m) throw new UsageError(`--slo: '${v}' is not p95<VALUE(ms|s)`, "e.g. --slo 'p95<1s'");
  return { p95Seconds: Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) };
}
