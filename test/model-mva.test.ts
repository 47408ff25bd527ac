import { describe, expect, it } from 'vitest';
import { exactLoadDependentMva, exactMultiClassMva, exactMva, type ExactStation } from '../src/model/mva-exact.ts';
import { schweitzerMva } from '../src/model/mva-approx.ts';
import type { Network, Station } from '../src/model/network.ts';

const queue = (demand: number, servers = 1): ExactStation => ({ kind: 'queue', demand, servers });
const station = (name: string, servers = 1, kind: Station['kind'] = 'queue'): Station => ({ name, role: 'app', kind, servers, copies: 1 });
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('exact single-class MVA', () => {
  // Jain, The Art of Computer Systems Performance Analysis (1991), Example 34.2 and Table 34.1:
  // D_cpu = 2, D_A = 3, D_B = 1 (seconds), Z = 4. By hand: N = 1: R = 6, X = 1/10; Q = (0.2, 0.3, 0.1).
  // N = 2: R = 2·1.2 + 3·1.3 + 1·1.1 = 7.4, X = 2/11.4 = 0.1754. Table: N = 3 R = 9.088 X = 0.229;
  // N = 5 R = 13.256 X = 0.290; N = 20 R = 56.016 X = 0.333 (disk A saturated, X → 1/3).
  const points = exactMva([queue(2), queue(3), queue(1)], 4, 20);
  it('reproduces Jain’s Table 34.1', () => {
    const table: [number, number, number, number[]][] = [
      [1, 6.0, 0.1, [0.2, 0.3, 0.1]],
      [2, 7.4, 0.175, [0.421, 0.684, 0.193]],
      [3, 9.088, 0.229, [0.651, 1.158, 0.273]],
      [4, 11.051, 0.266, [0.878, 1.721, 0.338]],
      [5, 13.256, 0.29, [1.088, 2.365, 0.388]],
      [20, 56.016, 0.333, [1.991, 16.177, 0.5]],
    ];
    for (const [n, R, X, Q] of table) {
      const p = points[n - 1]!;
      expect(p.users).toBe(n);
      expect(p.responseTime).toBeCloseTo(R, 2);
      expect(p.throughput).toBeCloseTo(X, 3);
      p.queue.forEach((q, k) => expect(q).toBeCloseTo(Q[k]!, 2));
    }
  });

  it('treats delay stations as pure delay', () => {
    const [p] = exactMva([queue(1), { kind: 'delay', demand: 5 }], 0, 1);
    expect(p!.responseTime).toBe(6);
    const at10 = exactMva([queue(1), { kind: 'delay', demand: 5 }], 0, 10).at(-1)!;
    expect(at10.residence[1]).toBe(5);
  });
});

describe('exact load-dependent MVA (multi-server stations)', () => {
  it('equals plain MVA when every station has one server', () => {
    const plain = exactMva([queue(2), queue(3), queue(1)], 4, 15);
    const ld = exactLoadDependentMva([queue(2), queue(3), queue(1)], 4, 15);
    ld.forEach((p, i) => expect(p.throughput).toBeCloseTo(plain[i]!.throughput, 12));
  });

  it('m servers: a lone request takes D, and throughput tends to m/D', () => {
    const pts = exactLoadDependentMva([queue(1, 4)], 0, 60);
    expect(pts[0]!.responseTime).toBeCloseTo(1, 12);
    expect(pts[3]!.responseTime).toBeCloseTo(1, 12); // 4 requests, 4 servers: nobody waits
    expect(pts.at(-1)!.throughput).toBeCloseTo(4, 9);
  });
});

