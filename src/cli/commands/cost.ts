import { readFileSync, writeFileSync } from 'node:fs';
import { COST_SCHEMA, PriceBook, type CostEstimate } from '../../core/cost.ts';
import { Model, type Projection, type ProjectionPoint, type TargetTopology } from '../../core/model.ts';
import { UsageError } from '../../core/errors.ts';
import { describeTopology, project, smallestTopology } from '../../model/index.ts';
import { bill, type BillOptions, type ComputeChoice, type DbChoice, type IoChoice } from '../../cost/bill.ts';
import { layoutCost, layoutParts, parseLayout, parseLayoutComparison, type Layout, type LayoutCost } from '../../cost/layouts.ts';
import { CLINIC_DAY, describeProfile, FLAT, profileFromJson, type DailyProfile } from '../../cost/profile.ts';
import { ENCOUNTER_CLASS_PATTERN, monthlyUsage, type UsageOptions } from '../../cost/usage.ts';
import { candidateTopologies, parseTargetTopology } from './model.ts';
import { readPriceBook } from './pricing.ts';
import { printEstimate } from '../print-cost.ts';
import { parseSlo, positiveNumber, readModel } from '../options.ts';

export interface CostOptions {
  model: string; users?: string; rate?: string; topology?: string; region: string; prices?: string;
  compute: string; db?: string; io: string; profile: string; layout: string; slo?: string; cheapest?: boolean;
  memoryPerVcpu: string; dataGb: string; efsGb: string; natGb: string; natAzs: string; sessionMinutes: string; albRules: string;
  encounterClasses?: string; json?: boolean; out?: string;
}


export function parseCompute(spec: string, memoryGbPerVcpu: number): ComputeChoice {
  if (spec === 'fargate' || spec === 'fargate-arm') return { kind: 'fargate', arch: spec === 'fargate' ? 'x86' : 'arm', memoryGbPerVcpu };
  const ec2 = /^ec2(?::([a-z0-9-]+)(?:\.([a-z0-9]+))?)?$/.exec(spec);
  if (ec2) return ec2[2] ? { kind: 'ec2', family: ec2[1]!, type: `${ec2[1]}.${ec2[2]}` } : { kind: 'ec2', family: ec2[1] ?? 'm6i' };
  const onprem = /^onprem:(\d+(?:\.\d+)?)$/.exec(spec);
  if (onprem) return { kind: 'onprem', usdPerNodeMonth: Number(onprem[1]) };
  throw new UsageError(`--compute: '${spec}' is not a compute choice`, 'use fargate, fargate-arm, ec2[:FAMILY or TYPE] (e.g. ec2:m6i.xlarge) or onprem:USD_PER_NODE_MONTH');
}

/** The DB choice must fit the topology's kind: Aurora (or a single DB, priced as an Aurora writer) or Galera. */
export function parseDb(spec: string | undefined, topology: TargetTopology): DbChoice {
  const galeraTopology = topology.db.kind === 'galera';
  const s = spec ?? (galeraTopology ? 'galera:m6i' : 'aurora');
  const hint = 'use aurora[:CLASS] (e.g. aurora:db.r6g.large), aurora-serverless, or galera[:TYPE] (e.g. galera:m6i.large) for a galera topology';
  let choice: DbChoice;
  if (s === 'aurora-serverless') choice = { kind: 'aurora-serverless' };
  else if (/^aurora(:db\.[a-z0-9]+\.[a-z0-9]+)?$/.test(s)) choice = s === 'aurora' ? { kind: 'aurora' } : { kind: 'aurora', instanceClass: s.slice('aurora:'.length) };
  else {
    const g = /^galera(?::([a-z0-9-]+)(?:\.([a-z0-9]+))?)?$/.exec(s);
    if (!g) throw new UsageError(`--db: '${s}' is not a database choice`, hint);
    choice = g[2] ? { kind: 'galera', family: g[1]!, type: `${g[1]}.${g[2]}` } : { kind: 'galera', family: g[1] ?? 'm6i' };
  }
  if ((choice.kind === 'galera') !== galeraTopology) {
    throw new UsageError(`--db ${s} does not fit the topology's ${topology.db.kind} database`, galeraTopology ? 'a galera topology runs on galera:TYPE' : 'use db=galera:N in --topology for Galera, or an aurora choice');
  }
  return choice;
}

