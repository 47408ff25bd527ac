import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readRun } from '../src/engine/run-dir.ts';
import { compareSteps, extractReport } from '../src/report/extract.ts';
import { esc, html, inlineScript, jsonForScript, table } from '../src/report/html.ts';
import { renderReport } from '../src/report/render.ts';
import { XSS, writeReportRun } from './report-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'loadlab-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const BIN = fileURLToPath(new URL('../bin/loadlab.js', import.meta.url));

describe('escaping', () => {
  it('escapes text and attribute values', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(esc(null)).toBe('');
    expect(html`<p title="${'"><script>'}">${XSS}</p>`.markup).toBe('<p title="&quot;&gt;&lt;script&gt;">&lt;script&gt;window.__pwned=1&lt;/script&gt;</p>');
  });

  it('keeps JSON inside <script> as data and readable back', () => {
    const value = { step: XSS, note: '<!-- & \u2028 -->' };
    const s = jsonForScript(value);
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(s)).toEqual(value);
  });

  it('stops an inlined library from closing its script element', () => {
    expect(inlineScript('var a = "</script><b>"; // <!-- x')).toBe('var a = "<\\/script><b>"; // <\\!-- x');
  });

  it('builds tables with escaped cells and right-aligned numbers', () => {
    const t = table(['step', 'p95 ms'], [[XSS, 1234.5], [html`<code>${'a<b'}</code>`, null]]).markup;
    expect(t).toContain('<td>&lt;script&gt;window.__pwned=1&lt;/script&gt;</td><td class="num">1,235</td>');
    expect(t).toContain('<td><code>a&lt;b</code></td><td>—</td>');
  });
});

describe('extraction from a run directory', () => {
  const dir = writeReportRun(root, { id: 'run-a', p95: 80 });
  const data = extractReport({ run: readRun(dir) });

  it('summarises the run and its steps from summary.json', () => {
    expect(data.run).toMatchObject({ id: 'run-a', scenario: 'hybrid', status: 'complete', requests: 600, failed: 3, topology: '2 replicas over one MariaDB' });
    expect(data.steps.map((s) => s.step)).toEqual(['searchPatient', 'openChart']);
    expect(data.steps[1]).toMatchObject({ count: 300, failed: 3, p95: 80, p99: 120, max: 160, serviceP95: 64 });
    expect(data.ledger?.lost).toBe(0);
    expect(data.faults.planned).toEqual([{ atSeconds: 15, action: 'kill replica:2' }]);
    expect(data.faults.events).toEqual([{ t: 15.2, label: 'kill replica:2 (replica-2)' }]);
  });

  it('merges each second\'s histograms into percentiles of all steps', () => {
    const tl = data.timeline;
    expect(tl.t).toHaveLength(30);
    expect(tl.requests.every((n) => n === 20)).toBe(true);
    expect(tl.errors[16]).toBe(3);
    expect(tl.vus[0]).toBe(5);
    // Second 0: 20–38 ms and 40–58 ms, ten values each: the median is the 10th value (38 ms), p99 the largest.
    expect(tl.p50[0]).toBeCloseTo(38, 0);
    expect(tl.p99[0]).toBeCloseTo(58, 0);
    expect(tl.p95[29]!).toBeGreaterThan(tl.p95[0]!);
  });

  it('falls back to the timeline for the step table when summary.json is missing', () => {
    const noSummary = readRun(dir);
    noSummary.summary = null;
    const d = extractReport({ run: noSummary });
    const chart = d.steps.find((s) => s.step === 'openChart')!;
    expect(chart).toMatchObject({ count: 300, failed: 3 });
    expect(chart.max).toBeCloseTo(87, 0);
    expect(d.notes.join(' ')).toMatch(/no summary\.json/);
  });

  it('splits requests by replica and step', () => {
    expect(data.replicas.replicas).toEqual(['replica-1', 'replica-2']);
    expect(data.replicas.byStep).toEqual([{ step: 'searchPatient', counts: [150, 150] }, { step: 'openChart', counts: [180, 120] }]);
  });

  it('reads the database panel: rates per second, gauges, reader lag, statements heaviest first', () => {
    const db = data.database!;
    const metric = (title: string) => db.metrics.find((m) => m.title.startsWith(title));
    expect(metric('Queries')!.nodes.map((n) => n.name)).toEqual(['db-1', 'db-2']);
    expect(metric('Queries')!.nodes[0]!.values[10]).toBe(210);
    expect(metric('Threads running')!.nodes[1]!.values[0]).toBe(1);
    expect(metric('Row lock waits')!.nodes.map((n) => n.name)).toEqual(['db-1']);
    expect(metric('Reader lag')!.nodes[0]).toMatchObject({ name: 'db-2' });
    expect(metric('Galera')).toBeUndefined();
    expect(db.statements.map((s) => s.count)).toEqual([900, 10]);
    expect(db.statements[0]).toMatchObject({ node: 'db-1', seconds: 2.5, rowsExamined: 2700 });
  });

  it('sums process CPU per role and names the bottleneck from the model', () => {
    const p = data.processes!;
    expect(p.roles.map((r) => r.name)).toEqual(['generator', 'mariadb', 'replica']);
    expect(p.roles[2]!.values[0]).toBeCloseTo(0.55, 6);
    expect(p.means.find((m) => m.role === 'replica')!.processes).toBe(2);
    const b = extractReport({ run: readRun(dir), model: JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) }).bottleneck!;
    // Clinic fixture at its mix: app 16.8 ms over 2 servers (8.4 ms each) beats db-cpu 9.0 ms over 4 and db-io 2.4 ms over 2.
    expect(b.station).toBe('app');
    expect(b.stations[0]!.demandPerServerMs).toBeCloseTo(8.4, 6);
  });

  it('compares per-step p95 and rate with a baseline in percent', () => {
    const c = compareSteps('base', [{ step: 'a', count: 1, ratePerSecond: 10, failed: 0, p50: 1, p95: 40, p99: 1, max: 1, serviceP95: 1 }], [
      { step: 'a', count: 1, ratePerSecond: 12, failed: 0, p50: 1, p95: 80, p99: 1, max: 1, serviceP95: 1 },
      { step: 'b', count: 1, ratePerSecond: 1, failed: 0, p50: 1, p95: 5, p99: 1, max: 1, serviceP95: 1 },
    ]);
    expect(c.rows[0]).toMatchObject({ step: 'a', p95Change: 100, rateChange: 20 });
    expect(c.rows[1]).toMatchObject({ step: 'b', baseP95: null, p95Change: null });
  });
});

