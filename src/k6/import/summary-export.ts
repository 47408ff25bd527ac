/**
 * k6 end-of-test summaries, in both shapes k6 writes (see k6's js/summary.go):
 * - handleSummary(data): metrics[NAME] = {type, contains, values{count, rate, "p(95)", …}, thresholds{SRC: {ok}}},
 *   root_group{name, path, groups: [...], checks: [{name, path, passes, fails}]}, state{testRunDurationMs};
 * - --summary-export (the legacy shape): metrics[NAME] = the values themselves (a Rate's `rate` named `value`),
 *   thresholds{SRC: failed?}, and groups and checks as objects keyed by name.
 * They hold aggregates only: percentiles of one pod cannot be combined with another's, so they feed checks,
 * threshold expressions and a count cross-check, never latency.
 */
import type { K6ThresholdSpec } from './lines.ts';

export interface SummaryExport {
  file: string;
  /** k6's http_reqs count, when the export has it. */
  httpReqs: number | null;
  checks: Map<string, { passes: number; fails: number }>;
  /** Metric key (possibly a submetric such as `http_req_duration{name:login}`) → threshold sources. */
  thresholds: Map<string, K6ThresholdSpec[]>;
  /** k6's own verdicts on this pod alone, by `key expression`. */
  verdicts: Map<string, boolean>;
  durationMs: number | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function collectChecks(group: unknown, into: Map<string, { passes: number; fails: number }>): void {
  if (!isObject(group)) return;
  const checks = Array.isArray(group.checks) ? group.checks : isObject(group.checks) ? Object.values(group.checks) : [];
  for (const c of checks) {
    if (!isObject(c) || typeof c.name !== 'string') continue;
    const acc = into.get(c.name) ?? { passes: 0, fails: 0 };
    acc.passes += num(c.passes) ?? 0;
    acc.fails += num(c.fails) ?? 0;
    into.set(c.name, acc);
  }
  const groups = Array.isArray(group.groups) ? group.groups : isObject(group.groups) ? Object.values(group.groups) : [];
  for (const g of groups) collectChecks(g, into);
}

export function readSummaryExport(file: string, doc: Record<string, unknown>): SummaryExport {
  const out: SummaryExport = { file, httpReqs: null, checks: new Map(), thresholds: new Map(), verdicts: new Map(), durationMs: null };
  const metrics = isObject(doc.metrics) ? doc.metrics : {};
  for (const [key, m] of Object.entries(metrics)) {
    if (!isObject(m)) continue;
    // handleSummary nests the aggregates under `values`; the legacy export puts them (and thresholds) at the top.
    const values = isObject(m.values) ? m.values : m;
    if (key === 'http_reqs') out.httpReqs = num(values.count);
    const th = isObject(m.thresholds) ? m.thresholds : isObject(values.thresholds) ? values.thresholds : null;
    if (!th) continue;
    const specs: K6ThresholdSpec[] = [];
    for (const [src, verdict] of Object.entries(th)) {
      specs.push(src);
      const ok = isObject(verdict) ? verdict.ok === true : verdict === false;
      out.verdicts.set(`${key} ${src}`, ok);
    }
    out.thresholds.set(key, specs);
  }
  collectChecks(doc.root_group, out.checks);
  out.durationMs = isObject(doc.state) ? num(doc.state.testRunDurationMs) : null;
  return out;
}
