import type { CostLine, PriceBook, PriceKey } from '../core/cost.ts';
import { UsageError } from '../core/errors.ts';
import type { TargetTopology } from '../core/model.ts';
import { price } from './price-book.ts';
import { HOURS_PER_MONTH, type DailyProfile } from './profile.ts';
import { acuHours, BYTES_PER_GB, type MonthlyUsage } from './usage.ts';

/** What runs the app replicas and the database: the user's choices, priced from one region's price book. */
export type ComputeChoice =
  | { kind: 'fargate'; arch: 'x86' | 'arm'; memoryGbPerVcpu: number }
  /** `type` set: that instance type for every replica; else the smallest of `family` with enough vCPUs. */
  | { kind: 'ec2'; family: string; type?: string }
  | { kind: 'onprem'; usdPerNodeMonth: number };
export type DbChoice = { kind: 'aurora'; instanceClass?: string } | { kind: 'aurora-serverless' } | { kind: 'galera'; family: string; type?: string };
export type IoChoice = 'standard' | 'io-optimized' | 'auto';

export interface BillOptions {
  compute: ComputeChoice;
  db: DbChoice;
  io: IoChoice;
  profile: DailyProfile;
  natGb: number;
  natAzs: number;
  efsGb: number;
}

/** vCPUs by instance size, the same for m6i, r6g, db.r6g, db.r7g … */
const SIZE_VCPUS: Record<string, number> = { large: 2, xlarge: 4, '2xlarge': 8, '4xlarge': 16, '8xlarge': 32, '12xlarge': 48, '16xlarge': 64, '24xlarge': 96 };

/** The smallest type of `family` with at least `vcpus` that the price book prices. */
export function pickInstanceType(book: PriceBook, keyPrefix: 'ec2.instance-hour:' | 'aurora.instance-hour:', family: string, vcpus: number): string {
  for (const [size, n] of Object.entries(SIZE_VCPUS)) {
    if (n >= vcpus && book.prices[`${keyPrefix}${family}.${size}`]) return `${family}.${size}`;
  }
  const known = Object.keys(book.prices).filter((k) => k.startsWith(`${keyPrefix}${family}.`)).map((k) => k.slice(keyPrefix.length));
  throw new UsageError(
    `no ${family} type with ${vcpus} or more vCPUs in the ${book.region} price book (it has ${known.join(', ') || 'none of that family'}); choose another type or fewer vCPUs`,
    `prices: ${book.region} snapshot of ${book.capturedAt}`,
  );
}

const line = (component: CostLine['component'], item: string, quantity: number, unit: string, unitPriceUsd: number, note?: string): CostLine => ({
  component, item, quantity, unit, unitPriceUsd, monthlyUsd: quantity * unitPriceUsd, ...(note ? { note } : {}),
});
const priced = (book: PriceBook, component: CostLine['component'], item: string, quantity: number, unit: string, key: PriceKey, note?: string) =>
  line(component, item, quantity, unit, price(book, key).usd, note);

export function appLines(book: PriceBook, t: TargetTopology, c: ComputeChoice): CostLine[] {
  const n = t.replicas;
  if (c.kind === 'fargate') {
    const gb = t.vcpusApp * c.memoryGbPerVcpu;
    const what = `Fargate ${c.arch === 'arm' ? 'ARM' : 'x86'}, ${n} task${n > 1 ? 's' : ''} × ${t.vcpusApp} vCPU`;
    return [
      priced(book, 'app', `${what}: vCPU`, n * t.vcpusApp * HOURS_PER_MONTH, 'vCPU-hours', `fargate.${c.arch}.vcpu-hour`),
      priced(book, 'app', `${what}: memory ${gb} GB each`, n * gb * HOURS_PER_MONTH, 'GB-hours', `fargate.${c.arch}.gb-hour`),
    ];
  }
  if (c.kind === 'ec2') {
    const type = c.type ?? pickInstanceType(book, 'ec2.instance-hour:', c.family, t.vcpusApp);
    return [priced(book, 'app', `EC2 ${type} × ${n} (app replicas)`, n * HOURS_PER_MONTH, 'instance-hours', `ec2.instance-hour:${type}`)];
  }
  return [line('app', `on-premise node × ${n} (app replicas)`, n, 'node-months', c.usdPerNodeMonth, 'the per-node monthly cost given')];
}

/** Aurora's lines for one I/O configuration: instances or ACUs, storage, and (Standard only) I/O. */
export function auroraLines(book: PriceBook, u: MonthlyUsage, t: TargetTopology, db: DbChoice & { kind: 'aurora' | 'aurora-serverless' }, ioOptimized: boolean, profile: DailyProfile): CostLine[] {
  const io = ioOptimized ? 'io-optimized.' : '';
  const label = ioOptimized ? ' (I/O-Optimized)' : '';
  const lines: CostLine[] = [];
  if (db.kind === 'aurora-serverless') {
    for (const [i, inst] of u.dbInstances.entries()) {
      const name = inst.role === 'writer' ? 'writer' : `reader ${i}`;
      lines.push(priced(book, 'database', `Aurora Serverless v2 ${name}${label}, peak ${inst.peakBusyVcpus.toFixed(2)} busy vCPU`, acuHours(inst.peakBusyVcpus, profile), 'ACU-hours', `aurora.${io}acu-hour` as PriceKey));
    }
  } else {
    const vcpus = t.db.vcpus;
    const cls = db.instanceClass ?? pickInstanceType(book, 'aurora.instance-hour:', 'db.r6g', vcpus);
    const readers = u.dbInstances.filter((d) => d.role === 'reader').length;
    lines.push(priced(book, 'database', `Aurora writer ${cls}${label}`, HOURS_PER_MONTH, 'instance-hours', `aurora.${io}instance-hour:${cls}` as PriceKey));
    if (readers > 0) lines.push(priced(book, 'database', `Aurora readers ${cls} × ${readers}${label}`, readers * HOURS_PER_MONTH, 'instance-hours', `aurora.${io}instance-hour:${cls}` as PriceKey));
  }
  const s = u.storage;
  lines.push(priced(book, 'storage', `Aurora storage${label}: ${s.startGb.toFixed(1)} → ${s.endGb.toFixed(1)} GB at month end`, s.averageGb, 'GB-months', `aurora.${io}storage.gb-month` as PriceKey));
  if (!ioOptimized) lines.push(priced(book, 'io', 'Aurora I/O (reads + writes)', u.ioPerMonth ?? 0, 'I/Os', 'aurora.io.request', u.ioPerMonth === null ? 'I/O not measured by the model: priced as 0' : undefined));
  return lines;
}

