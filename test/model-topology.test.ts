import { describe, expect, it } from 'vitest';
import { Model, type TargetTopology } from '../src/core/model.ts';
import { expectedMaxOfNormals, stickyHotShare } from '../src/model/imbalance.ts';
import { project } from '../src/model/solve.ts';
import { buildNetwork } from '../src/model/topology.ts';
import { clinicModel, oneBox, onlyClasses, seededRandom } from './model-fixture.ts';

const model = clinicModel();
const capacity = (m: Model, t: TargetTopology, users = 3000) => {
  const p = project(m, t, { users: [users] }, undefined, { forceApproximate: true });
  return { bound: p.bottleneck.maxThroughput, throughput: p.points[0]!.throughput.total, point: p.points[0]!, projection: p };
};

describe('sticky-session imbalance (balls into bins)', () => {
  it('expected maximum of N standard normals', () => {
    expect(expectedMaxOfNormals(1)).toBe(0);
    expect(expectedMaxOfNormals(2)).toBeCloseTo(1 / Math.sqrt(Math.PI), 5);
    expect(expectedMaxOfNormals(10)).toBeCloseTo(1.5388, 3); // tabulated value
  });

  it('one user fills one replica; many users spread evenly', () => {
    expect(stickyHotShare(1, 4)).toBe(1);
    expect(stickyHotShare(100, 1)).toBe(1);
    expect(stickyHotShare(2, 4)).toBeCloseTo(0.625, 1); // exact: E[max] = 1.25 of 2
    expect(stickyHotShare(100_000, 4)).toBeCloseTo(0.25, 2);
    expect(stickyHotShare(50, 2)).toBeGreaterThan(stickyHotShare(50, 3));
  });

  it('agrees with a simulation of random assignment within 5%', () => {
    const random = seededRandom(3);
    for (const [users, replicas] of [
      [20, 4],
      [60, 3],
      [200, 8],
    ] as const) {
      let sum = 0;
      const trials = 20_000;
      for (let t = 0; t < trials; t++) {
        const bins = new Array<number>(replicas).fill(0);
        for (let u = 0; u < users; u++) bins[Math.floor(random() * replicas)]!++;
        sum += Math.max(...bins);
      }
      expect(Math.abs(stickyHotShare(users, replicas) - sum / trials / users) / (sum / trials / users)).toBeLessThan(0.05);
    }
  });
});

