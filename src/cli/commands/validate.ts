import { Model, type TargetTopology } from '../../core/model.ts';
import { UsageError } from '../../core/errors.ts';
import type { RunMeta } from '../../core/run.ts';
import { decodeHistogram, meanUs } from '../../core/histogram.ts';
import { readRun } from '../../engine/run-dir.ts';
import type { HostLine } from '../../core/resources.ts';
import { hostSpeed } from '../../model/host-speed.ts';
import { GOALS, validateRun, type HeldOutRun, type RunSecond, type ValidationRow } from '../../model/validate.ts';
import { parseDuration } from '../../scenario/dsl.ts';
import { readModel } from '../options.ts';

/** The run's own topology, on the machine it ran on (every process shares its cores). */
function runTopology(meta: RunMeta): TargetTopology {
  const spec = (meta.topology?.spec ?? {}) as { replicas?: number; db?: { kind?: string; readers?: number; nodes?: number }; sessions?: string; galeraWriters?: 'one' | 'all' };
  const vcpus = meta.host.cpus;
  const db: TargetTopology['db'] =
    spec.db?.kind === 'aurora' ? { kind: 'aurora', vcpus, readers: spec.db.readers ?? 1 }
    : spec.db?.kind === 'galera' ? { kind: 'galera', vcpus, nodes: spec.db.nodes ?? 3, writers: spec.galeraWriters ?? 'one' }
    : { kind: 'single', vcpus };
  return { replicas: spec.replicas ?? 1, vcpusApp: vcpus, sessions: spec.sessions === 'redis' ? 'shared' : 'sticky', db, host: { vcpus } };
}

function heldOut(dir: string, model: Model): HeldOutRun {
  const run = readRun(dir);
  if (!run.meta.topology) throw new UsageError(`${dir} was not run against a local topology`, 'validate runs made after `loadlab up`, whose processes loadlab samples');
  if (!run.resources.some((r) => r.type === 'process' && r.role === 'replica')) throw new UsageError(`${dir} has no CPU samples of the replicas`);
  const seconds = new Map<number, RunSecond>();
  const at = (t: number) => {
    let s = seconds.get(t);
    if (!s) seconds.set(t, (s = { t, vus: 0, steps: {}, cpu: [] }));
    return s;
  };
  // A second can have two run lines (a late sample after its flush): the second may say 0 VUs.
  for (const l of run.timeline) if (l.type === 'run') at(l.t).vus = Math.max(at(l.t).vus, l.vus);
  // …and two step lines of one step: readers add them up (core/run.ts).
  for (const l of run.timeline) {
    if (l.type === 'step' && seconds.has(l.t)) {
      const h = decodeHistogram(l.latency);
      const was = at(l.t).steps[l.step] ?? { count: 0, meanSeconds: 0 };
      const count = was.count + l.count;
      const sum = was.count * was.meanSeconds + h.totalCount * (meanUs(h) / 1e6);
      at(l.t).steps[l.step] = { count, meanSeconds: count > 0 ? sum / count : 0 };
    }
  }
  // Only the seconds the engine ran: the probes go on sampling while the ledger is audited.
  for (const r of run.resources) if (r.type === 'process' && r.alive && seconds.has(r.t)) seconds.get(r.t)!.cpu.push({ name: r.name, role: r.role, seconds: r.cpuSeconds });
  const speed = hostSpeed(run.resources.filter((r): r is HostLine => r.type === 'host'));
  for (const t of speed.slow) if (seconds.has(t)) seconds.get(t)!.slow = true;
  return {
    id: run.meta.id,
    executor: String(run.meta.load.executor ?? ''),
    topology: runTopology(run.meta),
    appThreads: model.measured.appThreads ?? 1,
    seconds: [...seconds.values()].sort((a, b) => a.t - b.t),
    plannedSeconds: run.meta.plannedSeconds,
  };
}

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '∞');

