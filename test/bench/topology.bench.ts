/**
 * Time to bring each topology up (seeded) and the memory its processes use, then down again.
 * Run: npx tsx test/bench/topology.bench.ts [patients]   — prints figures, asserts nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TopologySpec } from '../../src/core/topology.ts';
import { down } from '../../src/infra/down.ts';
import { freePort } from '../../src/infra/processes.ts';
import { describeTopology } from '../../src/infra/topology-spec.ts';
import { up } from '../../src/infra/up.ts';
import { fmt } from './support.ts';

const patients = Number(process.argv[2] ?? 20_000);
const rssMiB = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

const cases: Partial<TopologySpec>[] = [
  { replicas: 1, db: { kind: 'single' } },
  { replicas: 2, db: { kind: 'aurora', readers: 1 }, sessions: 'redis' },
  { replicas: 3, db: { kind: 'galera', nodes: 3 } },
];
const times: number[] = [];
console.log(`${fmt(patients)} seeded patients per topology; 2 cores\n`);
for (const c of cases) {
  const cwd = mkdtempSync(join(tmpdir(), 'loadlab-bench-'));
  const spec: TopologySpec = { replicas: 1, db: { kind: 'single' }, sessions: 'sticky', search: 'local', patients, galeraWriters: 'one', port: await freePort(), ...c };
  const t0 = performance.now();
  try {
    const state = await up(spec, { cwd });
    const seconds = (performance.now() - t0) / 1000;
    times.push(seconds);
    const byKind = new Map<string, number>();
    for (const comp of state.components) byKind.set(comp.kind, (byKind.get(comp.kind) ?? 0) + rssMiB(comp.pid));
    const total = [...byKind.values()].reduce((a, b) => a + b, 0);
    const parts = [...byKind].map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    console.log(`${describeTopology(spec)}\n  up in ${fmt(seconds, 1)} s; RSS ${fmt(total)} MiB (${parts})`);
  } finally {
    await down({ cwd });
    rmSync(cwd, { recursive: true, force: true });
  }
}
console.log(`\nratio galera:3 with 3 replicas / single with 1: ${fmt(times[2]! / times[0]!, 2)}× the start-up time`);
