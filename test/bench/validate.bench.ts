/**
 * Validation of the capacity model on this machine: calibrate on one ramped run of the reference target, then
 * predict held-out closed-model runs at other loads and at another replica count, and print predicted against
 * measured (`loadlab validate`). Every process — replicas, MariaDB, the load generator — shares this machine's
 * cores, which the model represents (topology `host`).
 *
 * Run: npx tsx test/bench/validate.bench.ts [scenario] [patients]   (about 15 minutes; prints, asserts nothing)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/loadlab.js', import.meta.url));
const scenario = process.argv[2] ?? 'search-heavy';
const patients = process.argv[3] ?? '5000';
const cwd = mkdtempSync(join(tmpdir(), 'loadlab-validate-'));

/** Runs the CLI as a user would; a threshold miss (exit 1) is a result here, not a failure. */
function loadlab(args: string[], quiet = true): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`loadlab ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  if (!quiet) process.stdout.write(r.stdout);
  return r.stdout;
}
/** A topology, warmed up: a freshly started target spends its first minute compiling (several times the CPU per request). */
const up = (replicas: number) => {
  loadlab(['up', '--replicas', String(replicas), '--patients', patients, '--port', '18480']);
  loadlab(['run', scenario, '--executor', 'constant-arrival-rate', '--rate', '4', '--duration', '60s', '--pre-allocated-vus', '100', '--max-vus', '1000', '--out', `warm-up-${replicas}`]);
};
const closedRun = (name: string, vus: number) => {
  loadlab(['run', scenario, '--executor', 'constant-vus', '--vus', String(vus), '--duration', '100s', '--out', name]);
  return name;
};

try {
  console.log(`${scenario}, ${patients} patients, this machine's cores shared by every process\n`);
  up(1);
  // Calibration: an open-model ramp in held steps, from light load towards the machine's capacity.
  loadlab(['run', scenario, '--executor', 'ramping-arrival-rate', '--stages', '15s:1,30s:1,15s:3,30s:3,15s:5,30s:5,15s:7,30s:7,15s:9,30s:9', '--pre-allocated-vus', '100', '--max-vus', '1000', '--out', 'calibration']);
  loadlab(['calibrate', 'calibration', '--window', '10s', '--out', 'model.json'], false);
  const heldOut = [closedRun('r1-60vus', 60), closedRun('r1-150vus', 150), closedRun('r1-300vus', 300)];
  loadlab(['down']);
  up(2);
  heldOut.push(closedRun('r2-150vus', 150), closedRun('r2-300vus', 300));
  loadlab(['down']);
  console.log();
  loadlab(['validate', '--model', 'model.json', '--skip', '30s', ...heldOut], false);
} finally {
  spawnSync(process.execPath, [BIN, 'down'], { cwd, stdio: 'ignore' });
  // The run directories stay for a closer look (`loadlab validate --json`, `loadlab usl`).
  rmSync(join(cwd, '.loadlab'), { recursive: true, force: true });
  console.log(`\nrun directories: ${cwd}`);
}
