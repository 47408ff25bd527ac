import { describe, expect, it } from 'vitest';
import { Model, type TargetTopology } from '../src/core/model.ts';
import { project } from '../src/model/index.ts';
import { measure, validateRun, type HeldOutRun, type RunSecond } from '../src/model/validate.ts';
import { hostSpeed } from '../src/model/host-speed.ts';

const model = Model.parse({
  schema: 1,
  source: { runId: 'calibration', scenario: 'search-heavy' },
  stations: [
    { name: 'app', kind: 'queue', servers: 1, role: 'app', perReplica: true },
    { name: 'db', kind: 'queue', servers: 2, role: 'db-cpu' },
    { name: 'generator', kind: 'queue', servers: 1, role: 'generator' },
    { name: 'wait', kind: 'delay', servers: 1, role: 'network' },
  ],
  classes: [
    { name: 'search', kind: 'read', thinkTimeSeconds: 1, mixShare: 0.7, demands: { app: 0.004, db: 0.001, generator: 0.0005, wait: 0.003 } },
    { name: 'chart', kind: 'read', thinkTimeSeconds: 1, mixShare: 0.3, demands: { app: 0.008, db: 0.003, generator: 0.001, wait: 0.004 } },
  ],
  background: {},
  measured: { replicas: 1, dbKind: 'single', dbNodes: 1, vcpusApp: 2, vcpusDb: 2, hostVcpus: 2, appThreads: 1 },
  fit: { windows: 60, windowSeconds: 5, r2: {}, rmsResidual: {}, conditionNumber: 3, loadVariation: 1, warnings: [] },
  tail: { p95OverMean: { search: 2, chart: 2 } },
});
const topology: TargetTopology = { replicas: 1, vcpusApp: 2, sessions: 'sticky', db: { kind: 'single', vcpus: 2 }, host: { vcpus: 2 } };

/** A run that behaves exactly as the model says at `users`, scaled by `factor` (1 = the model is right). */
function syntheticRun(users: number, factor: number, seconds = 60): HeldOutRun {
  const p = project(model, topology, { users: [users] }).points[0]!;
  const rows: RunSecond[] = [];
  for (let t = 0; t < seconds; t++) {
    const steps: RunSecond['steps'] = {};
    let app = 0;
    let rest = 0;
    for (const c of model.classes) {
      const x = p.throughput.perClass[c.name]! * factor;
      steps[c.name] = { count: x, meanSeconds: p.responseTimeMean[c.name]! };
      app += x * c.demands.app!;
      rest += x * (c.demands.db! + c.demands.generator!);
    }
    rows.push({ t, vus: users, steps, cpu: [{ name: 'replica-1', role: 'replica', seconds: app }, { name: 'db-1', role: 'mariadb', seconds: rest }] });
  }
  return { id: `run-${users}`, executor: 'constant-vus', topology, appThreads: 1, seconds: rows };
}

describe('validation against held-out runs', () => {
  it('measures the steady part: skipped start, no last second, busiest replica over its threads', () => {
    const run = syntheticRun(50, 1);
    run.seconds[0]!.steps.search!.count = 10_000; // a burst in the skipped start must not count
    const m = measure(run, 10);
    expect(m.seconds).toBe(49);
    expect(m.users).toBe(50);
    const x = project(model, topology, { users: [50] }).points[0]!.throughput.total;
    expect(m.throughput).toBeCloseTo(x, 6);
    expect(m.utilisation.host).toBeGreaterThan(m.utilisation.app / 2);
  });

  it('a run that behaves as the model says validates with near-zero errors', () => {
    for (const users of [20, 100, 400]) {
      const row = validateRun(model, syntheticRun(users, 1), 5);
      expect(Math.abs(row.errors.throughput)).toBeLessThan(1e-6);
      expect(Math.abs(row.errors.meanResponseTime)).toBeLessThan(1e-6);
      expect(row.goals.throughput).toBe(true);
      expect(row.goals.bottleneck).toBe(true);
    }
  });

  it('a run that did 20% more than predicted fails the throughput goal, and the error has the right sign', () => {
    const row = validateRun(model, syntheticRun(100, 1.2), 5);
    expect(row.errors.throughput).toBeCloseTo(1 / 1.2 - 1, 6);
    expect(row.goals.throughput).toBe(false);
  });

  it('judges response time only below 85% utilisation', () => {
    const light = validateRun(model, syntheticRun(20, 1), 5);
    expect(light.goals.responseTime).toBe(true);
    const saturated = validateRun(model, syntheticRun(2000, 1), 5);
    expect(saturated.measured.utilisation.app).toBeGreaterThan(0.85);
    expect(saturated.goals.responseTime).toBeNull();
    expect(saturated.predicted.bottleneck).toBe('app');
  });
});

describe('the machine’s speed', () => {
  it('marks seconds whose unit of work cost over 1.5× the usual CPU', () => {
    const lines = Array.from({ length: 20 }, (_, t) => ({ type: 'host' as const, t, unitCpuMs: t >= 10 && t < 14 ? 10 : 1 + (t % 3) * 0.05, unitWallMs: 1 }));
    const s = hostSpeed(lines);
    expect(s.baselineMs).toBeCloseTo(1, 6);
    // 10–13 slow, with 2 s before and 5 s after: 8–18.
    expect([...s.slow].sort((a, b) => a - b)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(hostSpeed([]).baselineMs).toBeNull();
  });

  it('validation leaves the slow seconds out and counts them', () => {
    const run = syntheticRun(100, 1);
    for (const s of run.seconds) {
      if (s.t < 20 || s.t >= 30) continue;
      s.slow = true;
      s.steps.search!.meanSeconds *= 10;
    }
    const m = measure(run, 5);
    expect(m.slowSeconds).toBe(10);
    expect(m.seconds).toBe(44);
    expect(validateRun(model, run, 5).goals.responseTime).toBe(true);
  });

  it('a run slow throughout is measured on every second and flagged', () => {
    const run = syntheticRun(100, 1);
    for (const s of run.seconds) s.slow = true;
    const m = measure(run, 5);
    expect(m.allSlow).toBe(true);
    expect(m.seconds).toBe(54);
  });
});