const total = (lines: readonly CostLine[]) => lines.reduce((s, l) => s + l.monthlyUsd, 0);

/** Standard against I/O-Optimized: same usage, each configuration's prices; break-even in I/Os per month. */
export function compareAuroraIo(book: PriceBook, u: MonthlyUsage, t: TargetTopology, db: DbChoice & { kind: 'aurora' | 'aurora-serverless' }, profile: DailyProfile) {
  const standard = auroraLines(book, u, t, db, false, profile);
  const optimized = auroraLines(book, u, t, db, true, profile);
  const standardUsd = total(standard);
  const ioOptimizedUsd = total(optimized);
  const fixedStandard = total(standard.filter((l) => l.component !== 'io'));
  const perIo = price(book, 'aurora.io.request').usd;
  const breakEvenIoPerMonth = perIo > 0 ? Math.max(0, (ioOptimizedUsd - fixedStandard) / perIo) : null;
  return {
    standard, optimized,
    summary: { standardUsd, ioOptimizedUsd, breakEvenIoPerMonth, cheaper: ioOptimizedUsd < standardUsd ? ('io-optimized' as const) : ('standard' as const) },
  };
}

/** Gigabytes of gp3 per Galera node: the data at month end with 50% headroom. */
export const GP3_HEADROOM = 1.5;
export const GP3_FREE_IOPS = 3000;

export function galeraLines(book: PriceBook, u: MonthlyUsage, t: TargetTopology, db: DbChoice & { kind: 'galera' }): CostLine[] {
  const nodes = u.dbInstances.length;
  const type = db.type ?? pickInstanceType(book, 'ec2.instance-hour:', db.family, t.db.vcpus);
  const gb = Math.ceil(u.storage.endGb * GP3_HEADROOM);
  const lines = [
    priced(book, 'database', `EC2 ${type} × ${nodes} (Galera nodes)`, nodes * HOURS_PER_MONTH, 'instance-hours', `ec2.instance-hour:${type}`),
    priced(book, 'storage', `EBS gp3 ${gb} GB × ${nodes} (data at month end × ${GP3_HEADROOM})`, gb * nodes, 'GB-months', 'ebs.gp3.gb-month'),
  ];
  // Every node applies every write, and reads land on one node each: the total over nodes is the projected I/O.
  const perNode = (u.peakIoPerSecond ?? 0) / Math.max(1, nodes);
  if (perNode > GP3_FREE_IOPS) {
    const extra = Math.ceil(perNode - GP3_FREE_IOPS);
    lines.push(priced(book, 'io', `EBS gp3 IOPS above ${GP3_FREE_IOPS} (${extra} × ${nodes})`, extra * nodes, 'IOPS-months', 'ebs.gp3.iops-month'));
  }
  return lines;
}

/** Every line of one deployment's month, with the Aurora I/O comparison when Aurora is used. */
export function bill(book: PriceBook, u: MonthlyUsage, t: TargetTopology, o: BillOptions) {
  const lines = appLines(book, t, o.compute);
  let auroraIo: ReturnType<typeof compareAuroraIo>['summary'] | null = null;
  if (o.db.kind === 'galera') lines.push(...galeraLines(book, u, t, o.db));
  else {
    const cmp = compareAuroraIo(book, u, t, o.db, o.profile);
    auroraIo = cmp.summary;
    const optimized = o.io === 'io-optimized' || (o.io === 'auto' && cmp.summary.cheaper === 'io-optimized');
    lines.push(...(optimized ? cmp.optimized : cmp.standard));
  }
  lines.push(
    priced(book, 'load-balancer', 'ALB hours', HOURS_PER_MONTH, 'hours', 'alb.hour'),
    priced(book, 'load-balancer', 'ALB LCU-hours (largest of the four dimensions, hour by hour)', u.lcuHours, 'LCU-hours', 'alb.lcu-hour'),
    priced(book, 'nat', `NAT gateway hours × ${o.natAzs} AZs`, o.natAzs * HOURS_PER_MONTH, 'hours', 'nat.hour'),
    priced(book, 'nat', 'NAT data processed', o.natGb, 'GB', 'nat.gb'),
    priced(book, 'files', 'EFS Standard (attachments, complex obs)', o.efsGb, 'GB-months', 'efs.standard.gb-month'),
    priced(book, 'transfer', 'data transfer out (responses)', u.bytesOutPerMonth / BYTES_PER_GB, 'GB', 'transfer.out.gb'),
  );
  return { lines, monthlyUsd: total(lines), auroraIo };
}
