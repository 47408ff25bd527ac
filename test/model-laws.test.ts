import { describe, expect, it } from 'vitest';
import {
  asymptoticBounds,
  bottleneck,
  demandFromUtilisation,
  interactiveResponseTime,
  kneeUsers,
  littlePopulation,
  utilisation,
} from '../src/model/laws.ts';
import { exactMva } from '../src/model/mva-exact.ts';

// Jain, The Art of Computer Systems Performance Analysis (1991), Example 34.2: a timesharing system with
// CPU D = 16 × 0.125 = 2 s, disk A D = 10 × 0.3 = 3 s, disk B D = 5 × 0.2 = 1 s, think time Z = 4 s.
const jain = [
  { name: 'cpu', demand: 2 },
  { name: 'diskA', demand: 3 },
  { name: 'diskB', demand: 1 },
];

describe('operational laws', () => {
  it('utilisation and Little’s law, by hand', () => {
    expect(utilisation(0.175, 3)).toBeCloseTo(0.525, 12); // disk A at N = 2 in Jain's Table 34.1
    expect(demandFromUtilisation(0.525, 0.175)).toBeCloseTo(3, 12);
    expect(littlePopulation(0.1, 6, 4)).toBeCloseTo(1, 12); // N = 1: X = 0.1, R = 6
    expect(interactiveResponseTime(2, 2 / 11.4, 4)).toBeCloseTo(7.4, 12);
    expect(() => demandFromUtilisation(0.5, 0)).toThrow(RangeError);
  });

  it('bounds: bottleneck disk A, X ≤ 1/3, knee N* = (6 + 4)/3', () => {
    expect(bottleneck(jain)).toEqual({ name: 'diskA', demandPerServer: 3 });
    expect(kneeUsers(jain, 4)).toBeCloseTo(10 / 3, 12);
    expect(asymptoticBounds(jain, 4, 1)).toEqual({ throughputUpper: 0.1, responseTimeLower: 6 });
    const at20 = asymptoticBounds(jain, 4, 20);
    expect(at20.throughputUpper).toBeCloseTo(1 / 3, 12);
    expect(at20.responseTimeLower).toBeCloseTo(20 * 3 - 4, 12);
  });

  it('servers divide the demand and delay stations never bottleneck', () => {
    const stations = [
      { name: 'app', demand: 0.04, servers: 4 },
      { name: 'db', demand: 0.02, servers: 1 },
      { name: 'wan', demand: 0.5, delay: true },
    ];
    expect(bottleneck(stations)).toEqual({ name: 'db', demandPerServer: 0.02 });
    expect(asymptoticBounds(stations, 1, 1000).throughputUpper).toBeCloseTo(50, 9);
  });

  it('exact MVA results obey the bounds and the laws at every population', () => {
    const points = exactMva(jain.map((s) => ({ kind: 'queue' as const, demand: s.demand })), 4, 40);
    for (const p of points) {
      const b = asymptoticBounds(jain, 4, p.users);
      expect(p.throughput).toBeLessThanOrEqual(b.throughputUpper + 1e-12);
      expect(p.responseTime).toBeGreaterThanOrEqual(b.responseTimeLower - 1e-9);
      expect(littlePopulation(p.throughput, p.responseTime, 4)).toBeCloseTo(p.users, 9);
      // Little's law at each station: Q_k = X R_k; the queues add up to the users not thinking.
      expect(p.queue.reduce((a, b) => a + b, 0)).toBeCloseTo(p.users - p.throughput * 4, 9);
    }
  });
});
