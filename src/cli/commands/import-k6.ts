import { relative } from 'node:path';
import { importK6 } from '../../k6/import/index.ts';

const n = (v: number, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** `loadlab import k6 FILE… --out DIR`: k6 outputs of one or many pods → one loadlab run directory. */
export async function importK6Command(files: string[], opts: { out: string }): Promise<void> {
  const r = await importK6(files, opts.out);
  const s = r.summary;
  const rel = relative(process.cwd(), r.dir);
  const dir = rel && !rel.startsWith('..') ? rel : r.dir;
  const out: string[] = [];
  out.push(
    `imported ${r.pods.length} pod${r.pods.length === 1 ? '' : 's'}${r.exports.length ? ` and ${r.exports.length} summary export(s)` : ''} → ${dir}`,
    `  ${n(s.requests.count)} requests over ${n(s.durationSeconds, 1)} s (${n(s.requests.ratePerSecond, 1)}/s), ${n(100 * s.requests.failedRate, 2)}% failed, ` +
      `${n(Object.keys(s.steps).length)} steps, VUs max ${s.vusMax} (summed over pods), dropped iterations ${n(s.iterations.dropped)}`,
  );
  // Merged percentiles beside each pod's own: the difference is why the samples, not the pods' summaries, are imported.
  const head = ['step', 'count', 'p50 ms', 'p95 ms', 'p99 ms', ...r.pods.map((_, i) => `pod ${i + 1} p95`)];
  const rows = Object.entries(s.steps).map(([step, st]) => [
    step, n(st.count), n(st.latencyMs.p50, 1), n(st.latencyMs.p95, 1), n(st.latencyMs.p99, 1),
    ...r.pods.map((p) => (p.p95ByStep[step] === undefined ? '—' : n(p.p95ByStep[step]!, 1))),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [head, ...rows]) out.push('  ' + row.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
  out.push('  p50/p95/p99 are of all pods\' samples together (HDR histograms merged), not averages of per-pod percentiles');
  const checks = Object.entries(s.checks).map(([k, c]) => `${k} ${n(c.passes)}/${n(c.passes + c.fails)}`);
  if (checks.length) out.push(`checks: ${checks.join(', ')}`);
  for (const t of s.thresholds) {
    out.push(`${t.ok ? '✓' : '✗'} ${t.metric} ${t.expression}${t.actual === null ? ' (no data)' : ` (${n(t.actual, 4)})`}`);
  }
  for (const w of r.warnings) out.push(`note: ${w}`);
  out.push('next:', `  loadlab report ${dir}`, `  loadlab gate --current ${dir} --baseline BASELINE_RUN_DIR`);
  console.log(out.join('\n'));
  // Like `loadlab run` (and k6 itself): a failed threshold is a failed run.
  if (s.thresholds.some((t) => !t.ok)) process.exitCode = 1;
}
