import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CostEstimate } from '../src/core/cost.ts';
import type { ResourceLine, DbSnapshot, Digest } from '../src/core/resources.ts';
import type { Summary, TimelineLine } from '../src/core/run.ts';
import { encodeHistogram, newHistogram } from '../src/core/histogram.ts';
import { project } from '../src/model/solve.ts';
import { clinicModel } from './model-fixture.ts';
import { runMeta, writeRunDir } from './usl-fixture.ts';

/** A value that would run as script if any part of the report forgot to escape it. */
export const XSS = '<script>window.__pwned=1</script>';

const encoded = (valuesUs: number[]) => {
  const h = newHistogram();
  for (const v of valuesUs) h.recordValue(v);
  return encodeHistogram(h);
};

const stats = (p: number) => ({ min: p / 4, mean: p / 2, p50: p / 2, p90: p * 0.9, p95: p, p99: p * 1.5, max: p * 2 });

/**
 * A complete synthetic run directory, no servers involved: 30 s of two steps (one named `step`) on two replicas
 * (one named `host`), a fault, probes of a writer and a reader, db.json, model, projections and a cost estimate.
 */
export function writeReportRun(root: string, o: { id: string; step?: string; host?: string; topology?: string; p95?: number; seconds?: number }): string {
  const step = o.step ?? 'openChart';
  const host = o.host ?? 'replica-2';
  const seconds = o.seconds ?? 30;
  const meta = runMeta(o.id, { executor: 'ramping-vus', replicas: 2, scenario: 'hybrid' });
  meta.topology = { description: o.topology ?? '2 replicas over one MariaDB', spec: { replicas: 2 } };
  meta.faults = [{ atSeconds: 15, action: 'kill replica:2' }];
  const timeline: TimelineLine[] = [];
  for (let t = 0; t < seconds; t++) {
    const ms = (base: number) => Array.from({ length: 10 }, (_, i) => (base + i * 2 + t) * 1000);
    timeline.push(
      { type: 'step', t, step: 'searchPatient', count: 10, writes: 0, errors: {}, latency: encoded(ms(20)), service: encoded(ms(15)), bytesIn: 1000, bytesOut: 100, replicas: { 'replica-1': 5, [host]: 5 } },
      { type: 'step', t, step, count: 10, writes: 2, errors: t === 16 ? { '5xx': 3 } : {}, latency: encoded(ms(40)), service: encoded(ms(30)), bytesIn: 1000, bytesOut: 100, replicas: { 'replica-1': 6, [host]: 4 } },
      { type: 'run', t, vus: 5 + t, vusAllocated: 5 + t, iterations: 2, iterationsFailed: 0, dropped: 0, checksPassed: 4, checksFailed: 0, generatorCpu: 0.05 },
    );
    if (t === 15) timeline.push({ type: 'event', t: 15.2, label: `kill replica:2 (${host})` });
  }
  const dir = writeRunDir(root, meta, timeline);
  const p95 = o.p95 ?? 80;
  const stepSummary = (failed: number, p: number) => ({ count: 10 * seconds, writes: 0, ratePerSecond: 10, failed, errors: (failed ? { '5xx': failed } : {}) as Record<string, number>, latencyMs: stats(p), serviceMs: stats(p * 0.8), bytesIn: 1000, bytesOut: 100, replicas: { 'replica-1': 150, [host]: 150 } });
  const summary: Summary = {
    schema: 1, status: 'complete', durationSeconds: seconds,
    requests: { count: 20 * seconds, ratePerSecond: 20, failed: 3, failedRate: 3 / (20 * seconds) },
    latencyMs: stats(p95), serviceMs: stats(p95 * 0.8),
    steps: { searchPatient: stepSummary(0, p95 / 2), [step]: stepSummary(3, p95) },
    iterations: { count: 60, failed: 0, dropped: 0, durationMs: stats(500) },
    checks: {}, thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<1000', ok: true, actual: p95, abortOnFail: false }],
    ledger: { method: 'rest', acknowledged: 40, found: 40, lost: 0, unknown: 0, byResource: { encounter: { acknowledged: 40, lost: 0 } }, lostExamples: [] },
    vusMax: 5 + seconds - 1, events: [{ t: 15.2, label: 'kill replica:2' }],
    generator: { cpuSeconds: 1.5, cpuMicrosPerRequest: 2500, loopDelayMs: null }, errorMessages: [],
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));

  const resources: ResourceLine[] = [];
  for (let t = 0; t < seconds; t++) {
    for (const [name, role, cpu] of [['replica-1', 'replica', 0.3], [host, 'replica', 0.25], ['db-1', 'mariadb', 0.2], ['loadlab', 'generator', 0.05]] as const) {
      resources.push({ type: 'process', t, name, role, pid: 100, alive: true, seconds: 1, cpuSeconds: cpu + t / 300, rssMiB: 120 });
    }
    resources.push(
      { type: 'db', t, node: 'db-1', role: 'writer', up: true, seconds: 1, status: { Questions: 200 + t, Threads_running: 2, Innodb_row_lock_waits: t % 5, Innodb_buffer_pool_reads: 3 } },
      { type: 'db', t, node: 'db-2', role: 'reader', up: true, seconds: 1, status: { Questions: 80, Threads_running: 1, Innodb_buffer_pool_reads: 0 }, readerLagSeconds: t % 3, readerLagTransactions: 1 },
    );
  }
  writeFileSync(join(dir, 'resources.ndjson'), resources.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const digest = (text: string, count: number, secs: number): Digest => ({
    schema: 'openmrs', digest: 'abc', digest_text: text, count_star: count, sum_timer_wait_seconds: secs, max_timer_wait_seconds: 0.01, sum_lock_time_seconds: 0,
    sum_errors: 0, sum_rows_examined: count * 3, sum_rows_sent: count, sum_rows_affected: 0, sum_no_index_used: 0, sum_no_good_index_used: 0,
    sum_created_tmp_tables: 0, sum_created_tmp_disk_tables: 0, sum_select_full_join: 0, sum_select_scan: 0, sum_sort_rows: 0,
  });
  const db: DbSnapshot = {
    schema: 1, start: null, end: null,
    duringRun: { 'db-1': [digest('SELECT * FROM `obs` WHERE `encounter_id` IN (...)', 900, 2.5), digest(`SELECT '${XSS}' FROM person`, 10, 0.1)] },
    available: ['db-1: statement digests'], unavailable: [],
  };
  writeFileSync(join(dir, 'db.json'), JSON.stringify(db));

  const model = clinicModel({ source: { runId: o.id, scenario: 'hybrid' } });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  const users = [10, 50, 100, 200];
  const projections = [
    project(model, { label: o.topology ?? 'one box', replicas: 1, vcpusApp: 2, db: { kind: 'single', vcpus: 4 } }, { users }, { p95Seconds: 1 }),
    project(model, { replicas: 4, vcpusApp: 2, db: { kind: 'aurora', vcpus: 4, readers: 1, readSplit: true } }, { users }, { p95Seconds: 1 }),
  ];
  writeFileSync(join(dir, 'projections.json'), JSON.stringify(projections));
  writeFileSync(join(dir, 'cost.json'), JSON.stringify([costEstimate('single', 410.5), costEstimate(o.topology ?? 'regional', 980.25)]));
  return dir;
}

