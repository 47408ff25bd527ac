import type { CostLine } from '../core/cost.ts';
import type { ChartSet } from './charts.ts';
import type { ReportData } from './data.ts';
import { type Cell, Html, formatNumber, html, join, table } from './html.ts';

const usd = (v: number | null) => (v === null ? null : `$${formatNumber(v, 2)}`);

export function databaseSection(d: ReportData, charts: ChartSet): Html | null {
  const db = d.database;
  if (!db) return null;
  const metricCharts = db.metrics.map((m) =>
    charts.chart({ title: m.title, type: 'line', xTitle: 'second', yTitle: m.unit, labels: db.t, series: m.nodes.map((n) => ({ label: n.name, data: n.values })) }),
  );
  const statements = db.statements.length
    ? table(
        ['node', 'statement', 'count', 'total s', 'rows examined'],
        db.statements.map((s) => [s.node, html`<code>${s.text}</code>`, s.count, formatNumber(s.seconds, 3), s.rowsExamined]),
        `Top statements by total time, ${db.statementsScope}`,
      )
    : html`<p>No statement digests (${db.statementsScope}).</p>`;
  const unavailable = db.unavailable.length ? html`<p class="note">Not measured: ${db.unavailable.join('; ')}</p>` : null;
  return join([html`<section id="database"><h2>Database</h2><div class="grid">`, ...metricCharts, new Html('</div>'), statements, unavailable, new Html('</section>')]);
}

