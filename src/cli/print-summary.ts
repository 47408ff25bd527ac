import type { Summary } from '../core/run.ts';

const n = (v: number, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A k6-like end-of-run summary for the terminal. */
export function formatSummary(id: string, dir: string, s: Summary): string {
  const out: string[] = [];
  out.push(
    `run ${id}: ${s.status}, ${n(s.durationSeconds, 1)} s, ${n(s.requests.count)} requests (${n(s.requests.ratePerSecond, 1)}/s), ` +
      `${n(100 * s.requests.failedRate, 2)}% failed`,
  );
  const head = ['step', 'count', 'rate/s', 'failed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'service p95'];
  const rows = Object.entries(s.steps).map(([name, st]) => [
    name, n(st.count), n(st.ratePerSecond, 1), n(st.failed), n(st.latencyMs.p50, 1), n(st.latencyMs.p95, 1), n(st.latencyMs.p99, 1),
    n(st.latencyMs.max, 1), n(st.serviceMs.p95, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) out.push('  ' + r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
  out.push(`  latency is measured from each request's intended start; "service" from the moment it was sent`);
  const checks = Object.entries(s.checks).map(([k, c]) => `${k} ${n(c.passes)}/${n(c.passes + c.fails)}`);
  if (checks.length) out.push(`checks: ${checks.join(', ')}`);
  out.push(`iterations: ${n(s.iterations.count)} (${n(s.iterations.failed)} failed), dropped ${n(s.iterations.dropped)}, VUs max ${s.vusMax}`);
  const errs = new Map<string, number>();
  for (const st of Object.values(s.steps)) for (const [k, v] of Object.entries(st.errors)) errs.set(k, (errs.get(k) ?? 0) + v);
  if (errs.size) out.push(`errors: ${[...errs].map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  for (const m of s.errorMessages.slice(0, 5)) out.push(`  ${m}`);
  if (s.ledger) {
    const l = s.ledger;
    out.push(
      `ledger: ${n(l.acknowledged)} acknowledged writes, ${n(l.found)} found, ${n(l.lost)} lost` +
        `${l.unknown ? `, ${n(l.unknown)} undecided` : ''} (checked in the ${l.method === 'database' ? 'database' : 'REST API'})`,
    );
  }
  for (const e of s.events) out.push(`event at ${n(e.t, 1)} s: ${e.label}`);
  for (const t of s.thresholds) {
    out.push(`${t.ok ? '✓' : '✗'} ${t.metric} ${t.expression}${t.actual === null ? ' (no data)' : ` (${n(t.actual, 4)})`}`);
  }
  const d = s.generator.loopDelayMs;
  out.push(
    `generator: CPU ${n(s.generator.cpuSeconds, 1)} s${s.generator.cpuMicrosPerRequest ? ` (${n(s.generator.cpuMicrosPerRequest)} µs per request)` : ''}` +
      (d ? `; event-loop delay p99 ${n(d.p99, 1)} ms, max ${n(d.max, 1)} ms` : ''),
  );
  out.push(`run directory: ${dir}`);
  return out.join('\n');
}
