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
