import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { GATE_SCHEMA, type GateRecord } from '../src/core/gate.ts';
import type { TimelineLine } from '../src/core/run.ts';
import { encodeHistogram, newHistogram } from '../src/core/histogram.ts';
import { compareWithHistory } from '../src/gate/compare.ts';
import { changePoints, standing } from '../src/gate/history.ts';
import { renderJUnit, renderMarkdown, type GateReport } from '../src/gate/render.ts';
import { runSamples } from '../src/gate/samples.ts';
import { decide, type VerdictRow } from '../src/gate/verdict.ts';
import { baselineRates, historyRates, night, normal, settings } from './support/gate-sim.ts';
import { seededRandom } from './model-fixture.ts';

describe('change points over a nightly series', () => {
  const r = seededRandom(3);
  const noisy = (level: number, n: number) => Array.from({ length: n }, () => level * (1 + 0.02 * normal(r)));

  it('finds a 15% step where it happened, and nothing in plain noise', () => {
    expect(changePoints([...noisy(100, 12), ...noisy(115, 8)])).toEqual([12]);
    expect(changePoints(noisy(100, 30))).toEqual([]);
  });

  it('ignores a clear but small step (below the minimum effect) and segments shorter than the minimum', () => {
    expect(changePoints([...Array(10).fill(100), ...Array(10).fill(102)])).toEqual([]);
    expect(changePoints([...noisy(100, 12), ...noisy(130, 3)])).toEqual([]);
  });

  it('finds two regimes', () => {
    expect(changePoints([...noisy(100, 10), ...noisy(120, 10), ...noisy(100, 10)])).toEqual([10, 20]);
  });

  it('judges a night by the scatter of every regime, from the current regime’s median', () => {
    const series = [100, 102, 98, 101, 99, 120, 122, 118, 121, 119];
    const { z } = standing(series, 5, 130, 'higher', [5]);
    // residuals within regimes are 0, ±1, ±2 → MAD 1 → σ 1.48; 130 − 120 = 10 → z ≈ 6.7
    expect(z).toBeCloseTo(10 / 1.4826, 2);
    expect(standing(series, 5, 130, 'lower', [5]).z).toBeLessThan(0);
    expect(standing([1, 2, 3], 0, 9, 'higher').z).toBeNull();
  });
});

describe('gate self-test on synthetic noisy nightly histories (seeded)', () => {
  /*
   * Windows: lognormal σ 0.1 (per-window p95 spread), 60 windows a night; nights offset by lognormal σ 1%;
   * history 10 nights; 1,000 trials; default rule (α 0.01, minimum effect 5%, robust z ≥ 2.5).
   */
  const noise = { windowSigma: 0.1, runSigma: 0.01, windows: 60 };

  it('raises ≤ 1% false alarms and catches a 10% shift ≥ 95% of the time; the naive last-night rule cries wolf far more often', () => {
    const { gate, naive } = historyRates(noise, 10, 1000);
    expect(gate).toEqual({ falseAlarm: 0.005, detection: 0.97 });
    expect(gate.falseAlarm).toBeLessThanOrEqual(0.01);
    expect(gate.detection).toBeGreaterThanOrEqual(0.95);
    expect(naive.falseAlarm).toBeGreaterThan(5 * gate.falseAlarm);
  });

  it('a single baseline run cannot tell a bad night from a regression: more false alarms under night-to-night scatter', () => {
    const ab = baselineRates({ ...noise, runSigma: 0.03 }, 1000);
    const hist = historyRates({ ...noise, runSigma: 0.03 }, 10, 1000).gate;
    expect(ab.falseAlarm).toBeGreaterThan(3 * hist.falseAlarm);
  });

  it('after an accepted step change the new level becomes the baseline: the same level passes, a further 10% fails', () => {
    const r = seededRandom(5);
    const hist = [...Array.from({ length: 10 }, (_, i) => night(r, 200, noise, i)), ...Array.from({ length: 6 }, (_, i) => night(r, 240, noise, 10 + i))];
    const same = compareWithHistory(night(r, 240, noise, 16), hist, settings);
    expect(same.rows[0]!.status).toBe('pass');
    expect(Object.values(same.regimes)[0]!.before).toBe(10);
    const worse = compareWithHistory(night(r, 264, noise, 16), hist, settings);
    expect(worse.rows[0]!.status).toBe('regression');
    expect(worse.rows[0]!.reason).toMatch(/6 runs since a change point \(10 older left out\)/);
  });
});

