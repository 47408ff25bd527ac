import type { DbLine, HostLine, ProcessLine, ResourceLine } from '../core/resources.ts';
import type { MeasuredTopology, ModelStation } from '../core/model.ts';
import type { RunMeta, Summary, TimelineLine } from '../core/run.ts';
import type { CalibrationInput, CalibrationWindow, ClassFacts } from './calibrate.ts';
import { dbFacts } from './db-facts.ts';
import { hostSpeed, slowWarning } from './host-speed.ts';

/**
 * Which measured processes make up each station. The load generator is a station too: it is not part of the
 * system, but on one machine it takes cores from it, and a projection onto that machine must count it.
 */
const STATION_OF: Record<string, string> = {
  replica: 'app',
  mariadb: 'db',
  galera: 'db',
  reader: 'db',
  lb: 'lb',
  dbproxy: 'lb',
  redis: 'sessions',
  generator: 'generator',
};

/** The reference target runs each replica's requests on one event loop: one server per replica. */
const REFERENCE_APP_THREADS = 1;

/**
 * Turns a run directory's timeline (per-class completions each second) and resource samples (CPU
 * seconds per process each second) into calibration windows of `windowSeconds`, plus the facts
 * about each class: read or write (by its share of non-GET requests), its tail ratio (p95/mean),
 * and a think time per request shared by all classes: the think time the VUs slept over the requests they made.
 */