describe('the rendered report', () => {
  const dir = writeReportRun(root, { id: 'run-xss', step: XSS, host: XSS, topology: XSS });
  const base = writeReportRun(root, { id: 'run-base', p95: 40 });

  it('shows hostile names as text and never as markup', () => {
    const page = renderReport(extractReport({ run: readRun(dir) }), '/* chart.js */', '2025-01-01T00:00:00Z');
    expect(page).not.toContain('<script>window.__pwned');
    expect(page).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    // The only script elements are the report's own three.
    expect(page.match(/<script/g)).toHaveLength(3);
  });

  it('is written by `loadlab report` with the model, projections, cost and a baseline', () => {
    const out = join(root, 'report.html');
    const r = spawnSync(process.execPath, [BIN, 'report', dir, '--compare', base, '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/with model, 2 projection\(s\), 2 cost estimate\(s\), baseline run-base → .*report\.html/);
    const page = readFileSync(out, 'utf8');
    for (const id of ['summary', 'steps', 'timeline', 'replicas', 'database', 'utilisation', 'projections', 'cost', 'comparison', 'faults']) expect(page).toContain(`<section id="${id}">`);
    expect(page).toContain('Chart.js v4');
    expect(page).not.toContain('<script>window.__pwned');
    expect(page).toMatch(/\+100(\.0)?%/);
    expect(page).toContain('Monthly cost per layout');
    expect(page).toContain('10 × clinic of single ($90 each)');
    expect(page).toContain('Cheapest topologies that meet the SLO');
  });

  it('says what is wrong with a bad input, exit 2', () => {
    const bad = join(root, 'bad-cost.json');
    writeFileSync(bad, JSON.stringify({ schema: 1, region: 'us-east-1' }));
    const r = spawnSync(process.execPath, [BIN, 'report', dir, '--cost', bad, '--out', join(root, 'x.html')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad-cost\.json is not a valid cost estimate/);
    const missing = spawnSync(process.execPath, [BIN, 'report', join(root, 'nope')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/not a run directory/);
  });
});
