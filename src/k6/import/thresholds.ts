/**
 * The script's thresholds, evaluated again on the merged samples of all pods (each pod's k6 judged only its
 * own share). k6 writes a metric's thresholds on its Metric line, but not those of submetrics
 * (`http_req_duration{name:login}`): those come from the summary exports, which list every threshold.
 */
import type { ThresholdResult } from '../../core/run.ts';
import { parseThreshold, type Threshold } from '../../core/thresholds.ts';
import type { K6Metric, K6ThresholdSpec } from './lines.ts';
import type { SummaryExport } from './summary-export.ts';

export interface K6Thresholds {
  parsed: Threshold[];
  /** Thresholds loadlab cannot measure from the imported data, with the reason. */
  skipped: string[];
}

const source = (s: K6ThresholdSpec) => (typeof s === 'string' ? s : s.threshold).trim();

export function collectThresholds(metrics: Iterable<K6Metric>, exports: SummaryExport[]): K6Thresholds {
  const byKey = new Map<string, Map<string, K6ThresholdSpec>>();
  const add = (key: string, spec: K6ThresholdSpec) => {
    const list = byKey.get(key) ?? new Map<string, K6ThresholdSpec>();
    const known = list.get(source(spec));
    // The Metric line's form wins: only it says abortOnFail.
    if (!known || typeof spec !== 'string') list.set(source(spec), spec);
    byKey.set(key, list);
  };
  for (const m of metrics) for (const t of m.thresholds) add(m.name, t);
  for (const e of exports) for (const [key, specs] of e.thresholds) for (const s of specs) if (!byKey.get(key)?.has(source(s))) add(key, s);
  const parsed: Threshold[] = [];
  const skipped: string[] = [];
  for (const [key, list] of byKey) {
    for (const spec of list.values()) {
      try {
        const t = parseThreshold(key, typeof spec === 'string' ? spec : { threshold: spec.threshold, abortOnFail: spec.abortOnFail });
        parsed.push(t);
      } catch (e) {
        skipped.push(`${key} ${source(spec)}: ${(e as Error).message.replace(/^threshold '[^']*': /, '')}`);
      }
    }
  }
  return { parsed, skipped };
}

/** k6's per-pod verdicts that differ from the merged one: worth a line, since that is the point of importing. */
export function verdictChanges(results: ThresholdResult[], exports: SummaryExport[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const pods = exports.map((e) => e.verdicts.get(`${r.metric} ${r.expression}`)).filter((v): v is boolean => v !== undefined);
    const failedPods = pods.filter((ok) => !ok).length;
    if (pods.length && (failedPods > 0) === r.ok) {
      out.push(`${r.metric} ${r.expression}: ${r.ok ? 'holds' : 'fails'} on the merged data, ${failedPods} of ${pods.length} pod summaries said it failed`);
    }
  }
  return out;
}