export function utilisationSection(d: ReportData, charts: ChartSet): Html | null {
  const p = d.processes;
  const b = d.bottleneck;
  if (!p && !b) return null;
  const parts: (Html | null)[] = [html`<section id="utilisation"><h2>Utilisation and the bottleneck</h2>`];
  if (p) {
    parts.push(
      charts.chart({ title: 'Process CPU per role', type: 'line', xTitle: 'second', yTitle: 'busy cores', labels: p.t, series: p.roles.map((r) => ({ label: r.name, data: r.values })) }),
      table(['role', 'processes', 'mean busy cores', 'peak busy cores', 'peak RSS MiB'], p.means.map((m) => [m.role, m.processes, formatNumber(m.meanCores, 3), formatNumber(m.peakCores, 3), formatNumber(m.peakRssMiB, 0)])),
    );
  }
  if (b) {
    parts.push(
      html`<p><strong>Bottleneck at the run's mix: ${b.station}</strong> (${b.role}) — the station with the largest service demand per server, so the first to saturate as load grows (from model.json).</p>`,
      table(
        ['station', 'role', 'servers', 'demand per request ms', 'per server ms', 'fit R²'],
        b.stations.map((s) => [s.name, s.role, s.servers, formatNumber(s.demandMs, 3), formatNumber(s.demandPerServerMs, 3), b.fitR2[s.name] === undefined ? null : formatNumber(b.fitR2[s.name]!, 2)]),
      ),
      b.warnings.length ? html`<ul class="notes">${b.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : null,
    );
  } else {
    parts.push(html`<p>No model.json: run <code>loadlab calibrate</code> on this run to name the bottleneck.</p>`);
  }
  parts.push(new Html('</section>'));
  return join(parts);
}

/** Projections are drawn on the union of their loads; a topology without a point at a load shows a gap. */
export function projectionsSection(d: ReportData, charts: ChartSet): Html | null {
  if (!d.projections.length) return null;
  const loads = [...new Set(d.projections.flatMap((p) => p.points.map((pt) => pt.load)))].sort((a, b) => a - b);
  const open = d.projections.every((p) => p.load === 'open');
  const xTitle = open ? 'arrival rate (requests/s)' : 'users';
  const at = <T>(f: (pt: ReportData['projections'][number]['points'][number]) => T | null) => (p: ReportData['projections'][number]) =>
    loads.map((l) => {
      const pt = p.points.find((q) => q.load === l);
      return pt ? f(pt) : null;
    });
  const series = (f: Parameters<typeof at>[0]) => d.projections.map((p) => ({ label: p.description, data: at(f)(p) as (number | null)[] }));
  const capacity: Cell[][] = d.projections.map((p) => [
    p.description,
    p.bottleneck,
    formatNumber(p.maxThroughput, 1),
    p.kneeUsers === null ? null : formatNumber(p.kneeUsers, 0),
    p.slo ? `p95 < ${formatNumber(p.slo.p95Ms)} ms` : null,
    !p.slo ? null : p.slo.bound === 'never' ? 'never met' : p.slo.bound === 'beyond-grid' ? `${formatNumber(p.slo.withinSlo ?? 0)} or more` : p.slo.withinSlo,
  ]);
  return join([
    html`<section id="projections"><h2>Projections</h2><p>From the queueing model calibrated on a run (simulate); response time is the throughput-weighted mean over request classes.</p><div class="grid">`,
    charts.chart({ title: 'Projected throughput', type: 'line', xTitle, yTitle: 'requests/s', labels: loads, series: series((pt) => pt.throughput) }),
    charts.chart({ title: 'Projected mean response time', type: 'line', xTitle, yTitle: 'ms', labels: loads, series: series((pt) => pt.meanMs) }),
    new Html('</div>'),
    table(['topology', 'bottleneck', 'max requests/s', 'knee (users)', 'SLO', open ? 'rate within SLO' : 'users within SLO'], capacity, 'Capacity'),
    new Html('</section>'),
  ]);
}

const COMPONENTS: CostLine['component'][] = ['app', 'database', 'storage', 'io', 'load-balancer', 'nat', 'files', 'transfer'];

export function costSection(d: ReportData, charts: ChartSet): Html | null {
  if (!d.costs.length) return null;
  const used = COMPONENTS.filter((c) => d.costs.some((e) => e.lines.some((l) => l.component === c)));
  const byComponent = (c: CostLine['component']) => d.costs.map((e) => e.lines.filter((l) => l.component === c).reduce((s, l) => s + l.monthlyUsd, 0));
  const summary: Cell[][] = d.costs.map((e) => [
    e.label,
    e.description,
    e.region,
    usd(e.monthlyUsd),
    usd(e.per1000EncountersUsd),
    e.meetsSlo === null ? null : e.meetsSlo ? 'yes' : 'no',
    e.auroraIo ? `${e.auroraIo.cheaper} (${usd(e.auroraIo.standardUsd)} vs ${usd(e.auroraIo.ioOptimizedUsd)})` : null,
  ]);
  const lines = d.costs.flatMap((e) => e.lines.map((l): Cell[] => [e.label, l.component, l.item, `${formatNumber(l.quantity, 2)} ${l.unit}`, `$${formatNumber(l.unitPriceUsd, 6)}`, usd(l.monthlyUsd), l.note]));
  const books = [...new Set(d.costs.map((e) => `${e.region}: ${e.priceBook.source}, ${e.priceBook.capturedAt}`))];
  const assumptions = [...new Set(d.costs.flatMap((e) => e.assumptions))];
  const layouts = d.costs.flatMap((e) => (e.layouts ?? []).map((l) => ({ ...l, name: `${e.label}: ${l.layout}` })));
  const parts = [...new Set(layouts.flatMap((l) => l.parts.map((p) => p.label)))];
  const cheapest = d.costs.flatMap((e) => (e.cheapest ?? []).map((c): Cell[] => [e.label, c.description, c.vcpus, usd(c.monthlyUsd), c.worstP95Seconds === null ? null : formatNumber(c.worstP95Seconds * 1000, 0), c.bottleneck]));
  const layoutPanel = layouts.length
    ? join([
        html`<h3>Deployment layouts (same total load)</h3>`,
        charts.chart({
          title: 'Monthly cost per layout', type: 'bar', stacked: true, xTitle: 'layout', yTitle: 'USD per month', labels: layouts.map((l) => l.name),
          series: parts.map((p) => ({ label: p, data: layouts.map((l) => l.parts.filter((q) => q.label === p).reduce((sum, q) => sum + q.monthlyUsd, 0)) })),
        }),
        table(['layout', 'parts', 'per month', 'per 1,000 encounters', 'meets SLO'], layouts.map((l) => [l.name, l.parts.map((p) => `${p.copies} × ${p.label} (${usd(p.monthlyUsdEach)} each)`).join('; '), usd(l.monthlyUsd), usd(l.per1000EncountersUsd), l.meetsSlo === null ? null : l.meetsSlo ? 'yes' : 'no'])),
      ])
    : null;
  return join([
    html`<section id="cost"><h2>Monthly cost</h2><p>On-demand prices (${books.join('; ')}).</p><div class="grid">`,
    charts.chart({ title: 'Monthly cost by component', type: 'bar', stacked: true, xTitle: 'deployment', yTitle: 'USD per month', labels: d.costs.map((e) => e.label), series: used.map((c) => ({ label: c, data: byComponent(c) })) }),
    charts.chart({ title: 'Cost per 1,000 encounters', type: 'bar', xTitle: 'deployment', yTitle: 'USD', labels: d.costs.map((e) => e.label), series: [{ label: 'USD per 1,000 encounters', data: d.costs.map((e) => e.per1000EncountersUsd) }] }),
    new Html('</div>'),
    table(['deployment', 'description', 'region', 'per month', 'per 1,000 encounters', 'meets SLO', 'Aurora: cheaper storage'], summary),
    layoutPanel,
    cheapest.length ? table(['for', 'topology meeting the SLO', 'vCPUs', 'per month', 'worst p95 ms', 'bottleneck'], cheapest, 'Cheapest topologies that meet the SLO') : null,
    html`<details><summary>every cost line</summary>${table(['deployment', 'component', 'item', 'quantity', 'unit price', 'per month', 'note'], lines)}</details>`,
    assumptions.length ? html`<h3>Assumptions</h3><ul class="notes">${assumptions.map((a) => html`<li>${a}</li>`)}</ul>` : null,
    new Html('</section>'),
  ]);
}
