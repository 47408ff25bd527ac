/**
 * sfc32 (Chris Doty-Humphrey's small fast chaotic generator). Its 128-bit state is seeded directly
 * from (seed, patient, stream, tag) rather than from a 32-bit hash, so no two patients or visits can
 * share a stream: with 32-bit seeds, 250,000 streams would collide a few times and duplicate uuids.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, k: number, stream: number, tag: number) {
    this.a = seed | 0;
    this.b = k | 0;
    this.c = stream | 0;
    this.d = tag | 0;
    // Neighbouring seeds differ in few bits; the first outputs need mixing before they look random.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** Uniform real in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Index into `weights` with probability proportional to each weight. */
  weighted(weights: readonly number[], total: number): number {
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] ?? 0;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** A version-4-shaped uuid (36 characters) drawn from this stream. */
  uuid(): string {
    const a = this.next();
    const b = ((this.next() & 0xffff0fff) | 0x00004000) >>> 0;
    const c = ((this.next() & 0x3fffffff) | 0x80000000) >>> 0;
    const d = this.next();
    return `${hex8(a)}-${hex4(b >>> 16)}-${hex4(b & 0xffff)}-${hex4(c >>> 16)}-${hex4(c & 0xffff)}${hex8(d)}`;
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex4 = (x: number): string => `${HEX[(x >>> 8) & 255]}${HEX[x & 255]}`;
const hex8 = (x: number): string => `${HEX[x >>> 24]}${HEX[(x >>> 16) & 255]}${HEX[(x >>> 8) & 255]}${HEX[x & 255]}`;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const YEAR = 365.25 * DAY;

/** 'YYYY-MM-DD HH:MM:SS' in UTC (the seeded database stores naive datetimes). */
export function sqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export function sqlDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
