import type { CostEstimate } from '../core/cost.ts';

const n = (v: number, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const usd = (v: number) => `$${n(v, 2)}`;
/** Unit prices run from $0.0000002 per I/O to $0.26 per hour: keep their significant digits. */
const unitUsd = (v: number) => `$${v === 0 ? '0' : v < 0.001 ? v.toPrecision(3) : v < 1 ? String(Number(v.toPrecision(4))) : n(v, 2)}`;
const quantity = (v: number) => (v >= 100 ? n(v) : n(v, 2));

function table(head: string[], rows: string[][], leftColumns = 1): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => '  ' + r.map((v, i) => (i < leftColumns ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
}

export interface PrintContext {
  peakUsers: number;
  worstP95: number | null;
  saturated: boolean;
  slo?: { p95Seconds: number };
  storage: { startGb: number; endGb: number; averageGb: number };
  ioPerMonth: number | null;
}

/** The month's bill for the terminal: lines by component, totals, the Aurora I/O choice, the SLO, assumptions. */
export function formatEstimate(e: CostEstimate, c: PrintContext): string {
  const out: string[] = [];
  out.push(`${e.description} — ${e.label}, ${e.region} prices of ${e.priceBook.capturedAt}`);
  out.push(
    `peak load: ${e.load.users !== null ? `${n(e.load.users)} users, ` : `~${n(c.peakUsers)} users, `}${n(e.load.requestsPerSecond, 1)} requests/s; ` +
      (e.per1000EncountersUsd === null ? 'the model has no encounter classes' : `${n(e.load.encountersPerMonth)} encounters a month`),
  );
  const rows = e.lines.map((l) => [l.component, l.item, quantity(l.quantity), l.unit, unitUsd(l.unitPriceUsd), usd(l.monthlyUsd)]);
  out.push(...table(['component', 'item', 'quantity', 'unit', 'unit price', 'USD/month'], rows, 2));
  out.push(`  total: ${usd(e.monthlyUsd)} a month` + (e.per1000EncountersUsd !== null ? `; ${usd(e.per1000EncountersUsd)} per 1,000 encounters` : '; no encounter classes in the model'));
  out.push(`  data: ${n(c.storage.startGb, 1)} GB → ${n(c.storage.endGb, 1)} GB at month end (average ${n(c.storage.averageGb, 1)} GB); I/O: ${c.ioPerMonth === null ? 'not measured' : `${n(c.ioPerMonth)} a month`}`);
  const a = e.auroraIo;
  if (a) {
    out.push(
      `Aurora Standard ${usd(a.standardUsd)} vs I/O-Optimized ${usd(a.ioOptimizedUsd)} (database, storage, I/O): ${a.cheaper} is cheaper` +
        (a.breakEvenIoPerMonth !== null ? `; break-even at ${n(a.breakEvenIoPerMonth)} I/Os a month` : ''),
    );
  }
  if (c.slo) {
    const p95 = c.worstP95 === null ? 'saturated' : `worst p95 ${n(c.worstP95 * 1000)} ms`;
    out.push(`SLO p95 < ${n(c.slo.p95Seconds * 1000)} ms at the peak: ${e.meetsSlo ? 'met' : 'NOT met'} (${p95}${c.saturated && c.worstP95 !== null ? ', saturated' : ''})`);
  }
  if (e.layouts?.length) {
    out.push('layouts (same total load):');
    const lrows = e.layouts.map((l) => [
      l.layout, l.parts.map((p) => `${p.copies} × ${p.label} (${usd(p.monthlyUsdEach)})`).join(' + '), usd(l.monthlyUsd),
      l.per1000EncountersUsd === null ? '–' : usd(l.per1000EncountersUsd), l.meetsSlo === null ? '–' : l.meetsSlo ? 'yes' : 'no',
    ]);
    out.push(...table(['layout', 'deployments', 'USD/month', 'per 1,000 enc.', 'meets SLO'], lrows, 2));
  }
  if (e.cheapest) {
    out.push(e.cheapest.length ? `cheapest topologies that meet the SLO at the peak (of those \`simulate --smallest\` searches):` : 'no candidate topology meets the SLO at the peak');
    const crows = e.cheapest.map((t) => [t.description, n(t.vcpus), usd(t.monthlyUsd), t.worstP95Seconds === null ? '–' : n(t.worstP95Seconds * 1000), t.bottleneck]);
    if (crows.length) out.push(...table(['topology', 'vCPUs', 'USD/month', 'p95 ms', 'bottleneck'], crows));
  }
  out.push('assumptions:');
  for (const s of e.assumptions) out.push(`  - ${s}`);
  return out.join('\n');
}

export function printEstimate(e: CostEstimate, c: PrintContext): void {
  console.log(formatEstimate(e, c));
}
