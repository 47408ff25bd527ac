import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunMeta, TimelineLine } from '../src/core/run.ts';
import { decodeHistogram } from '../src/core/histogram.ts';
import { auditLedger } from '../src/engine/ledger.ts';
import { Recorder } from '../src/engine/recorder.ts';
import { readRun, RunDirectory } from '../src/engine/run-dir.ts';
import { buildSummary } from '../src/engine/summary.ts';
import { evaluate, parseThreshold, parseThresholds } from '../src/engine/thresholds.ts';
import type { RequestSample } from '../src/engine/sink.ts';

const sample = (step: string, endedAt: number, latencyMs: number, ok = true, extra: Partial<RequestSample> = {}): RequestSample => ({
  step, name: step, method: 'GET', status: ok ? 200 : 500, ok, errorClass: ok ? undefined : 'http-5xx',
  intendedAt: endedAt - latencyMs, sentAt: endedAt - latencyMs / 2, endedAt, bytesIn: 100, bytesOut: 10, ...extra,
});

function recorded() {
  const lines: TimelineLine[] = [];
  const rec = new Recorder((l) => lines.push(l));
  // 100 searches in second 0 (10..109 ms), 10 registrations in second 1, 2 of them failing.
  for (let i = 0; i < 100; i++) rec.request(sample('searchPatient', 100 + i, 10 + i, true, { replica: i % 2 ? 'replica-1' : 'replica-2' }));
  for (let i = 0; i < 10; i++) rec.request(sample('registerPatient', 1100 + i, 200, i >= 2));
  rec.check('found', true, 'searchPatient');
  rec.check('found', false, 'searchPatient');
  rec.iteration('clerk', 0, 1500, true);
  rec.dropped(500, 3);
  return { rec, lines };
}

describe('recorder', () => {
  it('files samples in one-second windows with HDR histograms of latency from the intended start', () => {
    const { rec, lines } = recorded();
    rec.flush(2500);
    const second0 = lines.filter((l) => l.type === 'step' && l.t === 0);
    expect(second0).toHaveLength(1);
    const w = second0[0] as Extract<TimelineLine, { type: 'step' }>;
    expect(w).toMatchObject({ step: 'searchPatient', count: 100, replicas: { 'replica-1': 50, 'replica-2': 50 } });
    const h = decodeHistogram(w.latency);
    expect(h.totalCount).toBe(100);
    expect(h.getValueAtPercentile(50) / 1000).toBeCloseTo(59, 0);
    expect(lines.some((l) => l.type === 'step' && l.t === 1)).toBe(false); // second 1 is held open a second longer
    rec.flush(2500, true);
    expect(lines.find((l) => l.type === 'step' && l.t === 1)).toMatchObject({ step: 'registerPatient', count: 10, errors: { 'http-5xx': 2 } });
    expect(lines.find((l) => l.type === 'run' && l.t === 0)).toMatchObject({ dropped: 3 });
  });

  it('a sample later than its second’s flush adds a step line, but no run line saying 0 VUs', () => {
    const { rec, lines } = recorded();
    rec.vus(100, 7, 7);
    rec.flush(5000, true);
    rec.request(sample('searchPatient', 900, 10, true)); // ended in second 0, reported after the flush
    rec.think(3500, 2);
    rec.flush(6000, true);
    const runs0 = lines.filter((l) => l.type === 'run' && l.t === 0);
    expect(runs0).toHaveLength(1);
    expect(runs0[0]).toMatchObject({ vus: 7 });
    expect(lines.filter((l) => l.type === 'step' && l.t === 0)).toHaveLength(2);
    expect(lines.filter((l) => l.type === 'run' && l.t === 3)).toEqual([expect.objectContaining({ thinkSeconds: 2 })]);
    // A late second that does carry counters keeps its run line, so sums over lines stay right.
    rec.think(3200, 1);
    rec.flush(7000, true);
    expect(lines.filter((l) => l.type === 'run' && l.t === 3).map((l) => (l.type === 'run' ? l.thinkSeconds : 0))).toEqual([2, 1]);
  });
});

describe('failure messages', () => {
  it('keeps the first failing response of each step and status', () => {
    const rec = new Recorder(() => {});
    rec.failure('recordVitals', 'POST /ws/rest/v1/encounter → 400: {"error":{"message":"Invalid Submission"}}');
    rec.failure('recordVitals', 'POST /ws/rest/v1/encounter → 400: {"error":{"message":"another"}}');
    rec.failure('recordVitals', 'POST /ws/rest/v1/encounter → 500: boom');
    expect(rec.failures).toEqual([
      'recordVitals: POST /ws/rest/v1/encounter → 400: {"error":{"message":"Invalid Submission"}}',
      'recordVitals: POST /ws/rest/v1/encounter → 500: boom',
    ]);
  });
});

