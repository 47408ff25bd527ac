/**
 * The two line types of k6's JSON output (`k6 run --out json=FILE`, see k6's output/json):
 *   {"type":"Metric","data":{"name","type","contains","thresholds","submetrics"},"metric":NAME}
 *   {"type":"Point","data":{"time":RFC3339,"value":N,"tags":{…}|null},"metric":NAME}
 * Durations are milliseconds. Anything else is not k6 output, and the reader is told where.
 */
import { UsageError } from '../../core/errors.ts';

/** A threshold as k6 writes it: the source text, or an object when abortOnFail is set. */
export type K6ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string | null };

export interface K6Metric {
  type: 'Metric';
  name: string;
  metricType: string;
  thresholds: K6ThresholdSpec[];
  /** Submetric names, e.g. `http_req_duration{expected_response:true}`. */
  submetrics: string[];
}

export interface K6Point {
  type: 'Point';
  metric: string;
  /** Epoch milliseconds with the sub-millisecond part kept (k6 writes nanoseconds). */
  time: number;
  /** The time exactly as written: pairs a request's samples, which share one timestamp. */
  timeText: string;
  value: number;
  tags: Record<string, string>;
}

export type K6Line = K6Metric | K6Point;

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** Date.parse drops digits below the millisecond; k6 writes up to nine. */
export function parseTime(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const whole = Date.parse(m[1]! + m[3]!);
  if (Number.isNaN(whole)) return null;
  return m[2] ? whole + Number(m[2]) * 1000 : whole;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function thresholdsOf(v: unknown): K6ThresholdSpec[] | null {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) return null;
  const out: K6ThresholdSpec[] = [];
  for (const t of v) {
    if (typeof t === 'string') out.push(t);
    else if (isObject(t) && typeof t.threshold === 'string') {
      out.push({ threshold: t.threshold, abortOnFail: t.abortOnFail === true, delayAbortEval: typeof t.delayAbortEval === 'string' ? t.delayAbortEval : null });
    } else return null;
  }
  return out;
}

function tagsOf(v: unknown): Record<string, string> | null {
  if (v === null || v === undefined) return {};
  if (!isObject(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : String(x);
  return out;
}

/** Why `v` is not a k6 line, or the line. */
function interpret(v: unknown): K6Line | string {
  if (!isObject(v)) return 'not a JSON object';
  const data = v.data;
  if (!isObject(data)) return 'no "data" object';
  if (typeof v.metric !== 'string' || !v.metric) return 'no "metric" name';
  if (v.type === 'Point') {
    if (typeof data.time !== 'string') return 'a Point without "time"';
    const time = parseTime(data.time);
    if (time === null) return `time '${data.time}' is not RFC 3339`;
    if (typeof data.value !== 'number' || !Number.isFinite(data.value)) return 'a Point without a numeric "value"';
    const tags = tagsOf(data.tags);
    if (!tags) return '"tags" is not an object';
    return { type: 'Point', metric: v.metric, time, timeText: data.time, value: data.value, tags };
  }
  if (v.type === 'Metric') {
    const thresholds = thresholdsOf(data.thresholds);
    if (!thresholds) return '"thresholds" is not a list of thresholds';
    const subs = Array.isArray(data.submetrics) ? data.submetrics : [];
    return {
      type: 'Metric',
      name: typeof data.name === 'string' && data.name ? data.name : v.metric,
      metricType: typeof data.type === 'string' ? data.type : 'unknown',
      thresholds,
      submetrics: subs.flatMap((s) => (isObject(s) && typeof s.name === 'string' ? [s.name] : [])),
    };
  }
  return `"type" is ${JSON.stringify(v.type)}, not "Metric" or "Point"`;
}

/** Quick test used to tell NDJSON from a summary export by its first line. */
export function looksLikeK6Line(text: string): boolean {
  return /^\s*\{\s*"(type|metric)"\s*:/.test(text) && /"type"\s*:\s*"(Metric|Point)"/.test(text);
}

/** One line of a k6 JSON output; null for a blank line; a UsageError naming file and line otherwise. */
export function parseK6Line(text: string, file: string, lineNo: number): K6Line | null {
  if (!text.trim()) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw badLine(file, lineNo, `not JSON (${(e as Error).message})`);
  }
  const line = interpret(v);
  if (typeof line === 'string') throw badLine(file, lineNo, line);
  return line;
}

function badLine(file: string, lineNo: number, why: string): UsageError {
  return new UsageError(`${file}:${lineNo}: not a k6 JSON line: ${why}`, 'expected the output of `k6 run --out json=FILE` (one JSON object per line)');
}
