import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model, Projection } from '../src/core/model.ts';
import { upInTemp } from './support/topology.ts';
import { loadlab as cli } from './support/cli.ts';
const loadlab = (args: string[], cwd: string) => cli(args, { cwd });


describe('run → calibrate → simulate on a local topology', () => {
  let t: Awaited<ReturnType<typeof upInTemp>>;
  beforeAll(async () => {
    t = await upInTemp({ replicas: 1, db: { kind: 'single' }, patients: 500 });
  });
  afterAll(async () => {
    if (t) expect(await t.tearDown()).toEqual([]);
  });

  it('samples the topology during the run, fits a model and projects it', async () => {
    const dir = join(t.cwd, 'run');
    // A ramp, so that the windows differ in load (calibration needs variation).
    const run = await loadlab(['run', 'search-heavy', '--executor', 'ramping-arrival-rate', '--stages', '6s:2,8s:8,6s:8', '--max-vus', '200', '--out', dir], t.cwd);
    // 1 = a latency threshold failed on a busy machine: the run itself is complete, and that is what is calibrated.
    expect([0, 1], run.err + run.out).toContain(run.code);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status).toBe('complete');
    const resources = readFileSync(join(dir, 'resources.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(resources.some((r) => r.type === 'process' && r.role === 'replica' && r.cpuSeconds > 0)).toBe(true);
    expect(resources.some((r) => r.type === 'db' && r.node === 'db-1')).toBe(true);

    const cal = await loadlab(['calibrate', dir], t.cwd);
    expect(cal.code, cal.err).toBe(0);
    const model = Model.parse(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
    expect(model.classes.map((c) => c.name)).toContain('searchPatient');
    const chart = model.classes.find((c) => c.name === 'openChart')!;
    expect(chart.kind).toBe('read');
    const total = model.classes.reduce((s, c) => s + Object.values(c.demands).reduce((a, b) => a + b, 0), 0);
    expect(total).toBeGreaterThan(0);

    const sim = await loadlab(['simulate', '--model', join(dir, 'model.json'), '--users', '1..400:8', '--topology', 'replicas=4', '--slo', 'p95<1s', '--out', join(dir, 'projections.json')], t.cwd);
    expect(sim.code, sim.err).toBe(0);
    expect(sim.out).toMatch(/bottleneck: \w+/);
    const p = Projection.parse(JSON.parse(readFileSync(join(dir, 'projections.json'), 'utf8')));
    expect(p.points).toHaveLength(8);
    expect(p.topology.replicas).toBe(4);
    const smallest = await loadlab(['simulate', '--model', join(dir, 'model.json'), '--smallest', '--users', '50', '--slo', 'p95<5s'], t.cwd);
    expect(smallest.code, smallest.err).toBe(0);
    expect(smallest.out).toMatch(/smallest topology for 50 users within p95 < 5000 ms \(of \d+ candidates, by vCPUs\):\n  \d+ replica/);
    const noSlo = await loadlab(['simulate', '--model', join(dir, 'model.json'), '--smallest', '--users', '50'], t.cwd);
    expect(noSlo.code).toBe(2);
    expect(noSlo.err).toMatch(/--smallest needs --slo/);
    // Throughput never falls as users are added in a closed network.
    for (let i = 1; i < p.points.length; i++) expect(p.points[i]!.throughput.total).toBeGreaterThanOrEqual(p.points[i - 1]!.throughput.total * 0.999);

    // A held-out closed run, predicted on the machine it ran on (the goals are for the benchmark, not this test).
    const heldOut = join(t.cwd, 'held-out');
    const closed = await loadlab(['run', 'search-heavy', '--executor', 'constant-vus', '--vus', '8', '--duration', '12s', '--out', heldOut], t.cwd);
    expect([0, 1], closed.err + closed.out).toContain(closed.code);
    const v = await loadlab(['validate', '--model', join(dir, 'model.json'), '--skip', '4s', '--json', heldOut], t.cwd);
    expect([0, 1], v.err).toContain(v.code);
    const row = JSON.parse(v.out).rows[0];
    expect(row.load).toBe('8 users');
    expect(row.measured.throughput).toBeGreaterThan(0);
    // On a machine that ran slow for most of the short ramp, few windows are left to fit: say what was there.
    const why = JSON.stringify({ fit: model.fit, row });
    expect(row.predicted.throughput, why).toBeGreaterThanOrEqual(0);
    if (model.fit.windows >= 3) expect(row.predicted.throughput, why).toBeGreaterThan(0);
    expect(['app', 'host']).toContain(row.predicted.bottleneck);
    const self = await loadlab(['validate', '--model', join(dir, 'model.json'), dir], t.cwd);
    expect(self.code).toBe(2);
    expect(self.err).toMatch(/is the run the model was calibrated on/);
  }, 180_000);
});