describe('per-window samples from a timeline', () => {
  const line = (t: number, step: string, ms: number[], failed = 0): TimelineLine => {
    const h = newHistogram();
    for (const v of ms) h.recordValue(v * 1000);
    const enc = encodeHistogram(h);
    h.destroy();
    return { type: 'step', t, step, count: ms.length, writes: 0, errors: failed ? { 'http-5xx': failed } : {}, latency: enc, service: enc, bytesIn: 0, bytesOut: 0, replicas: {} };
  };

  it('cuts whole windows after the warm-up, leaves out slow ones, and computes p95, throughput and error rate', () => {
    const tl: TimelineLine[] = [];
    for (let t = 0; t < 40; t++) tl.push(line(t, 'search', t < 10 ? [500] : Array.from({ length: 20 }, (_, i) => 10 + i), t === 25 ? 2 : 0));
    const s = runSamples(tl, { windowSeconds: 5, skipSeconds: 10, slowSeconds: new Set([31]), lastSecond: 40 });
    expect(s.windows).toBe(5);
    expect(s.slowWindows).toBe(1);
    expect(s.samples['latency-p95:search']).toHaveLength(5);
    expect(s.samples['latency-p95:search']![0]).toBeCloseTo(28, 0);
    expect(s.samples['throughput:search']![0]).toBe(20);
    expect(s.samples['error-rate:search']![3]).toBeCloseTo((100 * 2) / 100, 5);
    expect(s.samples['latency-p99:all']).toHaveLength(5);
    expect(s.samples['latency-p99:search']).toBeUndefined();
  });
});

describe('JUnit and Markdown', () => {
  const rec = (level: number): GateRecord => ({
    schema: GATE_SCHEMA, runId: 'r', scenario: 's', profile: 'p', startedAt: '', recordedAt: '', label: null, windowSeconds: 10, slowWindows: 0,
    hostUnitMs: null, samples: { 'latency-p95:<script>&"x"': Array.from({ length: 20 }, (_, i) => level + i) },
  });
  const rows: VerdictRow[] = [
    ...compareWithHistory(rec(300), [], settings).rows,
    { check: 'infra:lost-writes', metric: 'lost', baseline: 0, current: 2, change: NaN, p: null, status: 'regression', kind: 'infrastructure', reason: 'a|b' },
    { check: 'infra:error-rate', metric: 'e', baseline: 0.03, current: 0, change: NaN, p: null, status: 'pass', kind: 'infrastructure' },
  ];
  const report: GateReport = { current: 'run-1', against: 'history h (0 runs)', rows, decision: decide(rows), notes: ['n'] };

  it('is well-formed XML with one testcase per check, the regression as a failure and missing data as skipped', () => {
    const xml = renderJUnit(report, '2026-11-21T00:00:00Z');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite['@_tests']).toBe('3');
    expect(suite['@_failures']).toBe('1');
    expect(suite['@_skipped']).toBe('1');
    const cases = suite.testcase as { '@_name': string; failure?: unknown; skipped?: unknown }[];
    expect(cases.map((c) => c['@_name'])).toEqual(['latency-p95:<script>&"x"', 'infra:lost-writes', 'infra:error-rate']);
    expect(cases[1]!.failure).toBeDefined();
    expect(cases[0]!.skipped).toBeDefined();
  });

  it('puts failing checks first in Markdown and escapes table syntax', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/❌ regression/);
    const body = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| check') && !l.startsWith('| ---'));
    expect(body[0]).toMatch(/^\| infra:lost-writes/);
    expect(md).toContain('latency-p95:\\<script\\>');
  });
});

describe('gate records', () => {
  it('keep windows without requests as null in JSON and read them back as NaN', async () => {
    const { GateRecord } = await import('../src/core/gate.ts');
    const rec = GateRecord.parse({
      schema: GATE_SCHEMA, runId: 'r', scenario: 's', profile: 'p', startedAt: '', recordedAt: '', label: null, windowSeconds: 10, slowWindows: 0,
      hostUnitMs: null, samples: { 'latency-p95:x': [1, NaN, 3] },
    });
    const back = GateRecord.parse(JSON.parse(JSON.stringify(rec)));
    expect(JSON.stringify(rec)).toContain('[1,null,3]');
    expect(back.samples['latency-p95:x']).toEqual([1, NaN, 3]);
  });
});

describe("Holm's correction across a comparison's checks", () => {
  it('keeps regressions whose p passes α/m, α/(m−1), … and clears the rest', async () => {
    const { holm } = await import('../src/gate/compare.ts');
    const row = (check: string, p: number): VerdictRow => ({ check, metric: 'm', baseline: 1, current: 2, change: 1, p, status: 'regression', reason: 'r' });
    const rows = holm([row('a', 0.004), row('b', 0.001), row('c', 0.006), row('d', 0.5)], 0.01);
    // sorted: b 0.001 < 0.0025 ✓, a 0.004 < 0.00333 ✗ → a, c and d no longer fail
    expect(rows.map((r) => [r.check, r.status])).toEqual([['a', 'pass'], ['b', 'regression'], ['c', 'pass'], ['d', 'pass']]);
    expect(rows[0]!.reason).toMatch(/Holm's correction for 4 checks/);
  });
});
