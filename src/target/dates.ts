import { badRequest } from './errors.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** OpenMRS REST date-time: 2026-11-21T09:30:00.000+0000 (the target runs in UTC). */
export function restDate(d: Date | null | undefined): string | null {
  if (!d) return null;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}

/**
 * Accepts the formats OpenMRS's ConversionUtil accepts: yyyy-MM-dd, with time, with millis,
 * with zone as Z, +0100 or +01:00. Throws a 400 otherwise.
 */
export function parseRestDate(value: unknown, field: string): Date {
  if (typeof value !== 'string') throw badRequest(`${field}: expected a date string, got ${JSON.stringify(value)}`);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) throw badRequest(`${field}: failed to convert '${value}' to a date`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', zone] = m;
  let offsetMin = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const t = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, Number(ms.padEnd(3, '0'))) - offsetMin * 60_000;
  const date = new Date(t);
  if (Number.isNaN(t) || +mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31) throw badRequest(`${field}: failed to convert '${value}' to a date`);
  return date;
}

/** MySQL DATETIME text in UTC, for parameters. */
export function sqlDate(d: Date): string {
  return restDate(d)!.slice(0, 23).replace('T', ' ');
}

/** Whole years between birthdate and now, as OpenMRS's Person.getAge. */
export function ageOn(birthdate: Date | null, on: Date = new Date()): number | null {
  if (!birthdate) return null;
  let age = on.getUTCFullYear() - birthdate.getUTCFullYear();
  const m = on.getUTCMonth() - birthdate.getUTCMonth();
  if (m < 0 || (m === 0 && on.getUTCDate() < birthdate.getUTCDate())) age--;
  return age;
}
