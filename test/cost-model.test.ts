import { describe, expect, it } from 'vitest';
import type { PriceBook } from '../src/core/cost.ts';
import type { Projection, TargetTopology } from '../src/core/model.ts';
import { appLines, bill, compareAuroraIo, galeraLines, pickInstanceType } from '../src/cost/bill.ts';
import { clinicTopology, layoutCost, layoutParts, parseLayout } from '../src/cost/layouts.ts';
import { averageFactor, CLINIC_DAY, FLAT, monthHours, peakEquivalentHours, profileFromJson } from '../src/cost/profile.ts';
import { acuFor, acuHours, albLcuHours, lcuDimensions, monthlyUsage, storageOverMonth, type MonthlyUsage } from '../src/cost/usage.ts';
import { clinicModel } from './model-fixture.ts';

const p = (usd: number, unit = 'Hrs') => ({ usd, unit, sku: 'TEST', usageType: 'test' });
/** us-east-1's public prices (reference/pricing.md), by hand. */
const book: PriceBook = {
  region: 'test-1', capturedAt: '2026-01-01', source: 'hand-made',
  prices: {
    'fargate.x86.vcpu-hour': p(0.04048, 'hours'), 'fargate.x86.gb-hour': p(0.004445, 'hours'),
    'fargate.arm.vcpu-hour': p(0.03238, 'hours'), 'fargate.arm.gb-hour': p(0.00356, 'hours'),
    'aurora.acu-hour': p(0.12), 'aurora.io-optimized.acu-hour': p(0.16),
    'aurora.storage.gb-month': p(0.1), 'aurora.io-optimized.storage.gb-month': p(0.225), 'aurora.io.request': p(0.0000002, 'IOs'),
    'aurora.instance-hour:db.r6g.large': p(0.26), 'aurora.io-optimized.instance-hour:db.r6g.large': p(0.338),
    'ebs.gp3.gb-month': p(0.08), 'ebs.gp3.iops-month': p(0.005), 'ebs.gp3.mbps-month': p(0.04),
    'efs.standard.gb-month': p(0.3), 'alb.hour': p(0.0225), 'alb.lcu-hour': p(0.008), 'nat.hour': p(0.045), 'nat.gb': p(0.045),
    'transfer.out.gb': p(0.09), 'ec2.instance-hour:m6i.large': p(0.096), 'ec2.instance-hour:m6i.xlarge': p(0.192),
  },
};
const DAYS = 730 / 24;

describe('the month and the daily profile', () => {
  it('has 730 hours, whatever the profile', () => {
    for (const prof of [FLAT, CLINIC_DAY]) expect(monthHours(prof).reduce((s, h) => s + h.hoursPerMonth, 0)).toBeCloseTo(730, 9);
    expect(peakEquivalentHours(FLAT)).toBeCloseTo(730, 9);
    expect(averageFactor(FLAT)).toBeCloseTo(1, 12);
  });

  it('clinic-day: a weekday of 9 peak hours, 3 at 0.4, 12 at 0.05; weekends at 0.15', () => {
    // Weekday sum 10.8; a month = 10.8 × days × (5/7 + 0.15 × 2/7).
    expect(peakEquivalentHours(CLINIC_DAY)).toBeCloseTo(10.8 * DAYS * (5.3 / 7), 9);
    expect(CLINIC_DAY.weekday[8]).toBe(1);
    expect(CLINIC_DAY.weekday[7]).toBe(0.4);
    expect(CLINIC_DAY.weekday[18]).toBe(0.4);
    expect(CLINIC_DAY.weekday[19]).toBe(0.05);
  });

  it('reads a profile file and rejects a wrong one', () => {
    const prof = profileFromJson({ weekday: Array(24).fill(0.5), weekend: 0 }, 'x.json');
    expect(peakEquivalentHours(prof)).toBeCloseTo(0.5 * 24 * DAYS * (5 / 7), 9);
    expect(() => profileFromJson({ weekday: [1, 2] }, 'x.json')).toThrow(/24 hourly factors/);
    expect(() => profileFromJson({ weekday: Array(24).fill(2) }, 'x.json')).toThrow(/from 0 to 1/);
  });
});

