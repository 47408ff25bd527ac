import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { XSS, writeReportRun } from './report-fixture.ts';

const BIN = fileURLToPath(new URL('../bin/loadlab.js', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** Debian's chromium on PATH; the test needs a real browser, so its absence is a failure with the fix in it. */
function findChromium(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  throw new Error('chromium is not on PATH: run scripts/setup (it installs Debian\'s chromium package)');
}

const root = mkdtempSync(join(tmpdir(), 'loadlab-report-chromium-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the report in headless Chromium', () => {
  it('draws every chart, shows every table, and shows hostile names as text', async () => {
    const executablePath = findChromium();
    const dir = writeReportRun(root, { id: 'run-browser', step: XSS, host: XSS, topology: XSS });
    const baseline = writeReportRun(root, { id: 'run-baseline', p95: 40 });
    const out = join(root, 'report.html');
    const made = spawnSync(process.execPath, [BIN, 'report', dir, '--compare', baseline, '--out', out], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);

    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      // Root (CI containers) cannot use Chromium's sandbox; /dev/shm is small in containers.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(out).href;
      await page.goto(url, { waitUntil: 'load' });

      const state = await page.evaluate(() => {
        const w = window as unknown as { __pwned?: unknown; __reportCharts?: unknown[]; Chart?: { getChart(c: HTMLCanvasElement): unknown } };
        const canvases = [...document.querySelectorAll('canvas')];
        return {
          pwned: w.__pwned,
          charts: w.__reportCharts?.length ?? 0,
          canvases: canvases.map((c) => {
            const ctx = c.getContext('2d')!;
            const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
            return { id: c.id, hasChart: Boolean(w.Chart?.getChart(c)), width: c.width, height: c.height, painted };
          }),
          tables: document.querySelectorAll('table').length,
          sections: [...document.querySelectorAll('section')].map((s) => s.id),
          stepsText: document.querySelector('#steps')!.textContent ?? '',
          bodyText: document.body.innerText,
        };
      });

      expect(problems).toEqual([]);
      expect(requests.filter((u) => u !== url)).toEqual([]);
      expect(state.pwned).toBeUndefined();
      expect(state.sections).toEqual(['summary', 'steps', 'timeline', 'replicas', 'database', 'utilisation', 'projections', 'cost', 'comparison', 'faults']);
      expect(state.canvases.length).toBeGreaterThanOrEqual(12);
      expect(state.charts).toBe(state.canvases.length);
      for (const c of state.canvases) {
        expect(c.hasChart, c.id).toBe(true);
        expect(c.width * c.height, c.id).toBeGreaterThan(0);
        expect(c.painted, `${c.id} is blank`).toBeGreaterThan(500);
      }
      // One numbers table per chart, plus summary, steps, thresholds, statements, capacity, cost and ledger tables.
      expect(state.tables).toBeGreaterThan(state.canvases.length + 6);
      expect(state.stepsText).toContain(XSS);
      expect(state.bodyText).toContain(`Topology\t${XSS}`);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
