import { z } from 'zod';
import type { PriceKey, PriceTier, UnitPrice } from '../core/cost.ts';

/**
 * AWS Price List items (one parsed `PriceList` string of GetProducts, or an offer file's product beside its
 * on-demand terms) and what they say in the price book's keys. Rules from reference/pricing.md: usage types are
 * matched by their suffix after an optional region prefix, only the on-demand term counts, tiers are chosen by
 * their ranges, and descriptions are never read.
 */

/** The on-demand offer term; Reserved and Savings terms sit beside it and are ignored. */
export const ON_DEMAND_TERM = 'JRTCKXETXF';

const PriceDimension = z.object({
  unit: z.string(),
  beginRange: z.string().default('0'),
  endRange: z.string().default('Inf'),
  rateCode: z.string().optional(),
  pricePerUnit: z.object({ USD: z.string() }).passthrough(),
}).passthrough();

const Term = z.object({
  offerTermCode: z.string().optional(),
  sku: z.string().optional(),
  effectiveDate: z.string().optional(),
  priceDimensions: z.record(z.string(), PriceDimension),
}).passthrough();

export const PriceListItem = z.object({
  product: z.object({
    sku: z.string().optional(),
    productFamily: z.string().optional(),
    attributes: z.record(z.string(), z.string()),
  }).passthrough(),
  serviceCode: z.string().optional(),
  // Reserved terms may be replaced by a marker string in captured items, so only OnDemand is typed.
  terms: z.object({ OnDemand: z.record(z.string(), Term).optional() }).passthrough(),
  /** Set on items loadlab built from AWS's public pricing pages rather than took from the API. */
  loadlabNote: z.string().optional(),
}).passthrough();
export type PriceListItem = z.infer<typeof PriceListItem>;

/**
 * Region prefixes start with a continent code (USE1-, EU-, APS3-, AFS1-, USW2-, CAN1-, …). Markers such as the
 * trust store's `TS-` must not pass for one, or `TS-LoadBalancerUsage` would read as an ALB hour.
 */
const REGION_PREFIX = /^(?:US|EU|AP|AF|CA|SA|ME|IL|MX|UG|CN)[A-Z]{0,2}\d{0,2}-/;

/** The usage type without its region prefix: `EU-LCUUsage` → `LCUUsage`; `LCUUsage` (us-east-1) unchanged. */
export function usageSuffix(usageType: string): string {
  return usageType.replace(REGION_PREFIX, '');
}

const parseRange = (s: string): number | null => (s === 'Inf' ? null : Number(s));

/** The on-demand price dimensions as tiers, lowest first (the API's map has no order). */
export function onDemandTiers(item: PriceListItem): PriceTier[] {
  const terms = Object.entries(item.terms.OnDemand ?? {}).filter(([code, t]) => (t.offerTermCode ?? code.split('.')[1]) === ON_DEMAND_TERM);
  const tiers = terms.flatMap(([, t]) =>
    Object.values(t.priceDimensions).map((d) => ({ beginRange: Number(d.beginRange), endRange: parseRange(d.endRange), usd: Number(d.pricePerUnit.USD) })),
  );
  if (tiers.some((t) => !Number.isFinite(t.usd) || !Number.isFinite(t.beginRange))) throw new Error(`SKU ${item.product.sku ?? '?'}: a price or range is not a number`);
  return tiers.sort((a, b) => a.beginRange - b.beginRange);
}

/** The dimension that starts at zero: the unit price a bill starts from. */
function firstDimension(item: PriceListItem) {
  const dims = Object.entries(item.terms.OnDemand ?? {})
    .filter(([code, t]) => (t.offerTermCode ?? code.split('.')[1]) === ON_DEMAND_TERM)
    .flatMap(([, t]) => Object.values(t.priceDimensions));
  return dims.find((d) => Number(d.beginRange) === 0);
}

export const serviceCodeOf = (item: PriceListItem): string => item.serviceCode ?? item.product.attributes.servicecode ?? '';