describe('app replicas', () => {
  const t: TargetTopology = { replicas: 3, vcpusApp: 2, db: { kind: 'single', vcpus: 2 } };
  it('Fargate: per task vCPU-hours and GB-hours over 730 hours', () => {
    const [cpu, mem] = appLines(book, t, { kind: 'fargate', arch: 'x86', memoryGbPerVcpu: 2 });
    expect(cpu!.quantity).toBe(3 * 2 * 730);
    expect(cpu!.monthlyUsd).toBeCloseTo(4380 * 0.04048, 9); // $177.30
    expect(mem!.quantity).toBe(3 * 4 * 730);
    expect(mem!.monthlyUsd).toBeCloseTo(8760 * 0.004445, 9); // $38.94
    const arm = appLines(book, t, { kind: 'fargate', arch: 'arm', memoryGbPerVcpu: 2 });
    expect(arm[0]!.monthlyUsd + arm[1]!.monthlyUsd).toBeCloseTo(4380 * 0.03238 + 8760 * 0.00356, 9);
  });

  it('EC2: one instance per replica, the smallest priced type with enough vCPUs; on-premise per node', () => {
    expect(pickInstanceType(book, 'ec2.instance-hour:', 'm6i', 3)).toBe('m6i.xlarge');
    const [ec2] = appLines(book, { ...t, vcpusApp: 4 }, { kind: 'ec2', family: 'm6i' });
    expect(ec2!.item).toContain('m6i.xlarge');
    expect(ec2!.monthlyUsd).toBeCloseTo(3 * 730 * 0.192, 9);
    expect(() => pickInstanceType(book, 'ec2.instance-hour:', 'm6i', 8)).toThrow(/no m6i type with 8 or more vCPUs in the test-1 price book/);
    expect(appLines(book, t, { kind: 'onprem', usdPerNodeMonth: 120 })[0]!.monthlyUsd).toBe(360);
  });
});

describe('ALB LCUs: the largest of four dimensions', () => {
  const base = { newConnectionsPerSecond: 0, activeConnections: 0, processedGbPerHour: 0, ruleEvaluationsPerSecond: 0 };
  it.each([
    ['newConnections', { newConnectionsPerSecond: 100, activeConnections: 3000, processedGbPerHour: 1, ruleEvaluationsPerSecond: 1000 }, 4],
    ['activeConnections', { ...base, newConnectionsPerSecond: 25, activeConnections: 30000, processedGbPerHour: 2 }, 10],
    ['processedBytes', { ...base, activeConnections: 6000, processedGbPerHour: 12 }, 12],
    ['ruleEvaluations', { ...base, processedGbPerHour: 3, ruleEvaluationsPerSecond: 50000 }, 50],
  ])('%s wins', (dimension, hour, lcu) => {
    const d = lcuDimensions(hour);
    expect(d.dimension).toBe(dimension);
    expect(d.lcu).toBeCloseTo(lcu, 12);
  });

  it('sums each hour of the profile at its own load', () => {
    // 6,000 users all day: active connections give 2 LCU every hour (new connections 6000/1800/25 = 0.13).
    const peak = { requestsPerSecond: 10, users: 6000, bytesPerRequest: 0, sessionSeconds: 1800, billableRulesPerRequest: 0 };
    expect(albLcuHours(peak, FLAT)).toBeCloseTo(2 * 730, 9);
    // On the clinic day every hour scales with the load: 2 × the peak-equivalent hours.
    expect(albLcuHours(peak, CLINIC_DAY)).toBeCloseTo(2 * peakEquivalentHours(CLINIC_DAY), 9);
  });
});

describe('Aurora Serverless v2 ACU-hours', () => {
  it('rounds up to 0.5-ACU steps with a 0.5 minimum and a 256 maximum (1 ACU ≈ 0.25 vCPU)', () => {
    expect(acuFor(0)).toBe(0.5);
    expect(acuFor(0.1)).toBe(0.5); // 0.4 ACU
    expect(acuFor(0.25)).toBe(1);
    expect(acuFor(0.3)).toBe(1.5); // 1.2 ACU
    expect(acuFor(100)).toBe(256);
  });

  it('prices each hour of the clinic day at its own capacity', () => {
    // Peak 1 busy vCPU. Weekday: 9 h × 4 ACU + 3 h × 2 ACU (0.4 vCPU = 1.6) + 12 h × 0.5 (0.05 vCPU = 0.2) = 48.
    // Weekend: 9 h × 1 (0.15 vCPU = 0.6) + 3 h × 0.5 (0.24) + 12 h × 0.5 = 16.5.
    expect(acuHours(1, CLINIC_DAY)).toBeCloseTo(DAYS * (48 * 5 + 16.5 * 2) / 7, 9);
    expect(acuHours(0, FLAT)).toBeCloseTo(0.5 * 730, 9);
  });
});

