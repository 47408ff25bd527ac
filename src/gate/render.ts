/**
 * The verdict for people and for CI: a terminal table, JUnit XML (one testcase per check) and Markdown. Pure.
 */
import type { Decision, VerdictRow } from './verdict.ts';

export interface GateReport {
  current: string;
  against: string;
  rows: VerdictRow[];
  decision: Decision;
  notes: string[];
}

const LABEL: Record<VerdictRow['status'], string> = { pass: 'pass', regression: 'FAIL', improved: 'better', 'insufficient-data': 'no data' };

const num = (x: number) => (!Number.isFinite(x) ? (Number.isNaN(x) ? '–' : x > 0 ? '∞' : '−∞') : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2));
const pct = (x: number) => (Number.isNaN(x) ? '–' : !Number.isFinite(x) ? (x > 0 ? '+∞' : '−∞') : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const pval = (p: number | null) => (p === null ? '–' : p < 1e-4 ? '<1e-4' : p.toPrecision(2));

/** Columns: check, baseline (or limit), current, change, p, verdict. */
function cells(r: VerdictRow): string[] {
  return [r.check, num(r.baseline), num(r.current), r.kind && r.kind !== 'compare' ? 'limit' : pct(r.change), pval(r.p), LABEL[r.status]];
}

const HEAD = ['check', 'baseline/limit', 'current', 'change', 'p', 'verdict'];

export function renderText(g: GateReport): string {
  const rows = [HEAD, ...g.rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [`gate: ${g.current} against ${g.against}`, line(rows[0]!), ...rows.slice(1).map(line)];
  for (const r of g.decision.failing) out.push(`  ✗ ${r.check}: ${r.reason ?? ''}`);
  for (const n of g.notes) out.push(`  note: ${n}`);
  const c = g.decision.counts;
  out.push(`${g.decision.pass ? 'PASS' : 'FAIL'}: ${g.decision.reason} (${c.pass} pass, ${c.improved} better, ${c['insufficient-data']} without data, ${c.regression} failing)`);
  return out.join('\n');
}

export function escapeXml(s: string): string {
  // Control characters other than tab/newline are not allowed in XML 1.0 at all; drop them.
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** JUnit XML as Jenkins, GitLab and GitHub test reporters read it: one testsuite, one testcase per check. */
export function renderJUnit(g: GateReport, timestamp = new Date().toISOString()): string {
  const failures = g.rows.filter((r) => g.decision.failing.includes(r)).length;
  const skipped = g.rows.filter((r) => r.status === 'insufficient-data' && !g.decision.failing.includes(r)).length;
  const a = escapeXml;
  const cases = g.rows.map((r) => {
    const classname = `loadlab.gate.${r.kind ?? 'compare'}`;
    const detail = `baseline/limit ${num(r.baseline)}, current ${num(r.current)}, change ${pct(r.change)}, p ${pval(r.p)}: ${r.reason ?? ''}`;
    const open = `    <testcase classname="${a(classname)}" name="${a(r.check)}" time="0">`;
    if (g.decision.failing.includes(r)) return `${open}\n      <failure message="${a(`${r.check} regressed`)}" type="regression">${a(detail)}</failure>\n    </testcase>`;
    if (r.status === 'insufficient-data') return `${open}\n      <skipped message="${a(r.reason ?? 'no data')}"/>\n    </testcase>`;
    return `${open}\n      <system-out>${a(detail)}</system-out>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="loadlab gate" tests="${g.rows.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="${a(`gate ${g.current} vs ${g.against}`)}" tests="${g.rows.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${a(timestamp)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Markdown for a CI summary page (GitHub's $GITHUB_STEP_SUMMARY): failing checks first. */
export function renderMarkdown(g: GateReport): string {
  const md = (s: string) => s.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);
  const ordered = [...g.decision.failing, ...g.rows.filter((r) => !g.decision.failing.includes(r))];
  return [
    `## loadlab gate: ${g.decision.pass ? '✅ pass' : '❌ regression'}`,
    '',
    `Current run \`${md(g.current)}\` against ${md(g.against)}. ${md(g.decision.reason)}.`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...ordered.map((r) => `| ${cells(r).map(md).join(' | ')} |`),
    '',
    ...g.notes.map((n) => `> ${md(n)}`),
    '',
  ].join('\n');
}
