import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CostEstimate } from '../src/core/cost.ts';
import { clinicModel } from './model-fixture.ts';

const BIN = fileURLToPath(new URL('../bin/loadlab.js', import.meta.url));
const US_EAST_1 = fileURLToPath(new URL('../fixtures/pricing/us-east-1.json', import.meta.url));

function loadlab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'loadlab-cost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A small clinic model with measured I/O and response sizes; recordVitals and registerPatient are encounters.
const model = clinicModel({
  classes: clinicModel().classes.map((c) => ({ ...c, bytesPerRequest: 20_000 })),
  database: {
    io: {
      searchPatient: { reads: 4, writes: 0, bytesWritten: 0 },
      openChart: { reads: 8, writes: 0, bytesWritten: 0 },
      recordVitals: { reads: 2, writes: 6, bytesWritten: 16_384 },
      registerPatient: { reads: 3, writes: 10, bytesWritten: 32_768 },
    },
    backgroundIoPerSecond: 0,
    warnings: [],
  },
});
const modelFile = join(dir, 'model.json');
writeFileSync(modelFile, JSON.stringify(model));

const price = (usd: number) => ({ usd, unit: 'u', sku: 'HAND', usageType: 'hand' });
const pricesFile = join(dir, 'prices.json');
writeFileSync(pricesFile, JSON.stringify({
  region: 'hand-1', capturedAt: '2026-01-01', source: 'written by the test',
  prices: {
    'fargate.x86.vcpu-hour': price(0.04), 'fargate.x86.gb-hour': price(0.004), 'aurora.acu-hour': price(0.12), 'aurora.io-optimized.acu-hour': price(0.16),
    'aurora.storage.gb-month': price(0.1), 'aurora.io-optimized.storage.gb-month': price(0.225), 'aurora.io.request': price(0.0000002),
    'aurora.instance-hour:db.r6g.xlarge': price(0.5), 'aurora.io-optimized.instance-hour:db.r6g.xlarge': price(0.65),
    'efs.standard.gb-month': price(0.3), 'alb.hour': price(0.0225), 'alb.lcu-hour': price(0.008), 'nat.hour': price(0.045), 'nat.gb': price(0.045),
    'transfer.out.gb': price(0.09),
  },
}));

describe('loadlab cost', () => {
  it('prices a month from a model and a hand-made price book', async () => {
    const out = join(dir, 'cost.json');
    const r = await loadlab(['cost', '--model', modelFile, '--users', '200', '--prices', pricesFile, '--json', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const e = CostEstimate.parse(JSON.parse(r.stdout));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(r.stdout));
    expect(e.region).toBe('hand-1');
    expect(e.monthlyUsd).toBeCloseTo(e.lines.reduce((s, l) => s + l.monthlyUsd, 0), 6);
    // The measured topology: 1 replica × 2 vCPU on Fargate, 2 GB per vCPU; DB 4 vCPU → db.r6g.xlarge.
    expect(e.lines.find((l) => l.item.includes('vCPU') && l.component === 'app')!.monthlyUsd).toBeCloseTo(2 * 730 * 0.04, 9);
    expect(e.lines.some((l) => l.item.includes('db.r6g.xlarge'))).toBe(true);
    expect(e.load.encountersPerMonth).toBeGreaterThan(0);
    expect(e.per1000EncountersUsd).toBeCloseTo((e.monthlyUsd / e.load.encountersPerMonth) * 1000, 9);
    expect(e.auroraIo!.breakEvenIoPerMonth).toBeGreaterThan(0);
    expect(e.meetsSlo).toBeNull();
    expect(e.assumptions.some((a) => a.includes('0.25 vCPU')) || e.assumptions.some((a) => a.includes('730 hours'))).toBe(true);
  });

  it('prints the table, the I/O comparison and the SLO verdict', async () => {
    const r = await loadlab(['cost', '--model', modelFile, '--users', '200', '--prices', pricesFile, '--db', 'aurora-serverless', '--slo', 'p95<2s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Aurora Serverless v2 writer/);
    expect(r.stdout).toMatch(/total: \$[\d,.]+ a month; \$[\d,.]+ per 1,000 encounters/);
    expect(r.stdout).toMatch(/Aurora Standard \$[\d,.]+ vs I\/O-Optimized/);
    expect(r.stdout).toMatch(/SLO p95 < 2,000 ms at the peak: met/);
    expect(r.stdout).toMatch(/assumptions:\n {2}- a month is 730 hours/);
  });

  it.skipIf(!existsSync(US_EAST_1))('compares layouts on the us-east-1 snapshot', async () => {
    const r = await loadlab(['cost', '--model', modelFile, '--users', '400', '--region', 'us-east-1', '--topology', 'replicas=2,db=aurora:1,readsplit,dbvcpus=2', '--layout', 'compare:4:0.5', '--json']);
    expect(r.stderr).toBe('');
    const e = CostEstimate.parse(JSON.parse(r.stdout));
    expect(e.lines.find((l) => l.item.includes('Fargate x86') && l.unit === 'vCPU-hours')!.unitPriceUsd).toBe(0.04048);
    expect(e.layouts!.map((l) => l.layout)).toEqual(['regional', 'per-clinic:4', 'hybrid:4:0.5']);
    const [regional, perClinic, hybrid] = e.layouts!;
    expect(regional!.monthlyUsd).toBeCloseTo(e.monthlyUsd, 6);
    expect(perClinic!.parts[0]!.copies).toBe(4);
    expect(perClinic!.monthlyUsd).toBeCloseTo(4 * perClinic!.parts[0]!.monthlyUsdEach, 6);
    expect(hybrid!.parts.map((p) => p.copies)).toEqual([1, 2]);
    // Four copies of the fixed costs (DB instance, ALB, NAT) cost more than one shared deployment.
    expect(perClinic!.monthlyUsd).toBeGreaterThan(regional!.monthlyUsd);
  });

  it.each([
    [['--compute', 'lambda'], /--compute: 'lambda' is not a compute choice/],
    [['--db', 'dynamo'], /--db: 'dynamo' is not a database choice/],
    [['--db', 'galera:m6i.large'], /does not fit the topology's single database/],
    [['--layout', 'per-clinic:x'], /--layout: 'per-clinic:x' is not a layout/],
    [['--profile', 'night-shift'], /--profile night-shift/],
    [['--cheapest'], /--cheapest needs --slo/],
    [['--region', 'mars-1'], /no price snapshot for region 'mars-1'/],
  ])('%j exits 2 with a clear message', async (extra, message) => {
    const r = await loadlab(['cost', '--model', modelFile, '--users', '100', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('needs exactly one of --users and --rate', async () => {
    const r = await loadlab(['cost', '--model', modelFile, '--prices', pricesFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/one of --users N or --rate R/);
  });
});