type Attrs = Record<string, string>;
interface Rule {
  service: string;
  family: string;
  /** Usage type after the region prefix; a trailing `:` takes the size from the rest (`BoxUsage:` → `m6i.large`). */
  usage: string;
  key: (size: string) => PriceKey;
  accept?: (a: Attrs) => boolean;
  /** Lower wins when two items give the same key (Aurora MySQL's storage over Aurora PostgreSQL's). */
  rank?: (a: Attrs) => number;
}

const auroraMySql = (a: Attrs) => a.databaseEngine === undefined || a.databaseEngine === 'Aurora MySQL';
const anyAurora = (a: Attrs) => a.databaseEngine === undefined || a.databaseEngine === 'Any' || a.databaseEngine.startsWith('Aurora ');
const mySqlFirst = (a: Attrs) => (a.databaseEngine === 'Aurora PostgreSQL' ? 1 : 0);
const linuxFargate = (a: Attrs) => a.operatingSystem === undefined || a.operatingSystem === 'Linux';
// Without all four, GetProducts also returns dedicated hosts, reservations held idle, Windows and SQL images.
const ec2OnDemandLinux = (a: Attrs) =>
  a.capacitystatus === 'Used' && a.tenancy === 'Shared' && a.preInstalledSw === 'NA' && a.operatingSystem === 'Linux' &&
  a.operation === 'RunInstances' && (a.marketoption === undefined || a.marketoption === 'OnDemand');
const regionalAlb = (a: Attrs) => a.locationType !== 'AWS Outposts';

const fixed = (key: PriceKey) => () => key;

const RULES: Rule[] = [
  { service: 'AmazonECS', family: 'Compute', usage: 'Fargate-vCPU-Hours:perCPU', key: fixed('fargate.x86.vcpu-hour'), accept: linuxFargate },
  { service: 'AmazonECS', family: 'Compute', usage: 'Fargate-GB-Hours', key: fixed('fargate.x86.gb-hour'), accept: linuxFargate },
  { service: 'AmazonECS', family: 'Compute', usage: 'Fargate-ARM-vCPU-Hours:perCPU', key: fixed('fargate.arm.vcpu-hour'), accept: linuxFargate },
  { service: 'AmazonECS', family: 'Compute', usage: 'Fargate-ARM-GB-Hours', key: fixed('fargate.arm.gb-hour'), accept: linuxFargate },
  { service: 'AmazonRDS', family: 'ServerlessV2', usage: 'Aurora:ServerlessV2Usage', key: fixed('aurora.acu-hour'), accept: auroraMySql },
  { service: 'AmazonRDS', family: 'ServerlessV2', usage: 'Aurora:ServerlessV2IOOptimizedUsage', key: fixed('aurora.io-optimized.acu-hour'), accept: auroraMySql },
  { service: 'AmazonRDS', family: 'Database Instance', usage: 'InstanceUsage:', key: (s) => `aurora.instance-hour:${s}`, accept: (a) => a.databaseEngine === 'Aurora MySQL' && singleAz(a) },
  { service: 'AmazonRDS', family: 'Database Instance', usage: 'InstanceUsageIOOptimized:', key: (s) => `aurora.io-optimized.instance-hour:${s}`, accept: (a) => a.databaseEngine === 'Aurora MySQL' && singleAz(a) },
  { service: 'AmazonRDS', family: 'Database Storage', usage: 'Aurora:StorageUsage', key: fixed('aurora.storage.gb-month'), accept: anyAurora, rank: mySqlFirst },
  { service: 'AmazonRDS', family: 'Database Storage', usage: 'Aurora:IO-OptimizedStorageUsage', key: fixed('aurora.io-optimized.storage.gb-month'), accept: anyAurora, rank: mySqlFirst },
  { service: 'AmazonRDS', family: 'System Operation', usage: 'Aurora:StorageIOUsage', key: fixed('aurora.io.request'), accept: anyAurora, rank: mySqlFirst },
  { service: 'AmazonEC2', family: 'Compute Instance', usage: 'BoxUsage:', key: (s) => `ec2.instance-hour:${s}`, accept: ec2OnDemandLinux },
  { service: 'AmazonEC2', family: 'Storage', usage: 'EBS:VolumeUsage.gp3', key: fixed('ebs.gp3.gb-month'), accept: (a) => a.volumeApiName === 'gp3' },
  { service: 'AmazonEC2', family: 'System Operation', usage: 'EBS:VolumeP-IOPS.gp3', key: fixed('ebs.gp3.iops-month') },
  { service: 'AmazonEC2', family: 'Provisioned Throughput', usage: 'EBS:VolumeP-Throughput.gp3', key: fixed('ebs.gp3.mbps-month') },
  { service: 'AmazonEFS', family: 'Storage', usage: 'TimedStorage-ByteHrs', key: fixed('efs.standard.gb-month') },
  { service: 'AWSELB', family: 'Load Balancer-Application', usage: 'LoadBalancerUsage', key: fixed('alb.hour'), accept: regionalAlb },
  { service: 'AWSELB', family: 'Load Balancer-Application', usage: 'LCUUsage', key: fixed('alb.lcu-hour'), accept: regionalAlb },
  { service: 'AmazonEC2', family: 'NAT Gateway', usage: 'NatGateway-Hours', key: fixed('nat.hour') },
  { service: 'AmazonEC2', family: 'NAT Gateway', usage: 'NatGateway-Bytes', key: fixed('nat.gb') },
  { service: 'AWSDataTransfer', family: 'Data Transfer', usage: 'DataTransfer-Out-Bytes', key: fixed('transfer.out.gb'), accept: (a) => a.toLocation === undefined || a.toLocation === 'External' },
];

