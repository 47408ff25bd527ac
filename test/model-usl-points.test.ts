import { describe, expect, it } from 'vitest';
import type { TimelineLine } from '../src/core/run.ts';
import { fitUsl, uslThroughput } from '../src/model/usl.ts';
import { defaultAxis, peakThroughput, perSecond, plateauPoints, replicaPoints, toUslPoints } from '../src/model/usl-points.ts';
import { burstTimeline, levelsTimeline, runMeta } from './usl-fixture.ts';

const run = (id: string, timeline: TimelineLine[], o: Parameters<typeof runMeta>[1] = {}) => ({ meta: runMeta(id, o), timeline });

describe('USL points by users (plateaus of active VUs)', () => {
  it('finds each held level and skips its transient and the change-over second', () => {
    const timeline = levelsTimeline([{ vus: 5, throughput: 50 }, { vus: 10, throughput: 90 }, { vus: 20, throughput: 150 }], 20, 3);
    const { points, warnings } = plateauPoints([run('ramp', timeline)]);
    expect(warnings).toEqual([]);
    expect(points.map((p) => p.n)).toEqual([5, 10, 20]);
    // The half-rate seconds 0–2 of each level are inside the 5 s skipped; the level's last second is dropped.
    expect(points.map((p) => p.throughput)).toEqual([50, 90, 150]);
    expect(points[0]).toMatchObject({ run: 'ramp', from: 5, to: 18 });
    expect(points[1]).toMatchObject({ from: 25, to: 38 });
  });

  it('counts the transient when told to skip less, and drops levels held too briefly', () => {
    const timeline = levelsTimeline([{ vus: 5, throughput: 50 }, { vus: 7, throughput: 60 }, { vus: 10, throughput: 90 }], 20, 3);
    const noSkip = plateauPoints([run('ramp', timeline)], { transientSeconds: 0 });
    expect(noSkip.points[0]!.throughput).toBeCloseTo((3 * 25 + 16 * 50) / 19, 9);
    // 20 s held: 5 settling + 14 measured + 1 change-over; asking for 15 measured seconds leaves nothing.
    const strict = plateauPoints([run('ramp', timeline)], { minSeconds: 15 });
    expect(strict.points).toEqual([]);
    expect(strict.warnings.join('\n')).toMatch(/no level of active VUs was held for 21 s or more/);
  });

  it('ignores a linear ramp between levels, and seconds whose VU sample was missed keep their level', () => {
    const timeline = [
      ...levelsTimeline([{ vus: 4, throughput: 40 }], 20, 0),
      ...levelsTimeline([5, 6, 7, 8, 9].map((v) => ({ vus: v, throughput: 10 * v })), 1, 0).map((l) => ({ ...l, t: l.t + 20 })),
      ...levelsTimeline([{ vus: 10, throughput: 100 }], 20, 0).map((l) => ({ ...l, t: l.t + 25 })),
    ];
    // The sampler missed second 30: its run line says 0 VUs though requests completed.
    const missed = timeline.map((l) => (l.type === 'run' && l.t === 30 ? { ...l, vus: 0 } : l));
    const { points } = plateauPoints([run('ramp', missed)]);
    expect(points.map((p) => [p.n, p.throughput, p.from, p.to])).toEqual([[4, 40, 5, 18], [10, 100, 30, 43]]);
  });

  it('merges a second written twice (a late sample) and fills silent seconds with zero', () => {
    const late: TimelineLine[] = [
      ...levelsTimeline([{ vus: 3, throughput: 10 }], 3, 0),
      { ...(levelsTimeline([{ vus: 3, throughput: 4 }], 1, 0)[0] as TimelineLine), t: 1 },
      { type: 'run', t: 1, vus: 0, vusAllocated: 0, iterations: 0, iterationsFailed: 0, dropped: 0, checksPassed: 0, checksFailed: 0, generatorCpu: 0 },
      { type: 'run', t: 5, vus: 3, vusAllocated: 3, iterations: 0, iterationsFailed: 0, dropped: 0, checksPassed: 0, checksFailed: 0, generatorCpu: 0 },
    ];
    expect(perSecond(late).map((s) => [s.t, s.vus, s.ok])).toEqual([[0, 3, 10], [1, 3, 14], [2, 3, 10], [3, 0, 0], [4, 0, 0], [5, 3, 0]]);
  });

  it('leaves failed requests out of X and says so', () => {
    const { points, warnings } = plateauPoints([run('r', levelsTimeline([{ vus: 8, throughput: 100 }], 20, 0, 0.1))]);
    expect(points[0]!.throughput).toBe(90);
    expect(warnings.join('\n')).toMatch(/r, 8 users: 10\.0% of requests failed/);
  });

  it('warns when a run used an arrival-rate executor, or the runs differ in scenario or topology', () => {
    const t = levelsTimeline([{ vus: 5, throughput: 50 }], 20, 0);
    const { warnings } = plateauPoints([
      run('a', t, { executor: 'constant-arrival-rate', replicas: 1 }),
      run('b', t, { scenario: 'hybrid', replicas: 2 }),
    ]);
    expect(warnings.join('\n')).toMatch(/a used constant-arrival-rate: its active VUs are an outcome/);
    expect(warnings.join('\n')).toMatch(/different scenarios \(search-heavy, hybrid\)/);
    expect(warnings.join('\n')).toMatch(/different topologies/);
  });

  it('gives points that recover λ, σ, κ from a ramp of 8 levels', () => {
    const truth = { lambda: 20, sigma: 0.05, kappa: 0.001 };
    const levels = [1, 2, 4, 8, 16, 24, 32, 48].map((vus) => ({ vus, throughput: uslThroughput(vus, truth.lambda, truth.sigma, truth.kappa) }));
    const fit = fitUsl(toUslPoints(plateauPoints([run('ramp', levelsTimeline(levels))]).points));
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.lambda).toBeCloseTo(truth.lambda, 1);
    expect(fit.sigma).toBeCloseTo(truth.sigma, 3);
    expect(fit.kappa).toBeCloseTo(truth.kappa, 4);
  });
});

