import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunMeta, TimelineLine } from '../src/core/run.ts';

/** A run.json that `readRun` accepts; the load and topology are what the USL points look at. */
export function runMeta(id: string, o: { executor?: string; replicas?: number; scenario?: string } = {}): RunMeta {
  return {
    schema: 1, id, scenario: { name: o.scenario ?? 'search-heavy', file: 'scenarios/search-heavy.ts', description: 'synthetic' },
    profile: 'custom', load: { executor: o.executor ?? 'ramping-vus' }, target: 'http://127.0.0.1:8080/openmrs',
    topology: o.replicas === undefined ? null : { description: `${o.replicas} replica(s) over one MariaDB`, spec: { replicas: o.replicas, db: { kind: 'single' } } },
    versions: { loadlab: '0.1.0', node: process.version }, host: { cpus: 2, memoryGiB: 4, hostname: 'test' },
    seed: 1, plannedSeconds: 60, startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:01:00.000Z',
    status: 'complete', pid: 1, error: null, faults: [],
  };
}

const runLine = (t: number, vus: number): TimelineLine => ({
  type: 'run', t, vus, vusAllocated: vus, iterations: 0, iterationsFailed: 0, dropped: 0, checksPassed: 0, checksFailed: 0, generatorCpu: 0,
});
const stepLine = (t: number, count: number, failed = 0): TimelineLine => ({
  type: 'step', t, step: 'searchPatient', count, writes: 0, errors: failed ? { '5xx': failed } : {}, latency: '', service: '',
  bytesIn: 0, bytesOut: 0, replicas: {},
});

/**
 * A timeline of held levels: each level for `hold` seconds at `throughput(vus)` requests/s (whole counts that
 * add up to the exact rate), its first `transient` seconds at half that rate, as queues fill after a step up.
 */
export function levelsTimeline(levels: { vus: number; throughput: number }[], hold = 20, transient = 3, failedShare = 0): TimelineLine[] {
  const lines: TimelineLine[] = [];
  let t = 0;
  for (const { vus, throughput } of levels) {
    let carried = 0;
    for (let i = 0; i < hold; i++, t++) {
      const rate = i < transient ? throughput / 2 : throughput;
      const exact = carried + rate;
      const count = Math.floor(exact);
      carried = exact - count;
      lines.push(stepLine(t, count, Math.round(count * failedShare)), runLine(t, vus));
    }
  }
  return lines;
}

/** A constant-rate run of `seconds` seconds, with a burst of `burst` requests/s over seconds [at, at+len). */
export function burstTimeline(seconds: number, base: number, burst?: { at: number; len: number; rate: number }): TimelineLine[] {
  const lines: TimelineLine[] = [];
  for (let t = 0; t < seconds; t++) {
    const inBurst = burst && t >= burst.at && t < burst.at + burst.len;
    lines.push(stepLine(t, inBurst ? burst.rate : base), runLine(t, 10));
  }
  return lines;
}

export function writeRunDir(root: string, meta: RunMeta, timeline: TimelineLine[]): string {
  const dir = join(root, meta.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 2) + '\n');
  writeFileSync(join(dir, 'timeline.ndjson'), timeline.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return dir;
}
