import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import { readRun, type RunFiles } from '../src/engine/run-dir.ts';
import { parseThreshold } from '../src/engine/thresholds.ts';
import { importK6, type ImportResult } from '../src/k6/import/index.ts';
import { parseK6Line, parseTime, type K6Point } from '../src/k6/import/lines.ts';
import { errorClassOf, originOf, stepOf } from '../src/k6/import/pod.ts';
import { openSource } from '../src/k6/import/source.ts';
import { readSummaryExport } from '../src/k6/import/summary-export.ts';
import { extractReport } from '../src/report/extract.ts';
import { renderReport } from '../src/report/render.ts';
import { loadlab as cli } from './support/cli.ts';

const FIX = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));
const POD1 = join(FIX, 'pod-1.json');
const POD2 = join(FIX, 'pod-2.json.gz');
const SUM1 = join(FIX, 'pod-1-summary.json');
const SUM2 = join(FIX, 'pod-2-summary.json');
const root = mkdtempSync(join(tmpdir(), 'loadlab-k6-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The fixture's points, read independently of the importer's streaming. */
function points(file: string): K6Point[] {
  const buf = readFileSync(file);
  const text = (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8');
  return text.split('\n').flatMap((l, i) => {
    const line = parseK6Line(l, file, i + 1);
    return line?.type === 'Point' ? [line] : [];
  });
}

/** Nearest-rank percentile, the definition HdrHistogram approximates. */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** HDR keeps 3 significant digits (and rounds to whole µs): within 0.2 % plus a microsecond. */
const closeTo = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.002 + 0.002);

describe('k6 JSON lines', () => {
  it('reads Metric lines with their thresholds and submetrics', () => {
    const m = parseK6Line(readFileSync(POD1, 'utf8').split('\n').find((l) => l.includes('"Metric"') && l.includes('"http_req_duration"'))!, 'f', 1);
    expect(m).toMatchObject({ type: 'Metric', name: 'http_req_duration', metricType: 'trend' });
    if (m?.type !== 'Metric') throw new Error('not a metric');
    expect(m.thresholds).toEqual(['p(95)<800', { threshold: 'p(99)<1500', abortOnFail: true, delayAbortEval: '10s' }]);
    expect(m.submetrics).toContain('http_req_duration{name:login}');
  });

  it('reads Point lines: nanosecond times with offsets, values, tags (null tags too)', () => {
    const p = parseK6Line('{"type":"Point","data":{"time":"2025-03-14T10:00:00.123456789+01:00","value":12.5,"tags":{"name":"login","status":"200"}},"metric":"http_req_duration"}', 'f', 3);
    expect(p).toMatchObject({ type: 'Point', metric: 'http_req_duration', value: 12.5, tags: { name: 'login', status: '200' } });
    expect((p as K6Point).time).toBeCloseTo(Date.UTC(2025, 2, 14, 9, 0, 0) + 123.456789, 5);
    expect(parseK6Line('{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":5,"tags":null},"metric":"vus"}', 'f', 1)).toMatchObject({ tags: {}, value: 5 });
    expect(parseTime('2021-02-24T13:37:10.5-05:30')).toBe(Date.UTC(2021, 1, 24, 19, 7, 10, 500));
    expect(parseK6Line('   ', 'f', 9)).toBeNull();
  });

  it('names the file and line of anything that is not a k6 line', () => {
    expect(() => parseK6Line('{"type":"Point","data":{"time":"now","value":1},"metric":"vus"}', 'pod.json', 7)).toThrow(/pod\.json:7: .*RFC 3339/);
    expect(() => parseK6Line('{"type":"Sample","data":{},"metric":"x"}', 'pod.json', 8)).toThrow(/pod\.json:8:/);
    expect(() => parseK6Line('{"type":"Point","data":{"time"', 'pod.json', 9)).toThrow(UsageError);
  });

  it('maps tags to loadlab: step before name, origins without credentials, error classes', () => {
    expect(stepOf({ step: 'openChart', name: 'chart:visits' })).toBe('openChart');
    expect(stepOf({ name: 'searchPatient' })).toBe('searchPatient');
    expect(originOf('http://admin:****@OpenMRS.example.org:8080/openmrs/ws/rest/v1/session')).toBe('http://openmrs.example.org:8080');
    expect(errorClassOf(503, '1503')).toBe('http-5xx');
    expect(errorClassOf(404, '1404')).toBe('http-4xx');
    expect(errorClassOf(0, '1050')).toBe('timeout');
    expect(errorClassOf(0, '1212')).toBe('connect');
    expect(errorClassOf(0, '1220')).toBe('reset');
  });
});

describe('input files', () => {
  it('tells gzip by its magic bytes and the kind by the content, not the name', async () => {
    const renamed = join(root, 'pod-2.ndjson');
    writeFileSync(renamed, readFileSync(POD2));
    for (const [file, gz] of [[POD1, false], [POD2, true], [renamed, true]] as const) {
      const s = await openSource(file);
      expect(s).toMatchObject({ kind: 'ndjson', gzipped: gz });
      if (s.kind === 'ndjson') {
        expect((await s.lines.next())?.lineNo).toBe(1);
        await s.lines.close();
      }
    }
    expect(await openSource(SUM1)).toMatchObject({ kind: 'summary' });
    expect(await openSource(SUM2)).toMatchObject({ kind: 'summary' });
  });

  it('reads both summary shapes: handleSummary data and the legacy --summary-export', () => {
    const one = readSummaryExport(SUM1, JSON.parse(readFileSync(SUM1, 'utf8')));
    const two = readSummaryExport(SUM2, JSON.parse(readFileSync(SUM2, 'utf8')));
    expect(one.httpReqs).toBe(points(POD1).filter((p) => p.metric === 'http_reqs').length);
    expect(two.httpReqs).toBe(points(POD2).filter((p) => p.metric === 'http_reqs').length);
    for (const e of [one, two]) {
      expect([...e.checks.keys()].sort()).toEqual(['login succeeded', 'patient found']);
      expect(e.thresholds.get('http_req_duration{name:login}')).toEqual(['p(95)<300']);
    }
    // The legacy shape stores "failed?", handleSummary stores {ok}: both read as ok.
    expect(two.verdicts.get('http_req_duration p(95)<800')).toBe(false);
    expect(one.verdicts.get('http_req_duration p(95)<800')).toBe(true);
  });
});

describe('threshold tags', () => {
  it('takes name: as an alias of step:, URLs included', () => {
    expect(parseThreshold('http_req_duration{name:login}', 'p(95)<300').tags).toEqual({ step: 'login' });
    expect(parseThreshold('http_req_duration{name:http://h:8080/x}', 'p(95)<300').tags).toEqual({ step: 'http://h:8080/x' });
    expect(() => parseThreshold('http_req_duration{expected_response:true}', 'p(95)<300')).toThrow(/not supported/);
  });
});

describe('two pods imported into one run', () => {
  const dir = join(root, 'run');
  let result: ImportResult;
  let run: RunFiles;
  const raw = [points(POD1), points(POD2)];
  const durations = (pts: K6Point[], step?: string) =>
    pts.filter((p) => p.metric === 'http_req_duration' && (!step || stepOf(p.tags) === step)).map((p) => p.value);

  beforeAll(async () => {
    result = await importK6([POD1, POD2, SUM1, SUM2], dir);
    run = readRun(dir);
  });

  it('writes a run directory that reads back, validated', () => {
    expect(run.meta).toMatchObject({ id: 'run', profile: 'k6', status: 'complete', target: 'http://openmrs.example.org:8080', topology: null });
    expect(run.meta.scenario.name).toBe('clinic');
    expect(run.meta.scenario.description).toMatch(/imported from k6 \(2 pods\)/);
    expect(run.meta.load).toMatchObject({ pods: 2, scenarios: ['clinic'] });
    expect(JSON.stringify(run.meta)).not.toContain('admin');
    expect(run.summary?.status).toBe('complete');
    expect(run.summary?.generator).toEqual({ cpuSeconds: 0, cpuMicrosPerRequest: null, loopDelayMs: null });
  });

  it('counts every request of both pods, per step and per second', () => {
    const s = run.summary!;
    expect(s.requests.count).toBe(durations(raw[0]!).length + durations(raw[1]!).length);
    for (const step of ['login', 'searchPatient', 'openChart']) {
      expect(s.steps[step]!.count).toBe(durations(raw[0]!, step).length + durations(raw[1]!, step).length);
      const perSecond = run.timeline.reduce((n, l) => n + (l.type === 'step' && l.step === step ? l.count : 0), 0);
      expect(perSecond).toBe(s.steps[step]!.count);
    }
    expect(s.steps.login!.writes).toBe(s.steps.login!.count);
    const failed = raw.flat().filter((p) => p.metric === 'http_req_failed' && p.value === 1).length;
    expect(s.requests.failed).toBe(failed);
    expect(s.steps.openChart!.errors).toMatchObject({ timeout: 1 });
    expect(s.steps.searchPatient!.errors['http-5xx']).toBeGreaterThan(0);
    expect(s.iterations.count).toBe(raw.flat().filter((p) => p.metric === 'iterations').length);
    expect(s.iterations.dropped).toBe(raw.flat().filter((p) => p.metric === 'dropped_iterations').reduce((n, p) => n + p.value, 0));
    expect(s.iterations.dropped).toBeGreaterThan(0);
  });

  it('gives percentiles of the combined samples, not the mean of per-pod percentiles', () => {
    for (const step of ['login', 'searchPatient', 'openChart']) {
      const all = [...durations(raw[0]!, step), ...durations(raw[1]!, step)];
      const st = run.summary!.steps[step]!;
      closeTo(st.latencyMs.p50, percentile(all, 50));
      closeTo(st.latencyMs.p95, percentile(all, 95));
      closeTo(st.latencyMs.p99, percentile(all, 99));
      expect(st.serviceMs.p95).toBe(st.latencyMs.p95);
      const meanOfPods = (percentile(durations(raw[0]!, step), 95) + percentile(durations(raw[1]!, step), 95)) / 2;
      expect(Math.abs(st.latencyMs.p95 - meanOfPods)).toBeGreaterThan(0.1 * st.latencyMs.p95);
      closeTo(result.pods[1]!.p95ByStep[step]!, percentile(durations(raw[1]!, step), 95));
    }
  });

  it('sums the pods\' VUs each second', () => {
    const origin = Math.min(...raw.flat().map((p) => p.time));
    const lastIn = raw.map((pts) => {
      const m = new Map<number, { at: number; v: number }>();
      for (const p of pts) {
        if (p.metric !== 'vus') continue;
        const t = Math.floor((p.time - origin) / 1000);
        if (!m.has(t) || m.get(t)!.at <= p.time) m.set(t, { at: p.time, v: p.value });
      }
      return m;
    });
    const runs = run.timeline.filter((l) => l.type === 'run');
    let compared = 0;
    for (const l of runs) {
      const a = lastIn[0]!.get(l.t);
      const b = lastIn[1]!.get(l.t);
      if (!a || !b) continue;
      expect(l.vus, `second ${l.t}`).toBe(a.v + b.v);
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    expect(run.summary!.vusMax).toBe(Math.max(...runs.map((l) => l.vus)));
    expect(runs.every((l) => l.generatorCpu === 0)).toBe(true);
  });

  it('re-evaluates the thresholds on the merged data, submetric thresholds included', () => {
    const th = run.summary!.thresholds;
    expect(th.map((t) => `${t.metric} ${t.expression}`).sort()).toEqual([
      'checks rate>0.95', 'http_req_duration p(95)<800', 'http_req_duration p(99)<1500', 'http_req_duration{name:login} p(95)<300', 'http_req_failed rate<0.05',
    ]);
    const login = th.find((t) => t.metric === 'http_req_duration{name:login}')!;
    expect(login.actual).toBe(run.summary!.steps.login!.latencyMs.p95);
    expect(th.find((t) => t.expression === 'p(99)<1500')!.abortOnFail).toBe(true);
    expect(th.find((t) => t.metric === 'http_req_failed')!.actual).toBeCloseTo(run.summary!.requests.failedRate, 10);
    // Pod 2 alone failed p(95)<800; all samples together hold it.
    expect(th.find((t) => t.expression === 'p(95)<800')!.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/p\(95\)<800: holds on the merged data, 1 of 2 pod summaries said it failed/);
  });

  it('keeps checks by name', () => {
    const checks = raw.flat().filter((p) => p.metric === 'checks');
    const passes = checks.filter((p) => p.tags.check === 'patient found' && p.value === 1).length;
    expect(run.summary!.checks['patient found']).toEqual({ passes, fails: checks.filter((p) => p.tags.check === 'patient found').length - passes });
  });

  it('renders as a report naming the steps', () => {
    const page = renderReport(extractReport({ run: readRun(dir) }), '/* chart.js */', '2025-01-01T00:00:00Z');
    for (const step of ['login', 'searchPatient', 'openChart']) expect(page).toContain(step);
    expect(page).toContain('imported from k6');
  });
});

describe('what the import refuses, and what it takes from summary exports', () => {
  it('needs the per-request samples, not only summary exports', async () => {
    await expect(importK6([SUM1, SUM2], join(root, 'only-summaries'))).rejects.toThrow(/percentiles across pods/);
  });

  it('will not write into a directory that holds something else', async () => {
    const busy = join(root, 'busy');
    rmSync(busy, { recursive: true, force: true });
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    await expect(importK6([POD1], busy)).rejects.toThrow(/not empty and not a run directory/);
  });

  it('takes checks from the summary exports when the NDJSON has none, and warns on count mismatches', async () => {
    const noChecks = join(root, 'no-checks.json.gz');
    writeFileSync(noChecks, gzipSync(readFileSync(POD1, 'utf8').split('\n').filter((l) => !l.includes('"metric":"checks"')).join('\n')));
    const r = await importK6([noChecks, SUM1, SUM2], join(root, 'no-checks'));
    expect(r.summary.checks['login succeeded']).toEqual({ passes: 92, fails: 0 });
    expect(r.warnings.join('\n')).toMatch(/checks come from the summary exports/);
    expect(r.warnings.join('\n')).toMatch(/http_reqs counts not compared/);
    const mismatch = await importK6([POD1, SUM2], join(root, 'mismatch'));
    expect(mismatch.warnings.join('\n')).toMatch(/summary exports count 126 http_reqs, the NDJSON files 150/);
  });

  it('files a late sample as a second line for its second, and still counts it once', async () => {
    const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
    const req = (s: number, v: number) => JSON.stringify({ type: 'Point', data: { time: at(s), value: v, tags: { name: 'late', method: 'GET', status: '200' } }, metric: 'http_req_duration' });
    const vus = (s: number) => JSON.stringify({ type: 'Point', data: { time: at(s), value: 1, tags: null }, metric: 'vus' });
    const lines = [vus(0), req(2, 10)];
    for (let s = 1; s <= 20; s++) lines.push(vus(s));
    lines.push(req(2, 30)); // written 18 s after its time: its second was already written
    const file = join(root, 'late.json');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await importK6([file], join(root, 'late'));
    expect(r.summary.steps.late!.count).toBe(2);
    const back = readRun(join(root, 'late'));
    expect(back.timeline.filter((l) => l.type === 'step' && l.t === 2).map((l) => l.type === 'step' && l.count)).toEqual([1, 1]);
    expect(back.timeline.filter((l) => l.type === 'run').every((l) => l.vus <= 1)).toBe(true);
  });
});

describe('loadlab import k6', () => {
  it('imports the fixture and exits 0, printing the next commands', async () => {
    const out = join(root, 'cli');
    const r = await cli(['import', 'k6', POD1, POD2, SUM1, SUM2, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/imported 2 pods and 2 summary export/);
    expect(r.out).toContain(`loadlab report ${out}`);
    expect(readRun(out).summary?.requests.count).toBeGreaterThan(0);
  });

  it('exits 2 naming the file and line of a corrupt line', async () => {
    const lines = readFileSync(POD1, 'utf8').split('\n');
    lines.splice(41, 0, '{"type":"Point","data":{"time":"2025-03-14T10:00:01+01:00","value":');
    const bad = join(root, 'corrupt.json');
    writeFileSync(bad, lines.join('\n'));
    const r = await cli(['import', 'k6', bad, '--out', join(root, 'corrupt')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}:42:`);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
  });
});