describe('USL points by replicas (peak sustained throughput per run)', () => {
  it('takes the best 30 s moving average, not the best second', () => {
    const seconds = perSecond(burstTimeline(120, 100, { at: 50, len: 30, rate: 130 }));
    expect(peakThroughput(seconds, 30)).toEqual({ throughput: 130, from: 50, to: 79 });
    // A 5 s spike raises the best 30 s average by a sixth of its excess only.
    const spike = perSecond(burstTimeline(120, 100, { at: 50, len: 5, rate: 400 }));
    expect(peakThroughput(spike, 30)!.throughput).toBe(150);
  });

  it('gives one point per run, N from the topology (1 when none is recorded)', () => {
    const { points, warnings } = replicaPoints([
      run('one', burstTimeline(60, 100), { replicas: 1 }),
      run('three', burstTimeline(60, 250), { replicas: 3 }),
      run('remote', burstTimeline(60, 90)),
    ]);
    expect(points.map((p) => [p.run, p.n, p.throughput])).toEqual([['one', 1, 100], ['three', 3, 250], ['remote', 1, 90]]);
    expect(warnings).toEqual(['remote records no topology (a remote target); counted as 1 replica']);
  });

  it('warns about short runs, empty runs and mixed scenarios', () => {
    const { points, warnings } = replicaPoints([
      run('short', burstTimeline(12, 80), { replicas: 2 }),
      run('empty', [], { replicas: 4, scenario: 'hybrid' }),
    ]);
    expect(points).toHaveLength(1);
    expect(points[0]!.throughput).toBe(80);
    expect(warnings.join('\n')).toMatch(/different scenarios/);
    expect(warnings.join('\n')).toMatch(/short lasted 12 s, under the 30 s window/);
    expect(warnings.join('\n')).toMatch(/empty completed no requests/);
  });

  it('defaults to replicas only when the runs differ in replica count', () => {
    expect(defaultAxis([run('a', [], { replicas: 2 })])).toBe('users');
    expect(defaultAxis([run('a', [], { replicas: 2 }), run('b', [], { replicas: 2 })])).toBe('users');
    expect(defaultAxis([run('a', [], { replicas: 1 }), run('b', [], { replicas: 2 })])).toBe('replicas');
  });
});
