/**
 * How a scenario's randomness is drawn — seeds, think times, journey picks — shared by the engine and the
 * exported k6 script, so a VU walks the journeys and pauses the same way in both. Pure, no Node.js APIs.
 */
import type { Journey, ThinkTime } from './types.ts';

/** A 32-bit hash of two integers, to derive independent seeds (per VU, per arrival) from the run seed. */
export function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: tiny and fast; plenty for think times, record choice and journey picks. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), this.state | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Seconds of one think time drawn from its distribution. */
export function thinkSeconds(t: ThinkTime, random: () => number): number {
  switch (t.kind) {
    case 'constant':
      return t.seconds;
    case 'uniform':
      return t.min + (t.max - t.min) * random();
    case 'exponential':
      return -Math.log(1 - random()) * t.mean;
  }
}

/** The journey of iteration (a, b) by weight: the same (seed, a, b) always picks the same journey. */
export function journeyPicker(journeys: Journey[], seed: number): (a: number, b: number) => Journey {
  const usable = journeys.filter((j) => j.weight > 0);
  if (usable.length === 0) throw new Error('the scenario has no journey with a positive weight');
  const only = usable[0]!;
  if (usable.length === 1) return () => only;
  const cumulative: number[] = [];
  let total = 0;
  for (const j of usable) cumulative.push((total += j.weight));
  return (a, b) => {
    const u = (mix(mix(seed, a), b) / 4294967296) * total;
    for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]!) return usable[i]!;
    return usable[usable.length - 1]!;
  };
}
