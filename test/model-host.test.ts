import { describe, expect, it } from 'vitest';
import { Model, type TargetTopology } from '../src/core/model.ts';
import { buildNetwork, project } from '../src/model/index.ts';

/**
 * A model measured on one 2-core machine: a single-threaded replica (the reference target), the database and the
 * load generator all on the same cores.
 */
function localModel(app: number, db: number, generator: number, background: Record<string, number> = {}): Model {
  return Model.parse({
    schema: 1,
    source: { runId: 'local' },
    stations: [
      { name: 'app', kind: 'queue', servers: 1, role: 'app', perReplica: true },
      { name: 'db', kind: 'queue', servers: 2, role: 'db-cpu' },
      { name: 'generator', kind: 'queue', servers: 1, role: 'generator' },
      { name: 'wait', kind: 'delay', servers: 1, role: 'network' },
    ],
    classes: [{ name: 'search', kind: 'read', thinkTimeSeconds: 1, mixShare: 1, demands: { app, db, generator, wait: 0.002 } }],
    background,
    measured: { replicas: 1, dbKind: 'single', dbNodes: 1, vcpusApp: 2, vcpusDb: 2, hostVcpus: 2, appThreads: 1, sessions: 'shared' },
    fit: { windows: 100, windowSeconds: 5, r2: {}, rmsResidual: {}, conditionNumber: 1, loadVariation: 1, warnings: [] },
    tail: { p95OverMean: { search: 2 } },
  });
}

const onHost = (replicas: number): TargetTopology => ({ replicas, vcpusApp: 2, sessions: 'shared', db: { kind: 'single', vcpus: 2 }, host: { vcpus: 2 } });
const peak = (m: Model, t: TargetTopology) => project(m, t, { users: [5000] }).points[0]!;

describe('every process on one machine (topology host)', () => {
  it('keeps the replicas apart and puts the database and the generator on one host station', () => {
    const { network } = buildNetwork(localModel(0.006, 0.002, 0.001), onHost(2));
    expect(network.stations.map((s) => s.name)).toEqual(['app', 'wait', 'host']);
    expect(network.stations[0]).toMatchObject({ servers: 1, copies: 2 });
    expect(network.classes[0]!.demands[2]).toBeCloseTo(0.003, 9);
    expect(network.sharedHost).toMatchObject({ vcpus: 2, station: 2, appStations: [0] });
  });

  it('the generator is left out of a deployment that is not one machine', () => {
    const { network } = buildNetwork(localModel(0.006, 0.002, 0.001), { replicas: 1, vcpusApp: 4, db: { kind: 'single', vcpus: 4 } });
    expect(network.stations.map((s) => s.name)).not.toContain('generator');
  });

  it('one single-threaded replica caps throughput at 1/D_app before the cores run out', () => {
    // app 6 ms on one thread: ≤ 167/s; all CPU 9 ms on 2 cores: ≤ 222/s.
    const p = peak(localModel(0.006, 0.002, 0.001), onHost(1));
    expect(p.throughput.total).toBeGreaterThan(150);
    expect(p.throughput.total).toBeLessThanOrEqual(1 / 0.006 + 1e-6);
    expect(p.bottleneck).toBe('app');
  });

  it('a second replica on the same cores helps only until the cores run out', () => {
    const m = localModel(0.006, 0.002, 0.001);
    const two = peak(m, onHost(2));
    const four = peak(m, onHost(4));
    expect(two.throughput.total).toBeGreaterThan(peak(m, onHost(1)).throughput.total);
    // 2 cores / 9 ms of CPU per request.
    expect(two.throughput.total).toBeLessThanOrEqual((2 / 0.009) * 1.001);
    expect(four.throughput.total).toBeLessThanOrEqual((2 / 0.009) * 1.001);
    expect(two.bottleneck).toBe('host');
    expect(two.utilisation.host).toBeGreaterThan(0.9);
  });

  it('background load takes cores from the host', () => {
    const idle = peak(localModel(0.002, 0.006, 0.001), onHost(2));
    const busy = peak(localModel(0.002, 0.006, 0.001, { db: 0.5 }), onHost(2));
    expect(busy.throughput.total).toBeLessThan(idle.throughput.total * 0.85);
  });

  it('the open model agrees with the closed one on the shared capacity', () => {
    const m = localModel(0.006, 0.002, 0.001);
    const open = project(m, onHost(2), { rates: [100, 300] });
    expect(open.points[0]!.saturated).toBe(false);
    expect(open.points[1]!.saturated).toBe(true);
    expect(open.saturation.maxThroughput).toBeCloseTo(2 / 0.009, 3);
  });

  it('at light load a request takes its demands plus the fixed wait, wherever they run', () => {
    const p = project(localModel(0.006, 0.002, 0.001), onHost(2), { users: [1] }).points[0]!;
    expect(p.responseTimeMean.search!).toBeCloseTo(0.011, 3);
  });
});
