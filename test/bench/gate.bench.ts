/**
 * The gate's self-test, printed: (1) on synthetic nightly histories, false-alarm and detection rates of the gate's
 * history rule against the naive rule (last night only, alert at ≥ 5% — what github-action-benchmark does, with a
 * tighter threshold than its 200% default) and against a single baseline run, across night-to-night noise;
 * (2) on the reference target: an A/A pair of runs and a run against `--slowdown search=1.2`, each judged by
 * `loadlab gate` with its defaults (10 s windows, 30 s warm-up left out).
 *
 * Run: npx tsx test/bench/gate.bench.ts [seconds per run, default 150]   (about 10 minutes; prints, asserts nothing)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDbUrl } from '../../src/core/db-url.ts';
import { startMariaDb } from '../../src/infra/mariadb.ts';
import { installSchema } from '../../src/target/schema.ts';
import { seedDatabase } from '../../src/target/seed/load.ts';
import { baselineRates, historyRates } from '../support/gate-sim.ts';
import { spawnTarget } from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/loadlab.js', import.meta.url));
const seconds = Number(process.argv[2] ?? 150);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

console.log('1. Synthetic nightly histories: 60 windows a night (lognormal σ 0.1), 10 nights of history, 1,000 trials each');
console.log('night-to-night σ   gate: false alarms  detects +10%   naive last night: false alarms  detects   one baseline run: false alarms  detects');
for (const runSigma of [0, 0.01, 0.02, 0.03, 0.05]) {
  const noise = { windowSigma: 0.1, runSigma, windows: 60 };
  const { gate, naive } = historyRates(noise, 10, 1000);
  const ab = baselineRates(noise, 1000);
  console.log(
    `${pct(runSigma).padStart(16)}   ${pct(gate.falseAlarm).padStart(18)}  ${pct(gate.detection).padStart(12)}   ${pct(naive.falseAlarm).padStart(30)}  ${pct(naive.detection).padStart(7)}   ${pct(ab.falseAlarm).padStart(30)}  ${pct(ab.detection).padStart(7)}`,
  );
}

console.log(`\n2. The reference target (1,000 patients), search-heavy at 2 iterations/s for ${seconds} s per run`);
const cwd = mkdtempSync(join(tmpdir(), 'loadlab-gate-bench-'));
const db = await startMariaDb({ bufferPool: '256M' });
const targets: Awaited<ReturnType<typeof spawnTarget>>[] = [];
try {
  await installSchema(db.app);
  await seedDatabase(db.app, { patients: 1000 });
  const fast = await spawnTarget(db.app);
  const slow = await spawnTarget(db.app, ['--slowdown', 'search=1.2']);
  targets.push(fast, slow);
  const loadlab = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LOADLAB_DB: formatDbUrl(db.app) } });
  const run = (url: string, out: string, s: number) => {
    const r = loadlab(['run', 'search-heavy', '--target', url, '--executor', 'constant-arrival-rate', '--rate', '2', '--duration', `${s}s`, '--pre-allocated-vus', '60', '--max-vus', '150', '--out', out]);
    if (r.status !== 0 && r.status !== 1) throw new Error(`run exited ${r.status}: ${r.stderr}`);
    return out;
  };
  run(fast.url, 'warm-fast', 30);
  run(slow.url, 'warm-slow', 30);
  const a1 = run(fast.url, 'a1', seconds);
  const a2 = run(fast.url, 'a2', seconds);
  const b = run(slow.url, 'b', seconds);
  for (const [title, current, baseline] of [['A/A (same target, two runs)', a2, a1], ['search 1.2× slower against A', b, a2]] as const) {
    const r = loadlab(['gate', '--current', current, '--baseline', baseline]);
    console.log(`\n${title}: exit ${r.status}`);
    console.log(r.stdout.split('\n').filter((l) => /^(gate|check|latency|throughput|error-rate|PASS|FAIL| +(✗|note))/.test(l)).join('\n'));
  }
} finally {
  for (const t of targets) await t.stop();
  await db.stop();
  rmSync(cwd, { recursive: true, force: true });
}