describe('topology transforms', () => {
  it('the measured topology maps to itself, demands inflated only by background load', () => {
    const { network } = buildNetwork(model, oneBox, 100);
    expect(network.stations.map((s) => s.name)).toEqual(['lb', 'app', 'db-cpu', 'db-io', 'network']);
    const search = network.classes[0]!;
    expect(search.demands[1]).toBeCloseTo(0.012 / (1 - 0.05 / 2), 12); // U0 = 0.05 of 2 vCPUs
    expect(search.demands[2]).toBeCloseTo(0.008 / (1 - 0.02 / 4), 12);
    expect(search.demands[3]).toBe(0.001);
    expect(search.thinkTime).toBe(5);
  });

  it('more replicas never lower capacity when the app tier is the bottleneck', () => {
    expect(capacity(model, oneBox).projection.bottleneck.station).toBe('app');
    let previous = { bound: 0, throughput: 0 };
    for (let replicas = 1; replicas <= 8; replicas++) {
      const c = capacity(model, { ...oneBox, replicas });
      expect(c.bound).toBeGreaterThanOrEqual(previous.bound - 1e-9);
      expect(c.throughput).toBeGreaterThanOrEqual(previous.throughput * 0.999);
      previous = c;
    }
  });

  it('sticky sessions load the busiest replica more than shared sessions do', () => {
    const sticky = buildNetwork(model, { ...oneBox, replicas: 4 }, 40).network;
    expect(sticky.stations.map((s) => s.name)).toContain('app#hot');
    const demands = sticky.classes[0]!.demands;
    const app = (name: string) => demands[sticky.stations.findIndex((s) => s.name === name)]!;
    expect(app('app#hot') / (app('app#hot') + app('app#others'))).toBeCloseTo(stickyHotShare(40, 4), 12);
    const few = capacity(model, { ...oneBox, replicas: 4 }, 40).point;
    const shared = capacity(model, { ...oneBox, replicas: 4, sessions: 'shared' }, 40).point;
    expect(few.utilisation['app#hot']!).toBeGreaterThan(shared.utilisation.app!);
  });

  const writes = onlyClasses(model, ['recordVitals', 'registerPatient']);
  const manyApps = { replicas: 8, vcpusApp: 4 };
  it('Galera never raises write capacity over one database of the same size', () => {
    const single = capacity(writes, { ...manyApps, db: { kind: 'single', vcpus: 4 } });
    expect(single.projection.bottleneck.station).toMatch(/^db/);
    for (const nodes of [2, 3, 5]) {
      for (const writers of ['one', 'all'] as const) {
        const galera = capacity(writes, { ...manyApps, db: { kind: 'galera', nodes, vcpus: 4, writers } });
        expect(galera.bound).toBeLessThanOrEqual(single.bound + 1e-9);
        expect(galera.throughput).toBeLessThanOrEqual(single.throughput + 1e-9);
      }
    }
    const all = capacity(writes, { ...manyApps, db: { kind: 'galera', nodes: 3, vcpus: 4, writers: 'all' } });
    expect(all.projection.assumptions.join('\n')).toMatch(/abort \(error 1213\) and retry/);
    expect(all.projection.assumptions.join('\n')).toMatch(/Galera commit adds 1 ms/);
  });

  it('Galera spreads reads, so a read-heavy mix gains from more nodes; one writer keeps them on the primary', () => {
    const reads = onlyClasses(model, ['searchPatient', 'openChart']);
    const single = capacity(reads, { ...manyApps, db: { kind: 'single', vcpus: 1 } });
    const all = capacity(reads, { ...manyApps, db: { kind: 'galera', nodes: 3, vcpus: 1, writers: 'all' } });
    const one = capacity(reads, { ...manyApps, db: { kind: 'galera', nodes: 3, vcpus: 1, writers: 'one' } });
    expect(all.bound).toBeGreaterThan(single.bound * 1.5);
    expect(one.bound).toBeCloseTo(single.bound, 9);
  });

  it('Aurora read split raises read capacity; without it the readers sit idle', () => {
    const reads = onlyClasses(model, ['searchPatient', 'openChart']);
    const writer = capacity(reads, { ...manyApps, db: { kind: 'aurora', vcpus: 2, readers: 2 } });
    const split = capacity(reads, { ...manyApps, db: { kind: 'aurora', vcpus: 2, readers: 2, readSplit: true } });
    expect(split.bound).toBeGreaterThan(writer.bound * 1.2);
    expect(split.throughput).toBeGreaterThan(writer.throughput * 1.2);
    expect(writer.projection.stations.map((s) => s.name)).not.toContain('db-cpu:readers');
  });

  it('the OpenSearch what-if lowers DB utilisation for a search-heavy mix', () => {
    const search = onlyClasses(model, ['searchPatient', 'openChart']);
    const t: TargetTopology = { ...manyApps, db: { kind: 'single', vcpus: 4 } };
    const before = capacity(search, t, 400).point;
    const after = capacity(search, { ...t, search: { kind: 'opensearch', nodes: 2, vcpus: 2 } }, 400);
    expect(after.point.utilisation['db-cpu']!).toBeLessThan(before.utilisation['db-cpu']! * 0.75);
    expect(after.point.utilisation.opensearch!).toBeGreaterThan(0);
    expect(after.projection.assumptions.join('\n')).toMatch(/OpenSearch serves searchPatient/);
  });

  it('a model measured on Galera is normalised: writes executed once on one node', () => {
    const onGalera = Model.parse({ ...model, measured: { ...model.measured, dbKind: 'galera', dbNodes: 3 } });
    const single = buildNetwork(onGalera, oneBox, 10).network;
    const k = single.stations.findIndex((s) => s.name === 'db-cpu');
    const vitals = single.classes.find((c) => c.name === 'recordVitals')!;
    expect(vitals.demands[k]).toBeCloseTo(0.01 / 3 / (1 - 0.02 / 3 / 4), 12);
    const back = buildNetwork(onGalera, { ...oneBox, db: { kind: 'galera', nodes: 3, vcpus: 4, writers: 'all' } }, 10).network;
    const nodes = back.stations.findIndex((s) => s.name === 'db-cpu:nodes');
    expect(back.stations[nodes]!.copies).toBe(3);
  });
});
