import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Model, type TargetTopology } from '../../core/model.ts';
import { UsageError } from '../../core/errors.ts';
import { readRun } from '../../engine/run-dir.ts';
import { calibrationInput } from '../../model/from-run.ts';
import { calibrate, describeTopology, project, smallestTopology } from '../../model/index.ts';
import { lightLoadMean, lightLoadMeans, withResidualWait, type LatencyWindow } from '../../model/residual.ts';
import { decodeHistogram, meanUs, newHistogram } from '../../core/histogram.ts';
import type { HostLine } from '../../core/resources.ts';
import { hostSpeed } from '../../model/host-speed.ts';
import { parseDuration } from '../../scenario/dsl.ts';
import { parseSlo, readModel } from '../options.ts';

/** `loadlab calibrate RUN_DIR`: service demands per class and station from a run → model.json. */
export async function calibrateCommand(runDir: string, o: { out?: string; window?: string; skip?: string }): Promise<void> {
  const run = readRun(runDir);
  // A freshly started target compiles its code during its first minute (JIT): CPU per request is several times
  // the steady value then. `--skip` leaves that out.
  const skip = o.skip ? parseDuration(o.skip) : 0;
  if (skip > 0) {
    run.timeline = run.timeline.filter((l) => l.t >= skip);
    run.resources = run.resources.filter((r) => r.t >= skip);
    if (!run.timeline.some((l) => l.type === 'step')) throw new UsageError(`--skip ${o.skip} leaves nothing of ${runDir}`, 'give a shorter --skip');
  }
  if (!run.summary) throw new UsageError(`${runDir} has no summary.json yet`, 'calibrate a finished (or interrupted) run');
  if (!run.resources.some((r) => r.type === 'process' && r.role === 'replica')) {
    throw new UsageError(`${runDir} has no CPU samples of the replicas`, 'calibrate a run made against a local topology (`loadlab up`), whose processes loadlab samples');
  }
  const window = o.window ? parseDuration(o.window) : 5;
  const summary = run.summary;
  // Per-window latency sums and per-class histograms, decoded here (the model stage reads no histograms), for the
  // light-load residual and the tail ratio — both from the seconds the machine ran at its usual speed.
  const slow = hostSpeed(run.resources.filter((r): r is HostLine => r.type === 'host')).slow;
  const latency = new Map<number, LatencyWindow>();
  const tails = new Map<string, ReturnType<typeof newHistogram>>();
  for (const l of run.timeline) {
    if (l.type !== 'step' || slow.has(l.t)) continue;
    const w = Math.floor(l.t / window);
    const win = latency.get(w) ?? { perClass: {} };
    latency.set(w, win);
    const c = (win.perClass[l.step] ??= { count: 0, latencySeconds: 0 });
    const h = decodeHistogram(l.latency);
    c.count += l.count;
    c.latencySeconds += (meanUs(h) / 1e6) * l.count;
    if (!tails.has(l.step)) tails.set(l.step, newHistogram());
    tails.get(l.step)!.add(h);
  }
  const windows = [...latency.values()];
  const input = calibrationInput(run.meta, run.timeline, summary, run.resources, window, lightLoadMean(windows));
  const model = withResidualWait(calibrate(input), lightLoadMeans(windows));
  for (const [step, h] of tails) {
    const mean = meanUs(h);
    if (mean > 0 && h.totalCount >= 20) model.tail.p95OverMean[step] = Math.max(1, h.getValueAtPercentile(95) / mean);
  }
  // Digests of the run's own statements, summed over the nodes: they name what loads a database bottleneck.
  const byText = new Map<string, Model['statements'][number]>();
  for (const rows of Object.values(run.db?.duringRun ?? {})) {
    for (const d of rows) {
      if (!d.digest_text) continue;
      const s = byText.get(d.digest_text) ?? { text: d.digest_text, count: 0, seconds: 0, rowsExamined: 0, noIndexUsed: false };
      s.count += d.count_star;
      s.seconds += d.sum_timer_wait_seconds;
      s.rowsExamined += d.sum_rows_examined;
      s.noIndexUsed ||= (d.sum_no_index_used ?? 0) > 0;
      byText.set(d.digest_text, s);
    }
  }
  model.statements = [...byText.values()].sort((a, b) => b.seconds - a.seconds).slice(0, 10);
  const out = o.out ?? join(runDir, 'model.json');
  writeFileSync(out, JSON.stringify(model, null, 2) + '\n');
  console.log(`model of ${run.meta.scenario.name} (${run.meta.id}), ${model.fit.windows} windows of ${window} s → ${out}`);
  for (const c of model.classes) {
    const d = Object.entries(c.demands).map(([s, v]) => `${s} ${(v * 1000).toFixed(2)} ms`).join(', ');
    console.log(`  ${c.name.padEnd(18)} ${c.kind.padEnd(5)} ${(c.mixShare * 100).toFixed(1).padStart(5)}%  ${d}`);
  }
  console.log(`  fit R²: ${Object.entries(model.fit.r2).map(([s, v]) => `${s} ${v.toFixed(2)}`).join(', ')}`);
  const g = model.database?.galera;
  if (g) {
    console.log(`  Galera: ${(g.conflictRate * 100).toFixed(2)}% of writesets conflicted, ${g.replicatedBytesPerWrite.toFixed(0)} bytes each, ` +
      `flow control paused ${(g.flowControlPaused * 100).toFixed(1)}%, apply cost ${g.applyCostRatio === null ? 'not estimable' : `${g.applyCostRatio.toFixed(2)}× execution`}`);
  }
  for (const w of model.fit.warnings) console.log(`  warning: ${w}`);
}

