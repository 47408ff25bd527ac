import { describe, expect, it } from 'vitest';
import { Model, Projection, type TargetTopology } from '../src/core/model.ts';
import { asymptoticBounds } from '../src/model/laws.ts';
import { exactLoadDependentMva, exactMva } from '../src/model/mva-exact.ts';
import { P95_METHOD, project, smallestTopology } from '../src/model/solve.ts';
import { clinicModel, oneBox, onlyClasses } from './model-fixture.ts';

const model = clinicModel();
const users = [1, 10, 50, 100, 200, 400, 600, 800, 1000, 1500, 2000];

describe('project (closed load)', () => {
  const p = project(model, oneBox, { users }, { p95Seconds: 0.5 });

  it('writes a projection that validates against the schema', () => {
    expect(() => Projection.parse(p)).not.toThrow();
    expect(p.points).toHaveLength(users.length);
    expect(p.p95Method).toBe(P95_METHOD);
    expect(p.multiServer).toMatch(/Seidmann/);
    expect(p.description).toBe('1 replica × 2 vCPU (sticky sessions), one DB × 4 vCPU');
  });

  it('throughput rises to the bottleneck’s bound and stays within the asymptotic bounds', () => {
    const D = model.stations.map((s) => ({
      name: s.name,
      demand: model.classes.reduce((sum, c) => sum + c.mixShare * (c.demands[s.name] ?? 0), 0) / (s.name === 'app' ? 1 - 0.05 / 2 : 1),
      servers: s.servers,
      delay: s.kind === 'delay',
    }));
    for (let i = 1; i < p.points.length; i++) expect(p.points[i]!.throughput.total).toBeGreaterThan(p.points[i - 1]!.throughput.total * 0.98);
    expect(p.bottleneck.station).toBe('app');
    expect(p.saturation.maxThroughput).toBeCloseTo(1 / (0.0168 / (1 - 0.025) / 2), 6); // Σ mix·D_app = 0.0168 s on 2 vCPUs
    const last = p.points.at(-1)!;
    expect(last.throughput.total).toBeLessThanOrEqual(asymptoticBounds(D, 8, 2000).throughputUpper * 1.02);
    expect(last.utilisation.app).toBeGreaterThan(0.99);
    expect(last.bottleneck).toBe('app');
    expect(p.saturation.kneeUsers).toBeGreaterThan(500);
    expect(p.saturation.plateauAt).toBeGreaterThan(p.saturation.kneeUsers! * 0.8);
  });

  it('p95 is the mean times the measured tail ratio', () => {
    const pt = p.points[3]!;
    for (const c of model.classes) expect(pt.p95[c.name]).toBeCloseTo(pt.responseTimeMean[c.name]! * model.tail.p95OverMean[c.name]!, 12);
  });

  it('users within the SLO: the last passing population, found by bisection between grid points', () => {
    expect(p.slo?.bound).toBe('within-grid');
    const n = p.slo!.withinSlo!;
    const worst = (u: number) => Math.max(...Object.values(project(model, oneBox, { users: [u] }).points[0]!.p95).map((v) => v!));
    expect(worst(n)).toBeLessThanOrEqual(0.5);
    expect(worst(n + 1)).toBeGreaterThan(0.5);
  });

  it('reports an SLO still met at the largest load, and one never met', () => {
    expect(project(model, oneBox, { users: [10, 20] }, { p95Seconds: 5 }).slo).toMatchObject({ bound: 'beyond-grid', withinSlo: 20 });
    expect(project(model, oneBox, { users: [10, 20] }, { p95Seconds: 0.001 }).slo).toMatchObject({ bound: 'never', withinSlo: null });
  });

  it('solves one class exactly (load-dependent MVA for the 2-vCPU app), matching the exact solver', () => {
    const one = onlyClasses(model, ['openChart']);
    const single = project(one, oneBox, { users: [1, 50, 150] });
    expect(single.points.map((pt) => pt.method)).toEqual(['exact-load-dependent-mva', 'exact-load-dependent-mva', 'exact-load-dependent-mva']);
    const stations = [
      { kind: 'delay' as const, demand: 0.0002 },
      { kind: 'queue' as const, demand: 0.02 / (1 - 0.025), servers: 2 },
      { kind: 'queue' as const, demand: 0.006 / (1 - 0.005), servers: 4 },
      { kind: 'queue' as const, demand: 0.002, servers: 2 },
      { kind: 'delay' as const, demand: 0.002 },
    ];
    expect(single.points[2]!.throughput.total).toBeCloseTo(exactLoadDependentMva(stations, 8, 150).at(-1)!.throughput, 9);
    // Single-server stations only: plain exact MVA.
    const flat = Model.parse({ ...one, stations: one.stations.map((s) => ({ ...s, servers: 1 })) });
    const plain = project(flat, { ...oneBox, vcpusApp: 1, db: { kind: 'single', vcpus: 1 } }, { users: [30] });
    expect(plain.points[0]!.method).toBe('exact-mva');
    const flatStations = stations.map((s) => ({ kind: s.kind, demand: s.demand }));
    flatStations[1]!.demand = 0.02 / (1 - 0.05);
    flatStations[2]!.demand = 0.006 / (1 - 0.02);
    expect(plain.points[0]!.throughput.total).toBeCloseTo(exactMva(flatStations, 8, 30).at(-1)!.throughput, 9);
  });

  it('the approximate and exact paths agree on a single class within a few percent', () => {
    const one = onlyClasses(model, ['openChart']);
    const exact = project(one, oneBox, { users: [40, 120, 180] });
    const approx = project(one, oneBox, { users: [40, 120, 180] }, undefined, { forceApproximate: true });
    exact.points.forEach((pt, i) => {
      const a = approx.points[i]!;
      expect(Math.abs(a.throughput.total - pt.throughput.total) / pt.throughput.total).toBeLessThan(0.03);
      expect(Math.abs(a.responseTimeMean.openChart! - pt.responseTimeMean.openChart!) / pt.responseTimeMean.openChart!).toBeLessThan(0.25);
    });
  });

  it('warm and cold starts give the same projection', () => {
    const warm = project(model, oneBox, { users });
    const cold = project(model, oneBox, { users }, undefined, { warmStart: false });
    // Both stop when a step changes no queue by more than 1e-6 of its population; near the knee the fixed point
    // is approached slowly, so the two land up to ~1e-5 apart.
    warm.points.forEach((pt, i) => expect(Math.abs(pt.throughput.total / cold.points[i]!.throughput.total - 1)).toBeLessThan(1e-4));
  });
});

