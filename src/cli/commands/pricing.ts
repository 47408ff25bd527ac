import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PriceBook } from '../../core/cost.ts';
import { UsageError } from '../../core/errors.ts';
import { fetchPriceItems, PRICING_ENDPOINT_REGIONS } from '../../cost/fetch-prices.ts';
import { priceBookFromItems, priceBookFromSnapshot, type PriceSnapshot } from '../../cost/price-book.ts';

/** Snapshots ship with the suite; LOADLAB_PRICING_DIR points elsewhere (tests, a private refresh). */
export function pricingDir(): string {
  return process.env.LOADLAB_PRICING_DIR ?? fileURLToPath(new URL('../../../fixtures/pricing/', import.meta.url));
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

export function snapshotRegions(dir = pricingDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^(.+)\.json$/.exec(f)?.[1])
    .filter((r): r is string => r !== undefined && REGION.test(r))
    .sort();
}

/** The price book of a stored snapshot, for every command that prices something. */
export function readPriceBook(region: string): PriceBook {
  const dir = pricingDir();
  const file = join(dir, `${region}.json`);
  if (!REGION.test(region) || !existsSync(file)) {
    const regions = snapshotRegions(dir);
    throw new UsageError(
      `no price snapshot for region '${region}'`,
      `snapshots: ${regions.join(', ') || '(none)'}; fetch another with \`loadlab pricing refresh --region ${REGION.test(region) ? region : 'R'}\``,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`, `restore it from git or run \`loadlab pricing refresh --region ${region}\``);
  }
  return priceBookFromSnapshot(json);
}

export interface PricingShowOptions {
  region?: string;
  json?: boolean;
}

/** `fargate.x86.vcpu-hour` → `vcpu-hour`: the key says what one unit is (Fargate's own unit is just "hours"). */
const perWhat = (key: string) => key.split(':')[0]!.split('.').at(-1)!;

export function pricingShowCommand(opts: PricingShowOptions): void {
  const region = opts.region ?? 'us-east-1';
  const book = readPriceBook(region);
  if (opts.json) {
    console.log(JSON.stringify(book, null, 2));
    return;
  }
  console.log(`Unit prices, ${book.region} (on-demand USD, captured ${book.capturedAt})`);
  console.log(`source: ${book.source}`);
  const rows = Object.entries(book.prices);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, p] of rows) {
    const usd = p.usd < 0.001 && p.usd > 0 ? p.usd.toExponential(2) : String(p.usd);
    const built = p.note ? '  (built from public figures)' : '';
    const tiers = p.tiers ? `, ${p.tiers.length} tiers` : '';
    console.log(`  ${key.padEnd(width)}  $${usd.padEnd(10)} per ${`${perWhat(key)} (${p.unit})`.padEnd(22)}${tiers}  ${p.sku}${built}`);
  }
  const others = snapshotRegions().filter((r) => r !== region);
  console.log('Built prices carry their source in the snapshot (loadlabNote); sized keys not listed are not priced here.');
  console.log(`${rows.length} prices; other snapshots: ${others.join(', ') || 'none'}`);
}

export interface PricingRefreshOptions {
  region: string;
  out?: string;
  endpoint?: string;
}

/** Fetch live, check that it prices something, and only then replace the snapshot (atomically). */
export async function pricingRefreshCommand(opts: PricingRefreshOptions): Promise<void> {
  const region = opts.region;
  if (!REGION.test(region)) throw new UsageError(`--region: '${region}' is not an AWS region code`, 'e.g. --region af-south-1');
  const endpoint = opts.endpoint ?? 'us-east-1';
  if (!(PRICING_ENDPOINT_REGIONS as readonly string[]).includes(endpoint)) {
    throw new UsageError(`--endpoint: the Price List API answers only in ${PRICING_ENDPOINT_REGIONS.join(', ')}`);
  }
  const out = resolve(opts.out ?? join(pricingDir(), `${region}.json`));
  const items = await fetchPriceItems(region, { endpoint });
  const snapshot: PriceSnapshot = {
    region,
    capturedAt: new Date().toISOString().slice(0, 10),
    source: `AWS Price List Query API (GetProducts through the ${endpoint} endpoint)`,
    note: `${items.length} items as the API returned them.`,
    formatVersion: 'aws_v1',
    items,
  };
  const book = priceBookFromItems(snapshot, items);
  const count = Object.keys(book.prices).length;
  if (count === 0) throw new UsageError(`the Price List API returned nothing loadlab can price for ${region}; the snapshot was left as it was`, 'is the region code right?');
  if (!existsSync(dirname(out))) throw new UsageError(`cannot write ${out}: its folder does not exist`);
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(snapshot, null, 1) + '\n');
  renameSync(tmp, out);
  console.log(`${out}: ${items.length} Price List items, ${count} unit prices for ${region}`);
}
