import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CostEstimate } from '../../core/cost.ts';
import { Model, type Projection } from '../../core/model.ts';
import { UsageError } from '../../core/errors.ts';
import { down } from '../../infra/down.ts';
import { freePort, isAlive } from '../../infra/processes.ts';
import { readState } from '../../infra/state.ts';
import { describeTopology, parseTopology } from '../../infra/topology-spec.ts';
import { up } from '../../infra/up.ts';
import { project } from '../../model/index.ts';
import { calibrateCommand, parseTargetTopology } from './model.ts';
import { runCommand } from './run.ts';

/**
 * `loadlab demo`: the whole chain on the embedded default, in about four minutes — a private MariaDB seeded with
 * synthetic patients and one reference-target replica; a short stepped hybrid run; calibration; projections for one
 * replica over one database against three replicas over Aurora and over Galera; their monthly cost; the report.
 */

const DEMO_DIR = join('reports', 'demo');
const SLO = { p95Seconds: 1 };
/** The load the costs are compared at: a district's clinicians at their busiest hour. */
const TARGET_USERS = 1000;

export const DEMO_TOPOLOGIES = [
  { name: 'single', label: 'one replica, one database', spec: 'replicas=1,vcpus=2,db=single,dbvcpus=2' },
  { name: 'aurora', label: 'three replicas over Aurora (reads split)', spec: 'replicas=3,vcpus=2,db=aurora:1,readsplit,dbvcpus=2' },
  { name: 'galera', label: 'three replicas over Galera (one writer)', spec: 'replicas=3,vcpus=2,db=galera:3,dbvcpus=2' },
] as const;

const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(0);

export async function demoCommand(o: { patients?: string; keep?: boolean }): Promise<void> {
  const existing = readState();
  if (existing?.components.some((c) => isAlive(c.pid))) {
    throw new UsageError('a topology from `loadlab up` is running in this folder', 'stop it with `loadlab down` (or run the demo in another folder)');
  }
  const t0 = performance.now();
  const out = resolve(DEMO_DIR);
  mkdirSync(out, { recursive: true });
  const runDir = join(out, 'run');
  const patients = o.patients ?? '2000';
  const step = (what: string) => console.log(`[${secondsSince(t0).padStart(3)} s] ${what}`);

  const spec = parseTopology({ replicas: '1', db: 'single', patients, port: String(await freePort()) });
  step(`starting ${describeTopology(spec)} with ${patients} synthetic patients …`);
  await up(spec, { onStep: (line) => step(`  ${line}`) });
  try {
    step('running the hybrid clinic day in steps of 40, 120 and 240 users (2½ minutes) …');
    await runCommand('hybrid', { executor: 'ramping-vus', stages: '15s:40,35s:40,15s:120,35s:120,15s:240,35s:240', out: runDir });
    // A threshold the short run missed is a finding in the report, not a failed demo.
    process.exitCode = 0;
  } finally {
    if (!o.keep) {
      step('stopping the topology');
      await down();
    }
  }
  step('calibrating the model from the run');
  // The first half-minute is the target warming up (JIT): several times the CPU per request.
  // Short windows: on a throttled VM whole windows are dropped (see calibrate's warnings), and 2 s keeps enough.
  await calibrateCommand(runDir, { window: '2s', skip: '30s' });
  const model = Model.parse(JSON.parse(readFileSync(join(runDir, 'model.json'), 'utf8')));

  step('projecting single against replicated over Aurora and over Galera');
  const projections: { name: string; label: string; projection: Projection }[] = [];
  for (const t of DEMO_TOPOLOGIES) {
    const topology = { ...parseTargetTopology(t.spec, model), label: t.label };
    const projection = project(model, topology, { users: [50, 100, 250, 500, 1000, 1500, 2000, 3000] }, SLO);
    writeFileSync(join(runDir, `projections-${t.name}.json`), JSON.stringify(projection, null, 2) + '\n');
    projections.push({ name: t.name, label: t.label, projection });
  }

  step(`pricing each for ${TARGET_USERS} users at the busiest hour of a clinic day (AWS us-east-1 snapshot)`);
  const costs = new Map<string, CostEstimate>();
  for (const t of DEMO_TOPOLOGIES) {
    const file = join(runDir, `cost-${t.name}.json`);
    loadlab(['cost', '--model', join(runDir, 'model.json'), '--users', String(TARGET_USERS), '--topology', t.spec, '--slo', 'p95<1s', '--json', '--out', file]);
    costs.set(t.name, CostEstimate.parse(JSON.parse(readFileSync(file, 'utf8'))));
  }
  const html = join(out, 'index.html');
  step('writing the report');
  loadlab(['report', runDir, '--out', html]);

  console.log(`\ndone in ${secondsSince(t0)} s. Report: ${html}`);
  console.log(`  ${'deployment'.padEnd(42)} ${'max req/s'.padStart(9)} ${'users in p95<1s'.padStart(15)}  ${'bottleneck'.padEnd(12)} ${`USD/month at ${TARGET_USERS}`.padStart(17)}`);
  for (const p of projections) {
    const within = p.projection.slo?.withinSlo;
    const users = within === null || within === undefined ? 'none' : `${within.toFixed(0)}${p.projection.slo?.bound === 'beyond-grid' ? '+' : ''}`;
    const cost = costs.get(p.name);
    console.log(
      `  ${p.label.padEnd(42)} ${p.projection.saturation.maxThroughput.toFixed(0).padStart(9)} ${users.padStart(15)}  ` +
        `${p.projection.bottleneck.station.padEnd(12)} ${(cost ? `$${cost.monthlyUsd.toLocaleString('en', { maximumFractionDigits: 0 })}` : '—').padStart(17)}`,
    );
  }
}

const BIN = fileURLToPath(new URL('../../../bin/loadlab.js', import.meta.url));

/** A later stage as its own command, as a user would run it; its failure ends the demo with its message. */
function loadlab(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new UsageError(`demo: \`loadlab ${args[0]}\` failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return r.stdout;
}
