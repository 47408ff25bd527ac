import * as hdr from 'hdr-histogram-js';
import type { Stats } from './run.ts';

/**
 * Microseconds, 1 µs to 1 h, 3 significant digits. 32-bit buckets: 'packed' ones use less memory
 * but made merging and percentiles slow enough to stall the generator's event loop (profiled).
 */
export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32 });
}

export const encodeHistogram = (h: hdr.Histogram): string => hdr.encodeIntoCompressedBase64(h);
export const decodeHistogram = (s: string): hdr.Histogram => hdr.decodeFromCompressedBase64(s, 32);

/**
 * The mean in µs by one pass over the counts array. hdr-histogram-js's own `mean` walks a recorded-values
 * iterator with several method calls per bucket: profiled at seconds of CPU per minute when the run writes its
 * summary every 5 s, stalling the generator (and, through the burst that follows, the target).
 */
export function meanUs(h: hdr.Histogram): number {
  if (h.totalCount === 0) return 0;
  const js = h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number; medianEquivalentValue(v: number): number };
  if (typeof js.getCountAtIndex !== 'function') return h.mean;
  let sum = 0;
  for (let i = 0; i < js.countsArrayLength; i++) {
    const c = js.getCountAtIndex(i);
    if (c > 0) sum += c * js.medianEquivalentValue(js.valueFromIndex(i));
  }
  return sum / h.totalCount;
}

/** Percentiles in milliseconds from a µs histogram; zeros when it is empty. */
export function statsMs(h: hdr.Histogram): Stats {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    min: ms(h.minNonZeroValue),
    mean: ms(meanUs(h)),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

/** Microseconds from two run-clock milliseconds, at least 1 (HDR cannot hold 0 distinctly). */
export const micros = (fromMs: number, toMs: number) => Math.max(1, Math.round((toMs - fromMs) * 1000));