/** A month's usage by hand: one Aurora writer, 100 GB on average. */
const usage = (ioPerMonth: number | null): MonthlyUsage => ({
  peakRequestsPerSecond: 10, peakUsers: 100, requestsPerMonth: 0, encountersPerMonth: null, bytesOutPerMonth: 0,
  ioPerMonth, peakIoPerSecond: null, storage: storageOverMonth(100, 0), dbInstances: [{ role: 'writer', vcpus: 2, peakBusyVcpus: 0.5 }],
  lcuHours: 0, bytesPerRequest: 0,
});
const auroraBox: TargetTopology = { replicas: 1, vcpusApp: 2, db: { kind: 'aurora', vcpus: 2, readers: 0 } };

describe('Aurora Standard against I/O-Optimized', () => {
  // Standard without I/O: 730 × 0.26 + 100 × 0.10 = 199.80; I/O-Optimized: 730 × 0.338 + 100 × 0.225 = 269.24.
  const breakEven = (269.24 - 199.8) / 0.0000002; // 347.2 million I/Os
  it('finds the break-even', () => {
    const c = compareAuroraIo(book, usage(0), auroraBox, { kind: 'aurora' }, FLAT).summary;
    expect(c.standardUsd).toBeCloseTo(199.8, 9);
    expect(c.ioOptimizedUsd).toBeCloseTo(269.24, 9);
    expect(c.breakEvenIoPerMonth).toBeCloseTo(breakEven, 0);
  });

  it('keeps Standard at low I/O', () => {
    const b = bill(book, usage(100e6), auroraBox, { compute: { kind: 'onprem', usdPerNodeMonth: 0 }, db: { kind: 'aurora' }, io: 'auto', profile: FLAT, natGb: 0, natAzs: 1, efsGb: 0 });
    expect(b.auroraIo!.standardUsd).toBeCloseTo(219.8, 9);
    expect(b.auroraIo!.cheaper).toBe('standard');
    expect(b.lines.find((l) => l.component === 'io')!.monthlyUsd).toBeCloseTo(20, 9);
  });

  it('switches to I/O-Optimized at high I/O, with no I/O line', () => {
    const b = bill(book, usage(1e9), auroraBox, { compute: { kind: 'onprem', usdPerNodeMonth: 0 }, db: { kind: 'aurora' }, io: 'auto', profile: FLAT, natGb: 0, natAzs: 1, efsGb: 0 });
    expect(b.auroraIo!.standardUsd).toBeCloseTo(399.8, 9);
    expect(b.auroraIo!.cheaper).toBe('io-optimized');
    expect(b.lines.some((l) => l.component === 'io')).toBe(false);
    expect(b.lines.find((l) => l.item.startsWith('Aurora writer'))!.unitPriceUsd).toBe(0.338);
    // Forced Standard keeps the I/O line however large.
    const std = bill(book, usage(1e9), auroraBox, { compute: { kind: 'onprem', usdPerNodeMonth: 0 }, db: { kind: 'aurora' }, io: 'standard', profile: FLAT, natGb: 0, natAzs: 1, efsGb: 0 });
    expect(std.lines.find((l) => l.component === 'io')!.monthlyUsd).toBeCloseTo(200, 9);
  });

  it('prices Serverless ACU-hours under both configurations', () => {
    const c = compareAuroraIo(book, usage(0), auroraBox, { kind: 'aurora-serverless' }, FLAT);
    // 0.5 busy vCPU → 2 ACU all month.
    expect(c.standard[0]!.quantity).toBeCloseTo(2 * 730, 9);
    expect(c.optimized[0]!.monthlyUsd).toBeCloseTo(2 * 730 * 0.16, 9);
  });
});

