import type { Model } from '../core/model.ts';
import type { DbLine, DbSnapshot, Digest, ProcessLine, ResourceLine } from '../core/resources.ts';
import type { Bottleneck, DatabasePanel, DbMetric, NodeSeries, ProcessPanel, Statement } from './data.ts';

/** Every second from the lines' first to their last (a loop: spreading a long run's lines overflows the stack). */
export function secondRange(lines: { t: number }[]): number[] {
  if (!lines.length) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const l of lines) {
    if (l.t < first) first = l.t;
    if (l.t > last) last = l.t;
  }
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** One series per key (node or role), indexed by second; values of one key in one second are summed. */
function seriesBy<L extends { t: number }>(lines: L[], t: number[], key: (l: L) => string, value: (l: L) => number | null): NodeSeries[] {
  const first = t[0] ?? 0;
  const out = new Map<string, (number | null)[]>();
  for (const l of lines) {
    const v = value(l);
    if (v === null || !Number.isFinite(v)) continue;
    const k = key(l);
    let s = out.get(k);
    if (!s) out.set(k, (s = t.map(() => null)));
    s[l.t - first] = (s[l.t - first] ?? 0) + v;
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([name, values]) => ({ name, values }));
}

/** A counter delta per second of wall time (the probe's interval is about, not exactly, one second). */
const rate = (name: string) => (l: DbLine) => (l.up && name in l.status && l.seconds > 0 ? l.status[name]! / l.seconds : null);
const gauge = (name: string) => (l: DbLine) => (l.up && name in l.status ? l.status[name]! : null);

const DB_METRICS: { title: string; unit: string; value: (l: DbLine) => number | null }[] = [
  { title: 'Queries per second', unit: 'queries/s', value: (l) => rate('Questions')(l) ?? rate('Queries')(l) },
  { title: 'Threads running', unit: 'threads', value: gauge('Threads_running') },
  { title: 'Row lock waits', unit: 'waits/s', value: rate('Innodb_row_lock_waits') },
  { title: 'Buffer-pool misses (reads from disk)', unit: 'reads/s', value: rate('Innodb_buffer_pool_reads') },
  { title: 'Galera flow control', unit: '% of the second paused', value: (l) => (l.wsrep ? l.wsrep.flowControlPaused * 100 : null) },
  { title: 'Reader lag', unit: 'seconds behind the writer', value: (l) => l.readerLagSeconds ?? null },
];

/** The heaviest statements by total time: the run's own share when both snapshots exist, else since server start. */
function topStatements(db: DbSnapshot | null, limit: number): { statements: Statement[]; scope: string } {
  const toStatement = (node: string, d: Digest): Statement => ({
    node,
    text: d.digest_text ?? '(other statements: the digest table was full)',
    count: d.count_star,
    seconds: d.sum_timer_wait_seconds,
    rowsExamined: d.sum_rows_examined,
  });
  if (!db) return { statements: [], scope: 'no db.json in the run directory' };
  const during = Object.entries(db.duringRun).flatMap(([node, ds]) => ds.map((d) => toStatement(node, d)));
  if (during.length) return { statements: during.sort((a, b) => b.seconds - a.seconds).slice(0, limit), scope: 'during the run (end minus start snapshot)' };
  const end = (db.end ?? db.start)?.nodes.flatMap((n) => (n.digests ?? []).map((d) => toStatement(n.node, d))) ?? [];
  return { statements: end.sort((a, b) => b.seconds - a.seconds).slice(0, limit), scope: 'since the server started (no start snapshot to subtract)' };
}

export function databasePanel(resources: ResourceLine[], db: DbSnapshot | null): DatabasePanel | null {
  const lines = resources.filter((l): l is DbLine => l.type === 'db');
  if (!lines.length && !db) return null;
  const t = secondRange(lines);
  const metrics: DbMetric[] = DB_METRICS.map((m) => ({ title: m.title, unit: m.unit, nodes: seriesBy(lines, t, (l) => l.node, m.value) })).filter((m) => m.nodes.length > 0);
  const { statements, scope } = topStatements(db, 15);
  return { t, metrics, statements, statementsScope: scope, unavailable: db?.unavailable ?? [] };
}

export function processPanel(resources: ResourceLine[]): ProcessPanel | null {
  const lines = resources.filter((l): l is ProcessLine => l.type === 'process' && l.seconds > 0);
  if (!lines.length) return null;
  const t = secondRange(lines);
  const roles = seriesBy(lines, t, (l) => l.role, (l) => l.cpuSeconds / l.seconds);
  const means = roles.map((r) => {
    const vals = r.values.filter((v): v is number => v !== null);
    const mine = lines.filter((l) => l.role === r.name);
    return {
      role: r.name,
      processes: new Set(mine.map((l) => l.name)).size,
      meanCores: vals.reduce((a, b) => a + b, 0) / (vals.length || 1),
      peakCores: Math.max(0, ...vals),
      peakRssMiB: Math.max(0, ...mine.map((l) => l.rssMiB)),
    };
  });
  return { t, roles, means };
}

/**
 * The bottleneck at the run's own mix: the queueing station with the largest demand per server (the one that
 * saturates first, reference/modeling.md). Per-replica stations share their demand over the measured replicas.
 */
export function bottleneckOf(model: Model): Bottleneck | null {
  const stations = model.stations
    .filter((s) => s.kind === 'queue')
    .map((s) => {
      const demand = model.classes.reduce((sum, c) => sum + c.mixShare * (c.demands[s.name] ?? 0), 0);
      const servers = s.servers * (s.perReplica ? model.measured.replicas : 1);
      return { name: s.name, role: s.role, servers, demandMs: demand * 1000, demandPerServerMs: (demand / servers) * 1000 };
    })
    .sort((a, b) => b.demandPerServerMs - a.demandPerServerMs);
  const top = stations[0];
  if (!top) return null;
  return { station: top.name, role: top.role, stations, fitR2: model.fit.r2, warnings: model.fit.warnings };
}