describe('project (open load)', () => {
  const p = project(model, oneBox, { rates: [10, 50, 100, 200] }, { p95Seconds: 0.5 });
  it('Erlang C below saturation, saturated above X_max, rate within the SLO', () => {
    expect(() => Projection.parse(p)).not.toThrow();
    expect(p.load).toBe('open');
    expect(p.points[0]!.method).toBe('open-erlang-c');
    expect(p.points[0]!.throughput.total).toBeCloseTo(10, 9);
    expect(p.points[3]!.saturated).toBe(true);
    expect(p.points[3]!.responseTimeMean.searchPatient).toBeNull();
    expect(p.points[3]!.throughput.total).toBeCloseTo(p.saturation.maxThroughput, 6);
    expect(p.slo!.withinSlo!).toBeGreaterThan(50);
    expect(p.slo!.withinSlo!).toBeLessThan(p.saturation.maxThroughput);
  });
});

describe('smallestTopology', () => {
  const candidates: TargetTopology[] = [
    { replicas: 4, vcpusApp: 2, db: { kind: 'single', vcpus: 4 } },
    oneBox,
    { replicas: 2, vcpusApp: 2, db: { kind: 'single', vcpus: 4 } },
    { replicas: 3, vcpusApp: 2, db: { kind: 'galera', nodes: 3, vcpus: 4 } },
  ];
  it('picks the fewest vCPUs that meet the SLO at the target load', () => {
    const { chosen, evaluated } = smallestTopology(model, candidates, { users: 1500 }, { p95Seconds: 0.5 });
    expect(evaluated.map((v) => v.vcpus)).toEqual([6, 8, 12, 18]);
    expect(evaluated[0]!.meetsSlo).toBe(false); // one box saturates at ~1000 users
    expect(chosen?.topology.replicas).toBe(2);
    expect(chosen!.worstP95!).toBeLessThanOrEqual(0.5);
  });
  it('returns null when nothing meets it', () => {
    expect(smallestTopology(model, [oneBox], { rate: 500 }, { p95Seconds: 0.5 }).chosen).toBeNull();
  });
});
