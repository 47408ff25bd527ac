import { describe, expect, it } from 'vitest';
import type { Network } from '../src/model/network.ts';
import { erlangB, erlangC, mmmResponseTime, solveOpen } from '../src/model/open.ts';

/** Textbook Erlang C with factorials and powers, usable for small m only. */
function erlangCByDefinition(m: number, a: number): number {
  let sum = 0;
  let term = 1; // a^i / i!
  for (let i = 0; i < m; i++) {
    sum += term;
    term *= a / (i + 1);
  }
  const top = term / (1 - a / m); // a^m / (m! (1 − ρ))
  return top / (sum + top);
}

describe('Erlang B and C', () => {
  it('known values', () => {
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12); // a/(1+a)
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12); // (1/2) / (1 + 1 + 1/2)
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12); // m = 2, a = 1
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12); // one server: P_wait = ρ
    expect(erlangC(4, 4)).toBe(1);
    expect(erlangC(3, 0)).toBe(0);
  });

  it('matches the factorial formula for small m', () => {
    for (const [m, a] of [
      [2, 1.5],
      [5, 3],
      [10, 8],
      [20, 19],
    ] as const) {
      expect(erlangC(m, a)).toBeCloseTo(erlangCByDefinition(m, a), 10);
    }
  });

  it('stays finite and sensible for thousands of servers (no factorials)', () => {
    const p = erlangC(2000, 1950);
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    // More servers at the same utilisation wait less (economy of scale).
    expect(erlangC(200, 180)).toBeLessThan(erlangC(20, 18));
  });

  it('M/M/m response time: M/M/1 gives S/(1 − ρ)', () => {
    expect(mmmResponseTime(1, 0.01, 0.5)).toBeCloseTo(0.02, 12);
    expect(mmmResponseTime(2, 1, 1)).toBeCloseTo(1 + (1 / 3) * (1 / (2 * 0.5)), 12);
    expect(mmmResponseTime(2, 1, 2)).toBe(Infinity);
  });
});

describe('open multi-class network', () => {
  const net: Network = {
    stations: [
      { name: 'app', role: 'app', kind: 'queue', servers: 1, copies: 1 },
      { name: 'db', role: 'db-cpu', kind: 'queue', servers: 2, copies: 1 },
      { name: 'wan', role: 'network', kind: 'delay', servers: 1, copies: 1 },
    ],
    classes: [
      { name: 'read', thinkTime: 0, demands: [0.01, 0.02, 0.05] },
      { name: 'write', thinkTime: 0, demands: [0.02, 0.05, 0.05] },
    ],
  };

  it('U_k = Σ λ_c D_{c,k}; one server: R = D/(1 − U); m servers: Erlang C', () => {
    const s = solveOpen(net, [20, 10]);
    expect(s.busyServers[0]).toBeCloseTo(0.4, 12);
    expect(s.busyServers[1]).toBeCloseTo(0.9, 12);
    expect(s.utilisation[1]).toBeCloseTo(0.45, 12);
    expect(s.residence[0]![0]).toBeCloseTo(0.01 / 0.6, 12);
    const stretch = 1 + erlangC(2, 0.9) / (2 * (1 - 0.45));
    expect(s.residence[1]![1]).toBeCloseTo(0.05 * stretch, 12);
    expect(s.residence[0]![2]).toBe(0.05);
    expect(s.saturated).toBe(false);
  });

  it('reports saturation when U ≥ m', () => {
    const s = solveOpen(net, [10, 40]); // app: 0.9 of 1; db: 0.2 + 2.0 = 2.2 busy servers of 2
    expect(s.saturated).toBe(true);
    expect(s.saturatedStations).toEqual(['db']);
    expect(s.responseTime[0]).toBe(Infinity);
  });

  it('copies split the arrivals', () => {
    const two: Network = { ...net, stations: net.stations.map((st, k) => (k === 0 ? { ...st, copies: 2 } : st)) };
    const s = solveOpen(two, [40, 20]);
    expect(s.busyServers[0]).toBeCloseTo(0.4, 12); // (40·0.01 + 20·0.02) / 2
    expect(s.residence[0]![0]).toBeCloseTo(0.01 / 0.6, 12);
  });
});
