import type { ChartSet } from './charts.ts';
import type { ReportData } from './data.ts';
import { type Cell, Html, formatNumber, html, join, table } from './html.ts';

const ms = (v: number | null) => (v === null ? null : formatNumber(v, 1));
const pct = (v: number | null) => (v === null ? null : `${v >= 0 ? '+' : ''}${formatNumber(v, 1)}%`);

export function summarySection(d: ReportData): Html {
  const r = d.run;
  const rows: Cell[][] = [
    ['Scenario', `${r.scenario} — ${r.scenarioDescription}`],
    ['Profile', r.profile],
    ['Target', r.target],
    ['Topology', r.topology ?? 'not started by loadlab (unknown)'],
    ['Started', r.startedAt],
    ['Ended', r.endedAt ?? '—'],
    ['Status', r.status + (r.error ? `: ${r.error}` : '')],
    ['Duration', r.durationSeconds === null ? null : `${formatNumber(r.durationSeconds, 1)} s`],
    ['Requests', `${formatNumber(r.requests)}${r.ratePerSecond === null ? '' : ` (${formatNumber(r.ratePerSecond, 1)}/s)`}, ${formatNumber(r.failed)} failed`],
    ['Most virtual users', r.vusMax],
    ['Load generator host', r.host],
  ];
  const thresholds = d.thresholds.length
    ? table(['threshold', 'actual', 'result'], d.thresholds.map((t) => [`${t.metric}: ${t.expression}`, t.actual, t.ok ? 'passed' : 'FAILED']), 'Thresholds')
    : null;
  const notes = d.notes.length ? html`<ul class="notes">${d.notes.map((n) => html`<li>${n}</li>`)}</ul>` : null;
  return join([html`<section id="summary"><h2>Run ${r.id}</h2>`, notes, new Html(`<div class="kv">${table(['', ''], rows).markup}</div>`), thresholds, new Html('</section>')]);
}

export function stepsSection(d: ReportData): Html {
  const rows: Cell[][] = d.steps.map((s) => [s.step, s.count, formatNumber(s.ratePerSecond, 2), s.failed, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), ms(s.serviceP95)]);
  return html`<section id="steps"><h2>Latency per step</h2><p>Milliseconds from each request's intended start (no coordinated omission); service time is from sending to the last byte.</p>${table(
    ['step', 'count', 'rate /s', 'failed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'service p95 ms'],
    rows,
  )}</section>`;
}

export function timelineSection(d: ReportData, charts: ChartSet): Html {
  const tl = d.timeline;
  if (!tl.t.length) return html`<section id="timeline"><h2>Over time</h2><p>The timeline is empty.</p></section>`;
  return join([
    html`<section id="timeline"><h2>Over time</h2><div class="grid">`,
    charts.chart({ title: 'Request rate and errors', type: 'line', xTitle: 'second', yTitle: 'requests/s', labels: tl.t, series: [{ label: 'requests', data: tl.requests }, { label: 'errors', data: tl.errors }] }),
    charts.chart({ title: 'Latency percentiles (all steps)', type: 'line', xTitle: 'second', yTitle: 'ms', labels: tl.t, series: [{ label: 'p50', data: tl.p50 }, { label: 'p95', data: tl.p95 }, { label: 'p99', data: tl.p99 }] }),
    charts.chart({ title: 'Virtual users', type: 'line', xTitle: 'second', yTitle: 'VUs', labels: tl.t, series: [{ label: 'VUs', data: tl.vus }] }),
    new Html('</div></section>'),
  ]);
}

export function replicasSection(d: ReportData, charts: ChartSet): Html | null {
  const { replicas, byStep } = d.replicas;
  if (!replicas.length) return null;
  return join([
    html`<section id="replicas"><h2>Requests per replica</h2><p>Which replica served each request (its X-Served-By header), per step.</p>`,
    charts.chart({ title: 'Requests per replica', type: 'bar', stacked: true, xTitle: 'replica', yTitle: 'requests', labels: replicas, series: byStep.map((s) => ({ label: s.step, data: s.counts })) }),
    new Html('</section>'),
  ]);
}

export function comparisonSection(d: ReportData, charts: ChartSet): Html | null {
  const c = d.comparison;
  if (!c) return null;
  const rows: Cell[][] = c.rows.map((r) => [r.step, ms(r.baseP95), ms(r.p95), pct(r.p95Change), r.baseRate === null ? null : formatNumber(r.baseRate, 2), r.rate === null ? null : formatNumber(r.rate, 2), pct(r.rateChange)]);
  return join([
    html`<section id="comparison"><h2>Against baseline ${c.baselineId}</h2>`,
    table(['step', 'baseline p95 ms', 'p95 ms', 'p95 change', 'baseline rate /s', 'rate /s', 'rate change'], rows),
    charts.chart({ title: 'p95 per step: baseline and this run', type: 'bar', xTitle: 'step', yTitle: 'ms', labels: c.rows.map((r) => r.step), series: [{ label: `baseline ${c.baselineId}`, data: c.rows.map((r) => r.baseP95) }, { label: 'this run', data: c.rows.map((r) => r.p95) }] }),
    new Html('</section>'),
  ]);
}

export function faultsSection(d: ReportData): Html {
  const { planned, events } = d.faults;
  const faults = planned.length || events.length
    ? join([
        planned.length ? table(['at second', 'planned fault'], planned.map((f) => [f.atSeconds, f.action])) : null,
        events.length ? table(['second', 'event'], events.map((e) => [formatNumber(e.t, 1), e.label])) : null,
      ])
    : html`<p>No faults were injected.</p>`;
  const l = d.ledger;
  const audit = l
    ? join([
        html`<p class="${l.lost > 0 ? 'bad' : 'good'}">${formatNumber(l.acknowledged)} acknowledged writes audited by ${l.method}: ${formatNumber(l.found)} found, ${formatNumber(l.lost)} lost, ${formatNumber(l.unknown)} undecided.</p>`,
        table(['resource', 'acknowledged', 'lost'], Object.entries(l.byResource).map(([res, v]) => [res, v.acknowledged, v.lost])),
        l.lostExamples.length ? table(['lost resource', 'uuid', 'step'], l.lostExamples.map((e) => [e.resource, e.uuid, e.step])) : null,
      ])
    : html`<p>No durability audit (the run made no acknowledged writes, or it was not audited).</p>`;
  return join([html`<section id="faults"><h2>Faults and durability</h2>`, faults, html`<h3>Durability audit</h3>`, audit, new Html('</section>')]);
}