function singleAz(a: Attrs): boolean {
  return a.deploymentOption === undefined || a.deploymentOption === 'Single-AZ';
}

export interface ParsedPrice {
  key: PriceKey;
  price: UnitPrice;
  /** Which of two items giving the same key wins: the lower. */
  rank: number;
}

/**
 * What one item prices, in the price book's keys: none for everything loadlab does not need and for every decoy
 * (Capacity Block twins, Outposts and reserved LCUs, trust-store hours, ECS-on-EC2 metering, Windows Fargate,
 * Aurora Serverless v1, regional NAT gateways), which differ from the wanted items in usage type or attributes.
 */
export function unitPricesOf(item: PriceListItem): ParsedPrice[] {
  const a = item.product.attributes;
  const usageType = a.usagetype;
  if (!usageType) return [];
  const suffix = usageSuffix(usageType);
  const service = serviceCodeOf(item);
  const out: ParsedPrice[] = [];
  for (const rule of RULES) {
    if (rule.service !== service || rule.family !== item.product.productFamily) continue;
    const sized = rule.usage.endsWith(':');
    if (sized ? !suffix.startsWith(rule.usage) : suffix !== rule.usage) continue;
    const size = sized ? suffix.slice(rule.usage.length) : '';
    // The size in the usage type and the instanceType attribute must agree; otherwise the item is not what it seems.
    if (sized && (!size || (a.instanceType !== undefined && a.instanceType !== size))) continue;
    if (rule.accept && !rule.accept(a)) continue;
    const dim = firstDimension(item);
    if (!dim) continue;
    const tiers = onDemandTiers(item);
    const sku = item.product.sku ?? Object.values(item.terms.OnDemand ?? {})[0]?.sku ?? '';
    const price: UnitPrice = { usd: Number(dim.pricePerUnit.USD), unit: dim.unit, sku, usageType };
    if (item.loadlabNote) price.note = item.loadlabNote;
    if (tiers.length > 1) price.tiers = tiers;
    out.push({ key: rule.key(size), price, rank: rule.rank?.(a) ?? 0 });
  }
  return out;
}

/** A GetProducts `PriceList` entry is a JSON string; parse and check it. */
export function parsePriceListString(s: string): PriceListItem {
  return PriceListItem.parse(JSON.parse(s));
}