export function calibrationInput(
  meta: RunMeta, timeline: TimelineLine[], summary: Summary, resources: ResourceLine[], windowSeconds = 5, lightMeanSeconds?: number,
): CalibrationInput {
  const windows = new Map<number, CalibrationWindow>();
  const at = (t: number) => {
    const w = Math.floor(t / windowSeconds);
    let win = windows.get(w);
    if (!win) windows.set(w, (win = { seconds: 0, completions: {}, busy: {} }));
    return win;
  };
  const seconds = new Set<number>();
  const vuSeconds = new Map<number, number>();
  for (const l of timeline) {
    if (l.type === 'step') {
      const win = at(l.t);
      win.completions[l.step] = (win.completions[l.step] ?? 0) + l.count;
    } else if (l.type === 'run') {
      seconds.add(l.t);
      const w = Math.floor(l.t / windowSeconds);
      vuSeconds.set(w, (vuSeconds.get(w) ?? 0) + l.vus);
    }
  }
  for (const t of seconds) at(t).seconds += 1;
  for (const r of resources) {
    if (r.type !== 'process') continue;
    const station = STATION_OF[r.role];
    if (!station) continue;
    const win = at(r.t);
    win.busy[station] = (win.busy[station] ?? 0) + r.cpuSeconds;
  }
  const present = new Set(resources.flatMap((r) => (r.type === 'process' && STATION_OF[r.role] ? [STATION_OF[r.role]!] : [])));
  const cpus = meta.host.cpus;
  const spec = (meta.topology?.spec ?? {}) as { replicas?: number; db?: { kind?: string; nodes?: number; readers?: number }; galeraWriters?: 'one' | 'all'; sessions?: string };
  const stations: ModelStation[] = [
    { name: 'app', kind: 'queue', servers: REFERENCE_APP_THREADS, role: 'app', perReplica: true },
    { name: 'db', kind: 'queue', servers: cpus, role: 'db-cpu' },
  ];
  if (present.has('lb')) stations.push({ name: 'lb', kind: 'queue', servers: cpus, role: 'lb' });
  if (present.has('sessions')) stations.push({ name: 'sessions', kind: 'queue', servers: 1, role: 'sessions' });
  if (present.has('generator')) stations.push({ name: 'generator', kind: 'queue', servers: 1, role: 'generator' });

  // The engine records the think time it slept: Z per request is exact. Older runs fall back to Little's law.
  const thought = timeline.reduce((s, l) => s + (l.type === 'run' ? (l.thinkSeconds ?? 0) : 0), 0);
  const requests = timeline.reduce((s, l) => s + (l.type === 'step' ? l.count : 0), 0);
  const recorded = timeline.some((l) => l.type === 'run' && l.thinkSeconds !== undefined);
  const thinkTime = recorded
    ? thought / Math.max(1, requests)
    : lightThinkTime(windows, vuSeconds, lightMeanSeconds ?? summary.latencyMs.mean / 1000);
  const classes: ClassFacts[] = Object.entries(summary.steps).map(([name, s]) => ({
    name,
    kind: s.writes > s.count / 2 ? 'write' : 'read',
    thinkTimeSeconds: thinkTime,
    p95OverMean: s.latencyMs.mean > 0 ? s.latencyMs.p95 / s.latencyMs.mean : 1,
    bytesPerRequest: s.count ? (s.bytesIn + s.bytesOut) / s.count : 0,
  }));
  const dbKind = spec.db?.kind === 'galera' || spec.db?.kind === 'aurora' ? spec.db.kind : 'single';
  const measured: MeasuredTopology = {
    replicas: spec.replicas ?? 1,
    dbKind,
    dbNodes: dbKind === 'galera' ? (spec.db?.nodes ?? 1) : dbKind === 'aurora' ? 1 + (spec.db?.readers ?? 0) : 1,
    ...(dbKind === 'galera' && spec.galeraWriters ? { galeraWriters: spec.galeraWriters } : {}),
    vcpusApp: cpus,
    vcpusDb: cpus,
    sessions: spec.sessions === 'redis' ? 'shared' : 'sticky',
    maxUsers: summary.vusMax,
    hostVcpus: cpus,
    appThreads: REFERENCE_APP_THREADS,
  };
  const facts = dbFacts({
    windowSeconds,
    timeline: timeline.flatMap((l) => (l.type === 'step' ? [{ t: l.t, step: l.step, count: l.count }] : [])),
    db: resources.filter((r): r is DbLine => r.type === 'db'),
    processes: resources.filter((r): r is ProcessLine => r.type === 'process'),
    classes: classes.map((c) => ({ name: c.name, kind: c.kind })),
    dbKind,
    ...(spec.galeraWriters ? { galeraWriters: spec.galeraWriters } : {}),
  });
  for (const c of classes) {
    const io = facts.perClass[c.name];
    if (io) c.ioPerRequest = io.ioReads + io.ioWrites;
  }
  // Windows touched by a slow second carry inflated CPU and latency for the same work: leave them out.
  const speed = hostSpeed(resources.filter((r): r is HostLine => r.type === 'host'));
  const slowWindows = new Set([...speed.slow].map((t) => Math.floor(t / windowSeconds)));
  const all = [...windows.entries()].sort((a, b) => a[0] - b[0]).filter(([, w]) => w.seconds > 0);
  const fast = all.filter(([k]) => !slowWindows.has(k)).map(([, w]) => w);
  // With almost nothing left at full speed, a fit on every window (said so) beats no model at all.
  const enough = fast.length >= classes.length + 2;
  const kept = enough ? fast : all.map(([, w]) => w);
  const slow = slowWarning(
    speed,
    enough
      ? `${slowWindows.size} window(s) touched by them were left out of the fit`
      : `only ${fast.length} window(s) were at full speed, too few to fit, so the fit uses every window and its demands are inflated`,
  );
  return {
    ...(slow ? { notes: [slow] } : {}),
    database: {
      io: Object.fromEntries(Object.entries(facts.perClass).map(([name, io]) => [name, { reads: io.ioReads, writes: io.ioWrites, bytesWritten: io.bytesWritten }])),
      backgroundIoPerSecond: facts.backgroundIoPerSecond,
      ...(facts.galera ? { galera: facts.galera } : {}),
      warnings: facts.warnings,
    },
    runId: meta.id,
    scenario: meta.scenario.name,
    stations,
    classes,
    windows: kept,
    measured,
  };
}

/**
 * Z from Little's law, Z = N/X − R, over the lightest third of the windows (by completions) with `lightMean` their
 * mean response time. Under load R grows, and with pages that fetch several resources at once (a fan-out) the
 * per-request R overstates what a user waits per request, so heavy windows would understate Z.
 */
function lightThinkTime(windows: Map<number, CalibrationWindow>, vuSeconds: Map<number, number>, lightMean: number): number {
  const total = (w: CalibrationWindow) => Object.values(w.completions).reduce((a, b) => a + b, 0);
  const usable = [...windows.entries()].filter(([, w]) => w.seconds > 0 && total(w) > 0).sort((a, b) => total(a[1]) - total(b[1]));
  const light = usable.slice(0, Math.max(1, Math.ceil(usable.length / 3)));
  const users = light.reduce((s, [k]) => s + (vuSeconds.get(k) ?? 0), 0);
  const completions = light.reduce((s, [, w]) => s + total(w), 0);
  return completions > 0 ? Math.max(0, users / completions - lightMean) : 0;
}