describe('thresholds', () => {
  it('parses k6 syntax', () => {
    expect(parseThreshold('http_req_duration{step:searchPatient}', 'p(95)<500')).toMatchObject({
      metric: 'http_req_duration', tags: { step: 'searchPatient' }, aggregation: 'p', percentile: 95, op: '<', value: 500,
    });
    expect(parseThreshold('http_req_failed', { threshold: 'rate<0.01', abortOnFail: true }).abortOnFail).toBe(true);
  });
  it('rejects what k6 would reject, saying why', () => {
    expect(() => parseThreshold('http_req_latency', 'p(95)<1')).toThrow(/unknown metric/);
    expect(() => parseThreshold('http_req_failed', 'p(95)<1')).toThrow(/has no 'p\(95\)'/);
    expect(() => parseThreshold('http_req_duration', 'p95 < 1')).toThrow(/AGGREGATION OP NUMBER/);
    expect(() => parseThreshold('http_req_duration{url:x}', 'avg<1')).toThrow(/not supported/);
  });
  it('evaluates against the recorded run', () => {
    const { rec } = recorded();
    const results = evaluate(
      parseThresholds({
        'http_req_duration{step:searchPatient}': ['p(95)<150', 'p(99)<100'],
        http_req_failed: ['rate<0.01'],
        checks: ['rate>=0.5'],
        dropped_iterations: ['count==3'],
        'http_req_duration{step:nothing}': ['p(95)<1'],
      }),
      rec,
      2,
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true, true, true]);
    expect(results[2]!.actual).toBeCloseTo(2 / 110, 5);
    expect(results[5]!.actual).toBeNull();
  });
});

describe('run directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const meta: RunMeta = {
    schema: 1, id: 'r1', scenario: { name: 's', file: 'scenarios/s.ts', description: '' }, profile: 'smoke', load: { executor: 'constant-vus' },
    target: 'http://127.0.0.1:8080/openmrs', topology: null, versions: { loadlab: '0.1.0', node: process.version },
    host: { cpus: 2, memoryGiB: 24, hostname: 'h' }, seed: 1, plannedSeconds: 2, startedAt: new Date().toISOString(), endedAt: null,
    status: 'running', pid: 999_999_999, error: null, faults: [],
  };

  it('round-trips through its schemas', () => {
    const { rec, lines } = recorded();
    const d = RunDirectory.create(join(dir, 'a'), meta);
    rec.flush(0, true);
    d.appendTimeline(lines);
    d.writeSummary(buildSummary(rec, { status: 'complete', durationSeconds: 2, thresholds: [], ledger: null, cpuSeconds: 0.5, errorMessages: [] }));
    d.update({ status: 'complete', endedAt: new Date().toISOString() });
    const back = readRun(join(dir, 'a'));
    expect(back.meta.status).toBe('complete');
    expect(back.timeline.length).toBe(lines.length);
    expect(back.summary?.steps.searchPatient?.count).toBe(100);
    expect(back.summary?.requests).toMatchObject({ count: 110, failed: 2 });
  });

  it('reads a run whose engine died as interrupted, and names a corrupt file', () => {
    RunDirectory.create(join(dir, 'b'), meta); // pid 999999999 does not exist
    expect(readRun(join(dir, 'b')).meta.status).toBe('interrupted');
    writeFileSync(join(dir, 'b', 'timeline.ndjson'), '{"type":"step"}\n');
    expect(() => readRun(join(dir, 'b'))).toThrow(/timeline.ndjson line 1/);
    expect(readFileSync(join(dir, 'b', 'run.json'), 'utf8')).not.toMatch(/password/i);
  });
});

describe('ledger audit', () => {
  it('counts found, lost and undecided writes per resource', async () => {
    const records = [
      { resource: 'patient', uuid: 'p1', step: 'registerPatient', at: 1 },
      { resource: 'patient', uuid: 'p2', step: 'registerPatient', at: 2 },
      { resource: 'visit', uuid: 'v1', step: 'startVisit', at: 3 },
      { resource: 'thing', uuid: 't1', step: 'x', at: 4 },
    ];
    const audit = await auditLedger(records, async (resource) => (resource === 'patient' ? new Set(['p1']) : resource === 'visit' ? new Set(['v1']) : null), 'database');
    expect(audit).toMatchObject({ acknowledged: 4, found: 2, lost: 1, unknown: 1, byResource: { patient: { acknowledged: 2, lost: 1 } } });
    expect(audit.lostExamples).toEqual([{ resource: 'patient', uuid: 'p2', step: 'registerPatient' }]);
  });
});
