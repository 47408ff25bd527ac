import type { ResourceLine } from '../core/resources.ts';
import type { MeasuredTopology, ModelStation } from '../core/model.ts';
import type { RunMeta, Summary, TimelineLine } from '../core/run.ts';
import type { CalibrationInput, CalibrationWindow, ClassFacts } from './calibrate.ts';

/** Which measured processes make up each station; the generator is left out (it is not the system). */
const STATION_OF: Record<string, string> = {
  replica: 'app',
  mariadb: 'db',
  galera: 'db',
  reader: 'db',
  lb: 'lb',
  dbproxy: 'lb',
};

/**
 * Turns a run directory's timeline (per-class completions each second) and resource samples (CPU
 * seconds per process each second) into calibration windows of `windowSeconds`, plus the facts
 * about each class: read or write (by its share of non-GET requests), its tail ratio (p95/mean),
 * and a think time from Little's law over the whole run, Z = N/X − R, shared by all classes.
 */
export function calibrationInput(
  meta: RunMeta, timeline: TimelineLine[], summary: Summary, resources: ResourceLine[], windowSeconds = 5,
): CalibrationInput {
  const windows = new Map<number, CalibrationWindow>();
  const at = (t: number) => {
    const w = Math.floor(t / windowSeconds);
    let win = windows.get(w);
    if (!win) windows.set(w, (win = { seconds: 0, completions: {}, busy: {} }));
    return win;
  };
  const seconds = new Set<number>();
  let vuSeconds = 0;
  for (const l of timeline) {
    if (l.type === 'step') {
      const win = at(l.t);
      win.completions[l.step] = (win.completions[l.step] ?? 0) + l.count;
    } else if (l.type === 'run') {
      seconds.add(l.t);
      vuSeconds += l.vus;
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
    { name: 'app', kind: 'queue', servers: cpus, role: 'app', perReplica: true },
    { name: 'db', kind: 'queue', servers: cpus, role: 'db-cpu' },
  ];
  if (present.has('lb')) stations.push({ name: 'lb', kind: 'queue', servers: cpus, role: 'lb' });

  const runSeconds = Math.max(1, seconds.size);
  const users = vuSeconds / runSeconds;
  const throughput = summary.requests.count / Math.max(1e-9, summary.durationSeconds);
  const thinkTime = Math.max(0, users / Math.max(1e-9, throughput) - summary.latencyMs.mean / 1000);
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
  };
  return {
    runId: meta.id,
    scenario: meta.scenario.name,
    stations,
    classes,
    windows: [...windows.entries()].sort((a, b) => a[0] - b[0]).map(([, w]) => w).filter((w) => w.seconds > 0),
    measured,
  };
}