export function costEstimate(label: string, monthlyUsd: number): CostEstimate {
  const line = (component: CostEstimate['lines'][number]['component'], share: number) => ({ component, item: `${component} item`, quantity: 730, unit: 'Hrs', unitPriceUsd: (monthlyUsd * share) / 730, monthlyUsd: monthlyUsd * share });
  return {
    schema: 1, region: 'us-east-1', priceBook: { capturedAt: '2025-06-01', source: 'AWS Price List API snapshot' }, label, description: `${label} deployment`,
    load: { users: 200, requestsPerSecond: 40, encountersPerMonth: 100_000 },
    lines: [line('app', 0.5), line('database', 0.4), line('load-balancer', 0.1)], monthlyUsd, per1000EncountersUsd: monthlyUsd / 100,
    auroraIo: null, meetsSlo: true, assumptions: ['730 hours a month'],
    layouts: [
      { layout: 'regional', parts: [{ label: 'regional', copies: 1, loadShare: 1, monthlyUsdEach: monthlyUsd, monthlyUsd, meetsSlo: true }], monthlyUsd, per1000EncountersUsd: monthlyUsd / 100, meetsSlo: true },
      { layout: 'per-clinic', parts: [{ label: `clinic of ${label}`, copies: 10, loadShare: 0.1, monthlyUsdEach: 90, monthlyUsd: 900, meetsSlo: true }], monthlyUsd: 900, per1000EncountersUsd: 9, meetsSlo: true },
    ],
    cheapest: [{ description: `1 replica for ${label}`, vcpus: 4, monthlyUsd: 200, worstP95Seconds: 0.3, bottleneck: 'app' }],
  };
}
