import { z } from 'zod';

/**
 * The price book (src/cost/price-book.ts makes it from Price List items) and cost.json (written by `cost`): the
 * contract between the cost stage and the report. Prices are USD on-demand unit prices of one region.
 */
export const COST_SCHEMA = 1;

/**
 * What the cost model asks the price book for. Instance-sized prices take the size after the last dot-free
 * separator: `aurora.instance-hour:db.r6g.large`, `ec2.instance-hour:m6i.large`.
 */
export const PRICE_KEYS = [
  'fargate.x86.vcpu-hour',
  'fargate.x86.gb-hour',
  'fargate.arm.vcpu-hour',
  'fargate.arm.gb-hour',
  'aurora.acu-hour',
  'aurora.io-optimized.acu-hour',
  'aurora.storage.gb-month',
  'aurora.io-optimized.storage.gb-month',
  'aurora.io.request',
  'ebs.gp3.gb-month',
  'ebs.gp3.iops-month',
  'ebs.gp3.mbps-month',
  'efs.standard.gb-month',
  'alb.hour',
  'alb.lcu-hour',
  'nat.hour',
  'nat.gb',
  'transfer.out.gb',
] as const;
export type FixedPriceKey = (typeof PRICE_KEYS)[number];
export type SizedPriceKey = `aurora.instance-hour:${string}` | `aurora.io-optimized.instance-hour:${string}` | `ec2.instance-hour:${string}`;
export type PriceKey = FixedPriceKey | SizedPriceKey;

/** One tier of a tiered price dimension: `usd` per unit from `beginRange` up to `endRange` (null: no end). */
export const PriceTier = z.object({ beginRange: z.number().min(0), endRange: z.number().nullable(), usd: z.number().finite().min(0) });
export type PriceTier = z.infer<typeof PriceTier>;

export const UnitPrice = z.object({
  usd: z.number().finite().min(0),
  /** As the Price List gives it: Hrs, hours, GB-Mo, IOs, LCU-Hrs, GB, ACU-Hr … */
  unit: z.string(),
  sku: z.string(),
  usageType: z.string(),
  /** Where the price came from when it is not a verbatim Price List item (e.g. AWS's pricing page). */
  note: z.string().optional(),
  /** Every tier, in order, when the item is tiered; `usd` is then the first tier's price. */
  tiers: z.array(PriceTier).optional(),
});
export type UnitPrice = z.infer<typeof UnitPrice>;

export const PriceBook = z.object({
  region: z.string(),
  /** When the snapshot was taken (ISO date). */
  capturedAt: z.string(),
  /** Price List API, or the public pages it was built from. */
  source: z.string(),
  prices: z.record(z.string(), UnitPrice),
});
export type PriceBook = z.infer<typeof PriceBook>;

export const CostLine = z.object({
  component: z.enum(['app', 'database', 'storage', 'io', 'load-balancer', 'nat', 'files', 'transfer']),
  item: z.string(),
  quantity: z.number().min(0),
  unit: z.string(),
  unitPriceUsd: z.number().min(0),
  monthlyUsd: z.number().min(0),
  note: z.string().optional(),
});
export type CostLine = z.infer<typeof CostLine>;

export const CostEstimate = z.object({
  schema: z.literal(COST_SCHEMA),
  region: z.string(),
  priceBook: z.object({ capturedAt: z.string(), source: z.string() }),
  /** The deployment priced: topology description, compute and database choices, layout. */
  label: z.string(),
  description: z.string(),
  load: z.object({
    users: z.number().nullable(),
    requestsPerSecond: z.number(),
    encountersPerMonth: z.number(),
  }),
  lines: z.array(CostLine),
  monthlyUsd: z.number(),
  per1000EncountersUsd: z.number().nullable(),
  /** Aurora Standard against I/O-Optimized for this load; null without Aurora. */
  auroraIo: z
    .object({ standardUsd: z.number(), ioOptimizedUsd: z.number(), breakEvenIoPerMonth: z.number().nullable(), cheaper: z.enum(['standard', 'io-optimized']) })
    .nullable(),
  meetsSlo: z.boolean().nullable(),
  assumptions: z.array(z.string()),
  /** `cost --layout`: the same total load as one regional deployment, one per clinic, or a hybrid. */
  layouts: z
    .array(
      z.object({
        layout: z.string(),
        parts: z.array(z.object({ label: z.string(), copies: z.number(), loadShare: z.number(), monthlyUsdEach: z.number(), monthlyUsd: z.number(), meetsSlo: z.boolean().nullable() })),
        monthlyUsd: z.number(),
        per1000EncountersUsd: z.number().nullable(),
        meetsSlo: z.boolean().nullable(),
      }),
    )
    .optional(),
  /** `cost --cheapest`: topologies that meet the SLO at the load, cheapest first. */
  cheapest: z.array(z.object({ description: z.string(), vcpus: z.number(), monthlyUsd: z.number(), worstP95Seconds: z.number().nullable(), bottleneck: z.string() })).optional(),
});
export type CostEstimate = z.infer<typeof CostEstimate>;
