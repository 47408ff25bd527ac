import { z } from 'zod';
import type { PriceBook, PriceKey, UnitPrice } from '../core/cost.ts';
import { UsageError } from '../core/errors.ts';
import { PriceListItem, serviceCodeOf, unitPricesOf, type ParsedPrice } from './price-list.ts';

/**
 * A snapshot as fixtures/pricing/<region>.json stores it: the Price List items themselves, so that the parser
 * runs on the same shapes offline as live, with when and where they came from.
 */
export const PriceSnapshot = z.object({
  region: z.string().min(1),
  capturedAt: z.string().min(1),
  source: z.string().min(1),
  note: z.string().optional(),
  formatVersion: z.literal('aws_v1'),
  items: z.array(PriceListItem),
});
export type PriceSnapshot = z.infer<typeof PriceSnapshot>;

/** A GetProducts TERM_MATCH filter: `Field` is a product attribute (or ServiceCode, given apart in the API). */
export interface TermMatch {
  Field: string;
  Value: string;
}

/** The items a GetProducts query with these filters would return, so a snapshot can be queried like the API. */
export function selectItems(items: PriceListItem[], serviceCode: string, filters: TermMatch[] = []): PriceListItem[] {
  return items.filter((item) => {
    if (serviceCodeOf(item) !== serviceCode) return false;
    const attrs: Record<string, string | undefined> = { ...item.product.attributes, productFamily: item.product.productFamily };
    // The API compares case-insensitively.
    return filters.every((f) => attrs[f.Field]?.toLowerCase() === f.Value.toLowerCase());
  });
}

/**
 * The unit prices of one region. Two items for one key must agree unless one ranks before the other: a
 * disagreement means a decoy got through, and a wrong price is worse than none.
 */
export function priceBookFromItems(meta: { region: string; capturedAt: string; source: string }, items: PriceListItem[]): PriceBook {
  const chosen = new Map<string, ParsedPrice>();
  for (const item of items) {
    if (item.product.attributes.regionCode !== undefined && item.product.attributes.regionCode !== meta.region) continue;
    for (const parsed of unitPricesOf(item)) {
      const held = chosen.get(parsed.key);
      if (!held || parsed.rank < held.rank) chosen.set(parsed.key, parsed);
      else if (parsed.rank === held.rank && parsed.price.usd !== held.price.usd) {
        throw new Error(
          `two Price List items give ${parsed.key} in ${meta.region}: SKU ${held.price.sku} (${held.price.usageType}) at $${held.price.usd} ` +
            `and SKU ${parsed.price.sku} (${parsed.price.usageType}) at $${parsed.price.usd}`,
        );
      }
    }
  }
  const prices: Record<string, UnitPrice> = {};
  for (const key of [...chosen.keys()].sort()) prices[key] = chosen.get(key)!.price;
  return { region: meta.region, capturedAt: meta.capturedAt, source: meta.source, prices };
}

/** A snapshot's JSON (already parsed) → its price book. */
export function priceBookFromSnapshot(json: unknown): PriceBook {
  const parsed = PriceSnapshot.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UsageError(`not a price snapshot: ${first ? `${first.path.join('.') || '(top)'}: ${first.message}` : 'invalid'}`, 'recreate it with `loadlab pricing refresh --region R`');
  }
  return priceBookFromItems(parsed.data, parsed.data.items);
}

/** The sizes a book prices under a sized key's prefix: `ec2.instance-hour` → ['m6i.large', 'r6i.large']. */
export function pricedSizes(book: PriceBook, prefix: 'aurora.instance-hour' | 'aurora.io-optimized.instance-hour' | 'ec2.instance-hour'): string[] {
  return Object.keys(book.prices)
    .filter((k) => k.startsWith(`${prefix}:`))
    .map((k) => k.slice(prefix.length + 1))
    .sort();
}

/** The unit price under `key`, or an error that names the key, the region and what to do. */
export function price(book: PriceBook, key: PriceKey): UnitPrice {
  const p = book.prices[key];
  if (p) return p;
  const refresh = `run \`loadlab pricing refresh --region ${book.region}\` (needs AWS credentials) or price another region`;
  const colon = key.indexOf(':');
  if (colon > 0) {
    const prefix = key.slice(0, colon) as Parameters<typeof pricedSizes>[1];
    const sizes = pricedSizes(book, prefix);
    throw new UsageError(
      `no price for ${key} in the ${book.region} price book (captured ${book.capturedAt})`,
      `choose another size${sizes.length ? ` (priced: ${sizes.join(', ')})` : ''}, or ${refresh}`,
    );
  }
  throw new UsageError(`no price for ${key} in the ${book.region} price book (captured ${book.capturedAt})`, `${refresh[0]!.toUpperCase()}${refresh.slice(1)}`);
}