export function parseProfile(spec: string): DailyProfile {
  if (spec === 'clinic-day') return CLINIC_DAY;
  if (spec === 'flat') return FLAT;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (e) {
    throw new UsageError(`--profile ${spec}: ${(e as Error).message.split('\n')[0]}`, 'use clinic-day, flat or a JSON file {"weekday": [24 factors], "weekend": 0.15}');
  }
  return profileFromJson(json, spec);
}

const worstP95 = (p: ProjectionPoint): number | null => {
  const v = Object.values(p.p95);
  return v.some((x) => x == null) ? null : Math.max(...(v as number[]));
};

/** Everything a deployment's month needs besides its topology and load. */
interface Pricing {
  model: Model; book: PriceBook; bill: Omit<BillOptions, 'db'>; dbSpec?: string; usage: UsageOptions;
  slo?: { p95Seconds: number }; closed: boolean;
}

/** Project one deployment at its peak load and price its month. `share` scales the data sizes with the load. */
function priceDeployment(p: Pricing, topology: TargetTopology, load: number, share = 1) {
  const projection: Projection = project(p.model, topology, p.closed ? { users: [load] } : { rates: [load] });
  const point = projection.points[0]!;
  const usage = monthlyUsage(p.model, projection, point, { ...p.usage, dataGb: p.usage.dataGb * share });
  const opts = { ...p.bill, db: parseDb(p.dbSpec, topology), efsGb: p.bill.efsGb * share, natGb: p.bill.natGb * share };
  const priced = bill(p.book, usage, topology, opts);
  const worst = worstP95(point);
  const meetsSlo = p.slo ? worst !== null && !point.saturated && worst <= p.slo.p95Seconds : null;
  return { projection, point, usage, priced, worst, meetsSlo, db: opts.db };
}

function assumptions(o: CostOptions, p: Pricing, profile: DailyProfile, db: DbChoice, compute: ComputeChoice): string[] {
  const a = [
    'a month is 730 hours (AWS convention): 730/24 ≈ 30.4 days, 5/7 of them weekdays',
    `daily load profile ${describeProfile(profile)}; --users/--rate is the peak`,
    'throughput, DB utilisation, I/O and connections scale linearly with each hour’s share of the peak (the projection is made at the peak only)',
  ];
  if (compute.kind === 'fargate') a.push(`Fargate tasks: one per replica, ${compute.memoryGbPerVcpu} GB of memory per vCPU, running all month`);
  if (compute.kind === 'ec2') a.push('EC2: one instance per app replica, the smallest priced type with at least the replica’s vCPUs unless a type was given');
  if (compute.kind === 'onprem') a.push('on-premise: one node per app replica at the monthly cost given (power, space and staff included or not, as you counted them)');
  if (db.kind === 'aurora') a.push('Aurora provisioned: writer + readers all month; the class is the smallest db.r6g with the topology’s DB vCPUs unless given');
  if (db.kind === 'aurora-serverless') a.push('Aurora Serverless v2: 1 ACU ≈ 0.25 vCPU and 2 GiB; each instance scales hour by hour to its busy vCPUs ÷ 0.25, in 0.5-ACU steps, 0.5 minimum (no auto-pause), 256 maximum, with no headroom');
  if (db.kind !== 'galera') a.push('I/O-Optimized: the price book’s I/O-Optimized instance/ACU and storage prices, no I/O charges; Standard: I/O at the per-request price');
  if (db.kind === 'galera') a.push('Galera on EC2: one instance per node, EBS gp3 per node sized at the month-end data × 1.5; gp3’s 3,000 IOPS and 125 MB/s are free, extra IOPS priced when the projected I/O per node exceeds them');
  a.push(
    `storage: ${p.usage.dataGb} GB at the start (--data-gb) growing by the InnoDB bytes written per write request measured in the calibration run — an upper bound, as page writes include rewrites of existing pages; billed on the month’s average`,
    'database I/O: InnoDB data reads + writes per request from the calibration run stand in for Aurora’s billed I/Os (16 KiB page reads, 4 KiB log writes): a rough equivalence',
    `ALB: each user holds one connection and opens a new one per ${o.sessionMinutes}-minute session; processed bytes are the measured response bytes; ${o.albRules} billable rule evaluation(s) per request beyond the 10 free`,
    `NAT: ${o.natAzs} gateways (one per AZ), ${o.natGb} GB of outbound traffic from the app; EFS: ${o.efsGb} GB for attachments and complex obs`,
    'data transfer out: the measured response bytes at the first tier’s price, without the free allowance',
    `encounters: write requests of ${o.encounterClasses ? `the classes ${o.encounterClasses}` : `classes whose names match ${ENCOUNTER_CLASS_PATTERN}`}`,
    'prices: on-demand, no savings plans, reserved instances or free tier; backups, snapshots and support not included',
  );
  if (o.layout !== 'regional') a.push('per-clinic deployments: one replica and a one-instance database each, with their own ALB, NAT gateways and EFS; data, EFS and NAT traffic split by load share');
  return a;
}