/** `loadlab validate --model M RUN_DIR…`: predicted against measured for runs the model was not calibrated on. */
export async function validateCommand(runDirs: string[], o: { model: string; skip?: string; json?: boolean }): Promise<void> {
  const model = readModel(o.model);
  const skip = o.skip ? parseDuration(o.skip) : 20;
  const rows: ValidationRow[] = runDirs.map((dir) => {
    const run = heldOut(dir, model);
    if (run.id === model.source.runId) throw new UsageError(`${dir} is the run the model was calibrated on`, 'validate on other runs (held out)');
    try {
      return validateRun(model, run, skip);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new UsageError(`${dir}: ${e.message}`, 'give a shorter --skip or a longer run');
    }
  });
  if (o.json) return void console.log(JSON.stringify({ model: model.source, goals: GOALS, rows }, null, 2));

  console.log(`model of ${model.source.scenario ?? '?'} (${model.source.runId}) against ${rows.length} held-out run(s), first ${skip} s of each skipped`);
  console.log(
    `  ${'run'.padEnd(34)} ${'load'.padEnd(18)} ${'X meas'.padStart(7)} ${'X pred'.padStart(7)} ${'err'.padStart(7)}  ` +
      `${'R meas'.padStart(8)} ${'R pred'.padStart(8)} ${'err'.padStart(7)}  util app/host meas → pred   bottleneck meas/pred`,
  );
  for (const r of rows) {
    const u = (x: { app: number; host: number }) => `${(x.app * 100).toFixed(0)}/${(x.host * 100).toFixed(0)}%`;
    console.log(
      `  ${r.id.slice(0, 34).padEnd(34)} ${`${r.load}, ${r.measured.seconds}s${r.measured.slowSeconds && !r.measured.allSlow ? `-${r.measured.slowSeconds}` : r.measured.allSlow ? ' slow' : ''}`.padEnd(18)} ${r.measured.throughput.toFixed(1).padStart(7)} ${r.predicted.throughput.toFixed(1).padStart(7)} ${pct(r.errors.throughput).padStart(7)}  ` +
        `${(r.measured.meanResponseSeconds * 1000).toFixed(1).padStart(6)}ms ${(r.predicted.meanResponseSeconds * 1000).toFixed(1).padStart(6)}ms ${pct(r.errors.meanResponseTime).padStart(7)}  ` +
        `${u(r.measured.utilisation).padStart(9)} → ${u(r.predicted.utilisation).padEnd(9)}    ${r.measured.bottleneck}/${r.predicted.bottleneck}${r.goals.bottleneck ? '' : ' ✗'}`,
    );
  }
  const within = (f: (r: ValidationRow) => boolean | null) => {
    const judged = rows.filter((r) => f(r) !== null);
    return `${judged.filter((r) => f(r)).length} of ${judged.length}`;
  };
  const worst = (f: (r: ValidationRow) => number, rs: ValidationRow[]) => (rs.length ? pct(rs.map(f).reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a))) : '—');
  const below = rows.filter((r) => r.goals.responseTime !== null);
  console.log(`throughput within ±${GOALS.throughput * 100}%: ${within((r) => r.goals.throughput)} (worst ${worst((r) => r.errors.throughput, rows)})`);
  console.log(`mean response time within ±${GOALS.responseTime * 100}% below ${GOALS.utilisationBelow * 100}% utilisation: ${within((r) => r.goals.responseTime)} (worst ${worst((r) => r.errors.meanResponseTime, below)})`);
  console.log(`bottleneck named correctly: ${within((r) => r.goals.bottleneck)}`);
  const slow = rows.reduce((n, r) => n + r.measured.slowSeconds, 0);
  for (const r of rows) if (r.measured.allSlow) console.log(`warning: ${r.id}: the machine ran slow throughout its steady part; its figures measure the machine, not the model`);
  if (slow > 0) console.log(`left out: ${slow} second(s) in which the machine ran slow (shown as -N after the seconds used)`);
  const ok = rows.every((r) => r.goals.throughput && r.goals.responseTime !== false && r.goals.bottleneck);
  if (!ok) process.exitCode = 1;
}