describe('storage and I/O from the model', () => {
  it('grows by bytes written per write request × writes per month, billed on the average', () => {
    expect(storageOverMonth(10, 4)).toEqual({ startGb: 10, growthGb: 4, endGb: 14, averageGb: 12 });
    const model = clinicModel({
      database: {
        io: { recordVitals: { reads: 1, writes: 3, bytesWritten: 1024 }, searchPatient: { reads: 2, writes: 0, bytesWritten: 0 } },
        backgroundIoPerSecond: 0,
        warnings: [],
      },
    });
    const point = {
      users: 100, rate: null, throughput: { total: 10, perClass: { recordVitals: 2, searchPatient: 8 } },
      responseTimeMean: {}, p95: {}, utilisation: { 'db-cpu': 0.25 }, bottleneck: 'app', saturated: false, method: 'exact-mva' as const, ioPerSecond: null,
    };
    const projection = { topology: { replicas: 1, vcpusApp: 2, db: { kind: 'single', vcpus: 4 } }, stations: [{ name: 'db-cpu', role: 'db-cpu', kind: 'queue', servers: 4, copies: 1 }] } as unknown as Projection;
    const u = monthlyUsage(model, projection, point, { profile: FLAT, dataGb: 10, sessionSeconds: 1800, billableRulesPerRequest: 0 });
    const writes = 2 * 3600 * 730; // 5,256,000 recordVitals a month
    expect(u.encountersPerMonth).toBeCloseTo(writes, 6);
    expect(u.storage.growthGb).toBeCloseTo((writes * 1024) / 2 ** 30, 9);
    expect(u.storage.averageGb).toBeCloseTo(10 + (writes * 1024) / 2 ** 30 / 2, 9);
    // I/O: (1 + 3) per vitals × 2/s + 2 per search × 8/s = 24/s.
    expect(u.ioPerMonth).toBeCloseTo(24 * 3600 * 730, 3);
    expect(u.dbInstances).toEqual([{ role: 'writer', vcpus: 4, peakBusyVcpus: 1 }]);
    // Named classes replace the name pattern.
    expect(monthlyUsage(model, projection, point, { profile: FLAT, dataGb: 10, sessionSeconds: 1800, billableRulesPerRequest: 0, encounterClasses: ['registerPatient'] }).encountersPerMonth).toBe(0);
  });

  it('Galera: gp3 per node with headroom, extra IOPS only above 3,000 per node', () => {
    const g: TargetTopology = { replicas: 1, vcpusApp: 2, db: { kind: 'galera', nodes: 3, vcpus: 2 } };
    const u = { ...usage(0), storage: storageOverMonth(10, 10), peakIoPerSecond: 12000, dbInstances: Array(3).fill({ role: 'node', vcpus: 2, peakBusyVcpus: 0 }) };
    const lines = galeraLines(book, u, g, { kind: 'galera', family: 'm6i' });
    expect(lines[0]!.monthlyUsd).toBeCloseTo(3 * 730 * 0.096, 9);
    expect(lines[1]!.quantity).toBe(30 * 3); // 20 GB × 1.5 per node
    expect(lines[2]!.quantity).toBe(1000 * 3); // 4,000 IOPS per node, 1,000 above the free 3,000
    expect(galeraLines(book, { ...u, peakIoPerSecond: 9000 }, g, { kind: 'galera', family: 'm6i' })).toHaveLength(2);
  });
});

describe('layouts', () => {
  const regional: TargetTopology = { replicas: 4, vcpusApp: 2, db: { kind: 'aurora', vcpus: 4, readers: 1, readSplit: true } };
  it('splits the same total load', () => {
    expect(layoutParts(parseLayout('regional'), regional)).toEqual([{ label: 'regional deployment', copies: 1, loadShare: 1, topology: regional }]);
    const per = layoutParts(parseLayout('per-clinic:4'), regional);
    expect(per).toHaveLength(1);
    expect(per[0]!.copies * per[0]!.loadShare).toBe(1);
    expect(per[0]!.topology).toEqual(clinicTopology(regional));
    expect(clinicTopology(regional).db).toEqual({ kind: 'aurora', vcpus: 4, readers: 0 });
    const hybrid = layoutParts(parseLayout('hybrid:10:0.3'), regional);
    expect(hybrid.map((h) => [h.copies, h.loadShare])).toEqual([[1, 0.3], [7, 0.1]]);
    expect(hybrid.reduce((s, h) => s + h.copies * h.loadShare, 0)).toBeCloseTo(1, 12);
  });

  it('totals per-clinic against regional', () => {
    const per = layoutParts(parseLayout('per-clinic:4'), regional).map((x) => ({ ...x, monthlyUsdEach: 120, meetsSlo: true }));
    const reg = layoutParts(parseLayout('regional'), regional).map((x) => ({ ...x, monthlyUsdEach: 400, meetsSlo: true }));
    expect(layoutCost(parseLayout('per-clinic:4'), per, 10000).monthlyUsd).toBe(480);
    expect(layoutCost(parseLayout('per-clinic:4'), per, 10000).per1000EncountersUsd).toBe(48);
    expect(layoutCost(parseLayout('regional'), reg, 10000).monthlyUsd).toBe(400);
    const hy = layoutParts(parseLayout('hybrid:10:0.3'), regional).map((x, i) => ({ ...x, monthlyUsdEach: i === 0 ? 300 : 60, meetsSlo: i === 0 ? true : null }));
    const h = layoutCost(parseLayout('hybrid:10:0.3'), hy, null);
    expect(h.monthlyUsd).toBe(300 + 7 * 60);
    expect(h.meetsSlo).toBeNull();
    expect(h.per1000EncountersUsd).toBeNull();
  });

  it('rejects a malformed layout', () => {
    expect(() => parseLayout('per-clinic')).toThrow(/not a layout/);
    expect(() => parseLayout('hybrid:10:1.5')).toThrow(/strictly between 0 and 1/);
  });
});