export async function costCommand(o: CostOptions): Promise<void> {
  const model = readModel(o.model);
  if ((o.users === undefined) === (o.rate === undefined)) throw new UsageError('give the peak load as one of --users N or --rate R', 'e.g. --users 300');
  const closed = o.users !== undefined;
  const load = closed ? positiveNumber(o.users!, '--users', 1) : positiveNumber(o.rate!, '--rate', 0.001);
  const topology = parseTargetTopology(o.topology ?? '', model);
  const compute = parseCompute(o.compute, positiveNumber(o.memoryPerVcpu, '--memory-per-vcpu', 0.5));
  const db = parseDb(o.db, topology);
  if (!['standard', 'io-optimized', 'auto'].includes(o.io)) throw new UsageError(`--io: '${o.io}' is not standard, io-optimized or auto`);
  const profile = parseProfile(o.profile);
  const comparison = parseLayoutComparison(o.layout);
  const layouts: Layout[] = comparison ?? [parseLayout(o.layout)];
  const slo = parseSlo(o.slo);
  if (o.cheapest && !slo) throw new UsageError('--cheapest needs --slo', "e.g. --cheapest --users 300 --slo 'p95<1s'");
  const book = o.prices ? readPricesFile(o.prices) : readPriceBook(o.region);
  const encounterClasses = o.encounterClasses?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const c of encounterClasses ?? []) if (!model.classes.some((k) => k.name === c)) throw new UsageError(`--encounter-classes: the model has no class ${c}`, `its classes: ${model.classes.map((k) => k.name).join(', ')}`);
  const p: Pricing = {
    model, book, dbSpec: o.db, slo, closed,
    bill: { compute, io: o.io as IoChoice, profile, natGb: positiveNumber(o.natGb, '--nat-gb'), natAzs: positiveNumber(o.natAzs, '--nat-azs', 1), efsGb: positiveNumber(o.efsGb, '--efs-gb') },
    usage: {
      profile, dataGb: positiveNumber(o.dataGb, '--data-gb'), sessionSeconds: positiveNumber(o.sessionMinutes, '--session-minutes', 1) * 60,
      billableRulesPerRequest: positiveNumber(o.albRules, '--alb-rules'), ...(encounterClasses ? { encounterClasses } : {}),
    },
  };

  const main = priceDeployment(p, topology, load);
  const layoutCosts: LayoutCost[] = [];
  if (comparison || layouts[0]!.kind !== 'regional') {
    for (const layout of layouts) {
      const parts = layoutParts(layout, topology).map((part) => {
        const d = part.loadShare === 1 ? main : priceDeployment(p, part.topology, load * part.loadShare, part.loadShare);
        return { ...part, monthlyUsdEach: d.priced.monthlyUsd, meetsSlo: d.meetsSlo };
      });
      layoutCosts.push(layoutCost(layout, parts, main.usage.encountersPerMonth));
    }
  }
  const cheapest = o.cheapest ? cheapestTopologies(p, load) : undefined;
  const total = main.priced.monthlyUsd;
  const enc = main.usage.encountersPerMonth;
  const estimate: CostEstimate = {
    schema: COST_SCHEMA,
    region: book.region,
    priceBook: { capturedAt: book.capturedAt, source: book.source },
    label: `${o.compute} + ${o.db ?? (db.kind === 'galera' ? 'galera' : 'aurora')}${o.layout !== 'regional' ? `, ${o.layout}` : ''}`,
    description: describeTopology(topology),
    load: { users: closed ? load : null, requestsPerSecond: main.usage.peakRequestsPerSecond, encountersPerMonth: enc ?? 0 },
    lines: main.priced.lines,
    monthlyUsd: total,
    per1000EncountersUsd: enc ? (total / enc) * 1000 : null,
    auroraIo: main.priced.auroraIo,
    meetsSlo: main.meetsSlo,
    assumptions: [
      ...assumptions(o, p, profile, db, compute),
      ...(cheapest?.unpriced ?? []).map((m) => `--cheapest left out candidates the price book cannot price: ${m}`),
      ...main.projection.warnings.map((w) => `simulator: ${w}`),
    ],
    ...(layoutCosts.length ? { layouts: layoutCosts } : {}),
    ...(cheapest ? { cheapest: cheapest.ranked } : {}),
  };
  if (o.out) writeFileSync(o.out, JSON.stringify(estimate, null, 2) + '\n');
  if (o.json) return void console.log(JSON.stringify(estimate, null, 2));
  printEstimate(estimate, { peakUsers: main.usage.peakUsers, worstP95: main.worst, saturated: main.point.saturated, slo, storage: main.usage.storage, ioPerMonth: main.usage.ioPerMonth });
}