describe('Seidmann’s approximation against exact load-dependent MVA', () => {
  // One m-server CPU (D = 1 s) and a single-server disk (D = 0.3 s), Z = 4m s. Seidmann replaces the CPU by a
  // queue with D/m and a delay with D(m−1)/m. It is exact at N = 1 and at saturation; in between it overstates
  // the response time (it makes requests queue behind each other's D/m slices while servers sit idle): measured
  // here by +9% (m = 2) and +8% (m = 4) at 40–65% CPU utilisation, throughput within 3%.
  for (const m of [2, 4]) {
    it(`m = ${m}: within 10% (R) and 3% (X) up to 80% utilisation`, () => {
      const Z = 4 * m;
      const exact = exactLoadDependentMva([queue(1, m), queue(0.3)], Z, 16 * m);
      const seidmann = exactMva([queue(1 / m), { kind: 'delay', demand: (m - 1) / m }, queue(0.3)], Z, 16 * m);
      let compared = 0;
      exact.forEach((e, i) => {
        const s = seidmann[i]!;
        if (e.throughput / m > 0.8) return;
        compared++;
        expect(s.responseTime).toBeGreaterThanOrEqual(e.responseTime - 1e-9); // pessimistic
        expect(relative(s.responseTime, e.responseTime)).toBeLessThan(0.1);
        expect(relative(s.throughput, e.throughput)).toBeLessThan(0.03);
      });
      expect(compared).toBeGreaterThan(5);
      // Both saturate at m/D.
      expect(relative(seidmann.at(-1)!.throughput, exact.at(-1)!.throughput)).toBeLessThan(0.01);
    });
  }

  it('the Schweitzer solver applies Seidmann itself (same answer as the hand-transformed network at N = 1)', () => {
    const net: Network = { stations: [station('cpu', 4), station('disk')], classes: [{ name: 'c', thinkTime: 16, demands: [1, 0.3] }] };
    const s = schweitzerMva(net, [1]);
    expect(s.responseTime[0]).toBeCloseTo(1.3, 9);
    const busy = schweitzerMva(net, [200]);
    expect(busy.throughput[0]).toBeCloseTo(3.33, 1); // the disk caps at 1/0.3 before the CPU's 4/1
    expect(busy.utilisation[1]).toBeGreaterThan(0.99);
  });
});

describe('Schweitzer/Bard approximate MVA against exact multi-class MVA', () => {
  // Two classes over three single-server stations. Measured: throughput within 3%, response time within 10%
  // (the approximation's usual accuracy; Schweitzer overstates R at small populations).
  const D = [
    [0.1, 0.05, 0.02],
    [0.02, 0.08, 0.04],
  ];
  const Z = [1, 0.5];
  const exactStations = [0, 1, 2].map((k) => ({ kind: 'queue' as const, demands: [D[0]![k]!, D[1]![k]!] }));
  const net: Network = {
    stations: [station('a'), station('b'), station('c')],
    classes: [0, 1].map((c) => ({ name: `c${c}`, thinkTime: Z[c]!, demands: D[c]! })),
  };
  for (const pop of [
    [1, 1],
    [3, 2],
    [5, 5],
    [10, 4],
    [20, 20],
  ]) {
    it(`N = (${pop.join(', ')})`, () => {
      const exact = exactMultiClassMva(exactStations, Z, pop);
      const approx = schweitzerMva(net, pop);
      expect(approx.converged).toBe(true);
      for (let c = 0; c < 2; c++) {
        expect(relative(approx.throughput[c]!, exact.throughput[c]!)).toBeLessThan(0.04);
        expect(relative(approx.responseTime[c]!, exact.responseTime[c]!)).toBeLessThan(0.12);
        // Little's law holds inside both solvers.
        expect(approx.throughput[c]! * (approx.responseTime[c]! + Z[c]!)).toBeCloseTo(pop[c]!, 5);
      }
    });
  }

  it('exact multi-class reduces to single-class MVA for one class', () => {
    const one = exactMultiClassMva([queue(2), queue(3), queue(1)].map((s) => ({ kind: s.kind, demands: [s.demand] })), [4], [5]);
    expect(one.responseTime[0]).toBeCloseTo(exactMva([queue(2), queue(3), queue(1)], 4, 5).at(-1)!.responseTime, 12);
  });

  it('copies share a station’s visits: N replicas of demand D/N each', () => {
    // One class, two identical single-server replicas (random routing) vs one station with copies = 2.
    const split: Network = { stations: [station('r1'), station('r2')], classes: [{ name: 'c', thinkTime: 1, demands: [0.05, 0.05] }] };
    const copies: Network = { stations: [{ ...station('r'), copies: 2 }], classes: [{ name: 'c', thinkTime: 1, demands: [0.1] }] };
    const a = schweitzerMva(split, [30]);
    const b = schweitzerMva(copies, [30]);
    expect(b.throughput[0]).toBeCloseTo(a.throughput[0]!, 6);
    expect(b.utilisation[0]).toBeCloseTo(a.utilisation[0]!, 6);
  });

  it('warm start reaches the same fixed point in fewer iterations', () => {
    const cold = schweitzerMva(net, [40, 40]);
    const warm = schweitzerMva(net, [41, 41], { initialQueue: cold.queuePerCopy.map((q) => (q * 41) / 40) });
    const again = schweitzerMva(net, [41, 41]);
    expect(warm.iterations).toBeLessThan(again.iterations);
    expect(warm.throughput[0]).toBeCloseTo(again.throughput[0]!, 4);
  });

  it('refuses populations too large for exact MVA', () => {
    expect(() => exactMultiClassMva(exactStations, Z, [3000, 3000])).toThrow(/approximate/);
  });
});
