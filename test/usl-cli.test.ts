import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uslThroughput } from '../src/model/usl.ts';
import { burstTimeline, levelsTimeline, runMeta, writeRunDir } from './usl-fixture.ts';
import { loadlab } from './support/cli.ts';


const root = mkdtempSync(join(tmpdir(), 'loadlab-usl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const truth = { lambda: 20, sigma: 0.05, kappa: 0.001 };
const ramp = (id: string, users: number[]) =>
  writeRunDir(root, runMeta(id, { replicas: 1 }), levelsTimeline(users.map((vus) => ({ vus, throughput: uslThroughput(vus, truth.lambda, truth.sigma, truth.kappa) }))));

describe('loadlab usl', () => {
  it('fits 8 measured levels and recovers λ, σ, κ', async () => {
    const dir = ramp('ramp-8', [1, 2, 4, 8, 16, 24, 32, 48]);
    const r = await loadlab(['usl', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^USL by users, 8 point\(s\) from 1 run\(s\)\n/);
    expect(r.out).toMatch(/\n {8}48 +171\.2 +171\.2 +[+-]0\.0%  145–158 s\n/);
    expect(r.out).toMatch(/N_max 30\.8 users, peak throughput \d+\.\d requests\/s/);
    expect(r.out).toMatch(/weigh about the same at 48 users; κ makes throughput peak near 31 users and fall after it\./);

    const json = await loadlab(['usl', dir, '--json']);
    expect(json.code, json.err).toBe(0);
    const { points, fit, warnings } = JSON.parse(json.out);
    expect(points.map((p: any) => p.n)).toEqual([1, 2, 4, 8, 16, 24, 32, 48]);
    expect(warnings).toEqual([]);
    expect(fit.ok).toBe(true);
    expect(fit.lambda).toBeCloseTo(truth.lambda, 1);
    expect(fit.sigma).toBeCloseTo(truth.sigma, 3);
    expect(fit.kappa).toBeCloseTo(truth.kappa, 4);
    for (const p of points) expect(Math.abs(p.error)).toBeLessThan(0.01);
  });

  it('prints the points and why there is no fit for 3 levels (exit 1)', async () => {
    const r = await loadlab(['usl', ramp('ramp-3', [1, 4, 16])]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/USL by users, 3 point\(s\)/);
    expect(r.out).toMatch(/\n {8}16 +\d+\.\d +— +—  /);
    expect(r.out).toMatch(/no fit: the USL needs at least 6 load levels with throughput; got 3/);
    expect(r.err).toBe('');
  });

  it('fits one point per run by replicas (the default when replica counts differ)', async () => {
    const dirs = [1, 2, 3, 4, 6, 8].map((n) =>
      writeRunDir(root, runMeta(`replicas-${n}`, { replicas: n, executor: 'constant-arrival-rate' }), burstTimeline(60, Math.round(uslThroughput(n, 100, 0.1, 0.01)))),
    );
    const r = await loadlab(['usl', ...dirs, '--json']);
    expect(r.code, r.err).toBe(0);
    const { by, points, fit } = JSON.parse(r.out);
    expect(by).toBe('replicas');
    expect(points.map((p: any) => p.n)).toEqual([1, 2, 3, 4, 6, 8]);
    expect(fit.sigma).toBeCloseTo(0.1, 1);
  });

  it('exits 2 naming a directory that is not a run directory, or a bad --by', async () => {
    const empty = join(root, 'not-a-run');
    mkdirSync(empty);
    const r = await loadlab(['usl', ramp('ok', [1, 2]), empty]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`loadlab: ${empty} is not a run directory (no run.json)`);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    const by = await loadlab(['usl', ramp('ok2', [1, 2]), '--by', 'nodes']);
    expect(by.code).toBe(2);
    expect(by.err).toMatch(/--by: 'nodes' is neither users nor replicas/);
  });
});