function readPricesFile(file: string): PriceBook {
  try {
    return PriceBook.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new UsageError(`--prices ${file}: ${(e as Error).message.split('\n')[0]}`, 'give a price book JSON {region, capturedAt, source, prices: {key: {usd, unit, sku, usageType}}}, or leave --prices out to use --region’s snapshot');
  }
}

/** The candidates `simulate --smallest` searches (replicas × app vCPUs × DB layout × DB vCPUs), ranked by money. */
function cheapestTopologies(p: Pricing, load: number): { ranked: NonNullable<CostEstimate['cheapest']>; unpriced: string[] } {
  const candidates = candidateTopologies(p.model);
  const target = p.closed ? { users: load } : { rate: load };
  const { evaluated } = smallestTopology(p.model, candidates, target, p.slo!);
  const unpriced = new Set<string>();
  const ranked = evaluated.filter((v) => v.meetsSlo).flatMap((v) => {
    // The DB choice given applies to the candidates of its kind; the others take their kind's default.
    const dbSpec = p.dbSpec && (p.dbSpec.startsWith('galera') === (v.topology.db.kind === 'galera')) ? p.dbSpec : undefined;
    try {
      const d = priceDeployment({ ...p, dbSpec }, v.topology, load);
      return [{ description: v.description, vcpus: v.vcpus, monthlyUsd: d.priced.monthlyUsd, worstP95Seconds: v.worstP95, bottleneck: v.point.bottleneck }];
    } catch (e) {
      // A size the price book lacks rules a candidate out of the ranking, not the whole search.
      if (!(e instanceof UsageError)) throw e;
      unpriced.add(e.message);
      return [];
    }
  });
  return { ranked: ranked.sort((a, b) => a.monthlyUsd - b.monthlyUsd).slice(0, 5), unpriced: [...unpriced] };
}
