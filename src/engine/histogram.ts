import * as hdr from 'hdr-histogram-js';
import type { Stats } from '../core/run.ts';

/**
 * Microseconds, 1 µs to 1 h, 3 significant digits. 32-bit buckets: 'packed' ones use less memory
 * but made merging and percentiles slow enough to stall the generator's event loop (profiled).
 */
export function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32 });
}

export const encodeHistogram = (h: hdr.Histogram): string => hdr.encodeIntoCompressedBase64(h);
export const decodeHistogram = (s: string): hdr.Histogram => hdr.decodeFromCompressedBase64(s, 32);

/** Percentiles in milliseconds from a µs histogram; zeros when it is empty. */
export function statsMs(h: hdr.Histogram): Stats {
  if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    min: ms(h.minNonZeroValue),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

/** Microseconds from two run-clock milliseconds, at least 1 (HDR cannot hold 0 distinctly). */
export const micros = (fromMs: number, toMs: number) => Math.max(1, Math.round((toMs - fromMs) * 1000));