/** `replicas=4,db=aurora:1,vcpus=4,dbvcpus=8,readsplit,search=opensearch[,host[=2]]` → a TargetTopology. */
export function parseTargetTopology(spec: string, model: Model): TargetTopology {
  const kv = new Map(spec.split(',').filter(Boolean).map((p) => { const [k, v] = p.split('='); return [k!.trim(), (v ?? 'true').trim()] as const; }));
  const known = ['replicas', 'db', 'vcpus', 'dbvcpus', 'readsplit', 'writers', 'sessions', 'search', 'host'];
  for (const k of kv.keys()) if (!known.includes(k)) throw new UsageError(`--topology: unknown '${k}'`, `use ${known.join(', ')}`);
  const int = (k: string, fallback: number) => {
    const v = kv.get(k);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--topology: ${k}=${v} is not a whole number ≥ 1`);
    return n;
  };
  const m = model.measured;
  const dbVcpus = int('dbvcpus', m.vcpusDb);
  const dbWord = kv.get('db') ?? (m.dbKind === 'galera' ? `galera:${m.dbNodes}` : m.dbKind === 'aurora' ? `aurora:${m.dbNodes - 1}` : 'single');
  const dm = /^(single|aurora|galera)(?::(\d+))?$/.exec(dbWord);
  if (!dm) throw new UsageError(`--topology: db=${dbWord} is not single, aurora:R or galera:N`);
  const db: TargetTopology['db'] =
    dm[1] === 'single' ? { kind: 'single', vcpus: dbVcpus }
    : dm[1] === 'aurora' ? { kind: 'aurora', vcpus: dbVcpus, readers: Number(dm[2] ?? 1), readSplit: kv.has('readsplit') }
    : { kind: 'galera', vcpus: dbVcpus, nodes: Number(dm[2] ?? 3), writers: kv.get('writers') === 'all' ? 'all' : 'one' };
  return {
    replicas: int('replicas', m.replicas),
    vcpusApp: int('vcpus', m.vcpusApp),
    sessions: kv.get('sessions') === 'shared' ? 'shared' : 'sticky',
    db,
    ...(kv.get('search') === 'opensearch' ? { search: { kind: 'opensearch' as const, nodes: 1, vcpus: 2 } } : {}),
    // `host` alone: the machine the model was measured on; `host=N`: one machine with N vCPUs.
    ...(kv.has('host') ? { host: { vcpus: kv.get('host') === 'true' ? (m.hostVcpus ?? m.vcpusApp) : int('host', 1) } } : {}),
  };
}

/** `10,50,100` or `10..500` (20 points) or `10..500:50` (50 points). */
function parseLoads(v: string, option: string): number[] {
  const range = /^(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(v);
  if (range) {
    const [lo, hi, n] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 20)];
    if (!(hi > lo) || n < 2) throw new UsageError(`${option}: '${v}' needs LOW..HIGH with HIGH > LOW`);
    return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  }
  const list = v.split(',').map(Number);
  if (list.some((x) => !Number.isFinite(x) || x <= 0)) throw new UsageError(`${option}: '${v}' is not a list of positive numbers or LOW..HIGH`);
  return list;
}

/** The candidates `--smallest` searches: replicas × DB layout × sizes, ranked by vCPUs. */
/** The candidates `--smallest` (and `cost --cheapest`) search: replicas × app vCPUs × DB layout × DB vCPUs. */
export function candidateTopologies(model: Model): TargetTopology[] {
  const out: TargetTopology[] = [];
  for (const replicas of [1, 2, 3, 4, 6, 8]) {
    for (const vcpus of [2, 4, 8]) {
      for (const db of ['single', 'aurora:1,readsplit', 'galera:3']) {
        for (const dbvcpus of [2, 4, 8, 16]) out.push(parseTargetTopology(`replicas=${replicas},vcpus=${vcpus},db=${db},dbvcpus=${dbvcpus}`, model));
      }
    }
  }
  return out;
}

export async function simulateCommand(o: {
  model: string; users?: string; rate?: string; topology?: string; slo?: string; json?: boolean; out?: string; smallest?: boolean;
}) {
  const model = readModel(o.model);
  const topology = parseTargetTopology(o.topology ?? '', model);
  const load = o.rate ? { rates: parseLoads(o.rate, '--rate') } : { users: parseLoads(o.users ?? '1..500', '--users') };
  const slo = parseSlo(o.slo);
  if (o.smallest) {
    if (!slo) throw new UsageError('--smallest needs --slo', "e.g. --smallest --users 500 --slo 'p95<1s'");
    const loads: number[] = load.users ?? load.rates ?? [];
    if (loads.length !== 1) throw new UsageError('--smallest needs one target load', 'e.g. --users 500 (or --rate 50)');
    const target = load.users ? { users: loads[0]! } : { rate: loads[0]! };
    const { chosen, evaluated } = smallestTopology(model, candidateTopologies(model), target, slo);
    if (o.json) return void console.log(JSON.stringify({ chosen, evaluated: evaluated.length }, null, 2));
    const what = 'users' in target ? `${target.users} users` : `${target.rate} requests/s`;
    if (!chosen) {
      console.log(`none of ${evaluated.length} candidate topologies carries ${what} within p95 < ${slo.p95Seconds * 1000} ms`);
      process.exitCode = 1;
      return;
    }
    console.log(`smallest topology for ${what} within p95 < ${slo.p95Seconds * 1000} ms (of ${evaluated.length} candidates, by vCPUs):`);
    console.log(`  ${chosen.description}: ${chosen.vcpus} vCPUs, ${chosen.point.throughput.total.toFixed(1)} requests/s, ` +
      `worst p95 ${((chosen.worstP95 ?? 0) * 1000).toFixed(0)} ms, bottleneck ${chosen.point.bottleneck}`);
    return;
  }
  const p = project(model, topology, load, slo);
  if (o.out) writeFileSync(o.out, JSON.stringify(p, null, 2) + '\n');
  if (o.json) return void console.log(JSON.stringify(p, null, 2));
  console.log(`${describeTopology(topology)} — ${p.load} model (${p.multiServer})`);
  const io = p.points.some((pt) => pt.ioPerSecond != null);
  console.log(`  ${'users/rate'.padStart(10)}  ${'req/s'.padStart(8)}  ${'mean ms'.padStart(8)}  ${'p95 ms*'.padStart(8)}  ${io ? `${'DB I/O/s'.padStart(8)}  ` : ''}bottleneck (utilisation)`);
  for (const pt of p.points) {
    const x = pt.users ?? pt.rate ?? 0;
    // The mean over all requests: per-class means weighted by their throughput.
    const shares = Object.values(pt.throughput.perClass).reduce((a, b) => a + b, 0);
    const mean = shares > 0 ? (Object.entries(pt.responseTimeMean).reduce((s, [c, r]) => s + (r ?? NaN) * (pt.throughput.perClass[c] ?? 0), 0) / shares) * 1000 : NaN;
    const p95 = Math.max(...Object.values(pt.p95).map((v) => (v ?? NaN) * 1000));
    console.log(
      `  ${x.toFixed(0).padStart(10)}  ${pt.throughput.total.toFixed(1).padStart(8)}  ${mean.toFixed(1).padStart(8)}  ${p95.toFixed(1).padStart(8)}  ` +
        (io ? `${(pt.ioPerSecond ?? 0).toFixed(0).padStart(8)}  ` : '') +
        `${pt.bottleneck} (${((pt.utilisation[pt.bottleneck] ?? 0) * 100).toFixed(0)}%)${pt.saturated ? ' saturated' : ''}`,
    );
  }
  console.log(`  * p95: ${p.p95Method}; the worst class is shown`);
  console.log(`bottleneck: ${p.bottleneck.station}, capping throughput at ${p.saturation.maxThroughput.toFixed(1)} requests/s` +
    (p.saturation.kneeUsers !== null ? `; knee at ~${p.saturation.kneeUsers.toFixed(0)} users` : ''));
  if (/db/.test(p.bottleneck.station) && model.statements.length) {
    console.log('statements that took the database\'s time in the measured run:');
    for (const s of model.statements.slice(0, 5)) {
      console.log(`  ${s.seconds.toFixed(2).padStart(8)} s  ${String(s.count).padStart(7)}×  ${(s.rowsExamined / Math.max(1, s.count)).toFixed(0).padStart(6)} rows examined each${s.noIndexUsed ? ', no index' : ''}  ${s.text.slice(0, 90)}`);
    }
  }
  if (p.slo) console.log(`within p95 < ${p.slo.p95Seconds * 1000} ms: ${p.slo.withinSlo === null ? 'none' : p.slo.withinSlo.toFixed(0)}${p.slo.bound === 'beyond-grid' ? ' or more (the grid ended first)' : ''}`);
  for (const w of p.warnings) console.log(`warning: ${w}`);
}
