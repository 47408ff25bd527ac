import { UsageError } from '../core/errors.ts';

/**
 * A daily load profile: the share of the peak load at each hour of a weekday, and the weekend's share of the
 * weekday. The cost model prices a month of these days, since clinics are busy 8 to 5 and nearly idle at night:
 * billing by the hour (Serverless ACUs, ALB LCUs, I/O) depends on the shape, not only on the peak.
 */
export interface DailyProfile {
  name: string;
  /** 24 factors, hour 0 (00:00–01:00) to hour 23, each 0–1 of the peak load. */
  weekday: number[];
  /** A weekend hour carries this share of the same weekday hour. */
  weekendFactor: number;
}

/** AWS's convention: a month is 730 hours, so a month of the profile has 730/24 ≈ 30.4 days. */
export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const WEEKDAYS_PER_MONTH = (DAYS_PER_MONTH * 5) / 7;
const WEEKEND_DAYS_PER_MONTH = (DAYS_PER_MONTH * 2) / 7;

export const FLAT: DailyProfile = { name: 'flat', weekday: Array<number>(24).fill(1), weekendFactor: 1 };

/** Clinic hours 08–17 at the peak, shoulders 07–08 and 17–19 at 0.4, nights at 0.05; weekends 0.15 of a weekday. */
export const CLINIC_DAY: DailyProfile = {
  name: 'clinic-day',
  weekday: Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 17 ? 1 : h === 7 || h === 17 || h === 18 ? 0.4 : 0.05)),
  weekendFactor: 0.15,
};

/** One hour of the month's profile: the share of the peak load and how many such hours the month has. */
export interface ProfileHour {
  factor: number;
  hoursPerMonth: number;
}

/** The month as 48 kinds of hour (24 weekday, 24 weekend) with their counts; the counts sum to 730. */
export function monthHours(profile: DailyProfile): ProfileHour[] {
  return [
    ...profile.weekday.map((f) => ({ factor: f, hoursPerMonth: WEEKDAYS_PER_MONTH })),
    ...profile.weekday.map((f) => ({ factor: f * profile.weekendFactor, hoursPerMonth: WEEKEND_DAYS_PER_MONTH })),
  ];
}

/** Peak-hours in a month: Σ factor × hours. Multiplied by a peak rate per hour it gives the month's total. */
export function peakEquivalentHours(profile: DailyProfile): number {
  return monthHours(profile).reduce((s, h) => s + h.factor * h.hoursPerMonth, 0);
}

/** Mean load over the month as a share of the peak. */
export function averageFactor(profile: DailyProfile): number {
  return peakEquivalentHours(profile) / HOURS_PER_MONTH;
}

/** `{"weekday": [24 factors], "weekend": 0.15, "name"?: "…"}`, factors 0–1 of the peak. */
export function profileFromJson(json: unknown, source: string): DailyProfile {
  const o = json as { weekday?: unknown; hours?: unknown; weekend?: unknown; name?: unknown } | null;
  const hours = o?.weekday ?? o?.hours;
  const bad = (what: string) => new UsageError(`--profile ${source}: ${what}`, 'give {"weekday": [24 factors between 0 and 1], "weekend": 0.15}');
  if (!Array.isArray(hours) || hours.length !== 24) throw bad('needs "weekday": 24 hourly factors');
  if (!hours.every((f) => typeof f === 'number' && f >= 0 && f <= 1)) throw bad('every hourly factor must be a number from 0 to 1 (a share of the peak load)');
  const weekend = o?.weekend ?? 1;
  if (typeof weekend !== 'number' || weekend < 0 || weekend > 1) throw bad('"weekend" must be a number from 0 to 1');
  return { name: typeof o?.name === 'string' ? o.name : source, weekday: hours as number[], weekendFactor: weekend };
}

export function describeProfile(p: DailyProfile): string {
  if (p === CLINIC_DAY) return 'clinic-day: weekdays 08–17 at the peak, 07–08 and 17–19 at 0.4, nights 0.05; weekends 0.15 of a weekday';
  if (p === FLAT) return 'flat: the peak load around the clock';
  return `${p.name}: hourly factors from the file, weekends ${p.weekendFactor} of a weekday`;
}
