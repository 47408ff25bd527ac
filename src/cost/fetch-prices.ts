import { GetProductsCommand, PricingClient, type GetProductsCommandOutput } from '@aws-sdk/client-pricing';
import { UsageError } from '../core/errors.ts';
import type { TermMatch } from './price-book.ts';
import { parsePriceListString, type PriceListItem } from './price-list.ts';

/**
 * The one place in src/cost that talks to the network: GetProducts of the AWS Price List Query API for what the
 * cost model prices. The region priced is a filter; the API itself answers only in these regions.
 */
export const PRICING_ENDPOINT_REGIONS = ['us-east-1', 'eu-central-1', 'ap-south-1'] as const;

/** Sizes the cost model offers; a refresh prices these, and a lookup of another size says which are priced. */
export const EC2_INSTANCE_TYPES = ['m6i.large', 'm6i.xlarge', 'm6i.2xlarge', 'r6g.large', 'r6i.large'];
export const AURORA_INSTANCE_CLASSES = ['db.r6g.large', 'db.r6g.xlarge', 'db.r7g.large'];

export interface PriceQuery {
  serviceCode: string;
  filters: TermMatch[];
}

/** One query per need, narrow enough that decoys are few and pages are short; the parser drops the rest. */
export function priceQueries(region: string): PriceQuery[] {
  const q = (serviceCode: string, f: Record<string, string>): PriceQuery => ({
    serviceCode,
    filters: [{ Field: 'regionCode', Value: region }, ...Object.entries(f).map(([Field, Value]) => ({ Field, Value }))],
  });
  return [
    q('AmazonECS', { productFamily: 'Compute' }),
    q('AmazonRDS', { productFamily: 'ServerlessV2', databaseEngine: 'Aurora MySQL' }),
    ...AURORA_INSTANCE_CLASSES.map((c) => q('AmazonRDS', { productFamily: 'Database Instance', instanceType: c, databaseEngine: 'Aurora MySQL' })),
    q('AmazonRDS', { productFamily: 'Database Storage', databaseEngine: 'Aurora MySQL' }),
    q('AmazonRDS', { productFamily: 'System Operation' }),
    ...EC2_INSTANCE_TYPES.map((t) =>
      q('AmazonEC2', { productFamily: 'Compute Instance', instanceType: t, capacitystatus: 'Used', tenancy: 'Shared', preInstalledSw: 'NA', operatingSystem: 'Linux' }),
    ),
    q('AmazonEC2', { productFamily: 'Storage', volumeApiName: 'gp3' }),
    q('AmazonEC2', { productFamily: 'System Operation', volumeApiName: 'gp3' }),
    q('AmazonEC2', { productFamily: 'Provisioned Throughput', volumeApiName: 'gp3' }),
    q('AmazonEC2', { productFamily: 'NAT Gateway' }),
    q('AmazonEFS', { productFamily: 'Storage' }),
    q('AWSELB', { productFamily: 'Load Balancer-Application' }),
    q('AWSDataTransfer', { productFamily: 'Data Transfer', toLocation: 'External' }),
  ];
}

/** The subset of the SDK client a fetch needs, so tests can stand in a fake. */
export interface PricingSender {
  send(command: GetProductsCommand): Promise<Pick<GetProductsCommandOutput, 'PriceList' | 'NextToken' | 'FormatVersion'>>;
}

/** Every page of one query, following NextToken. */
export async function fetchQuery(client: PricingSender, query: PriceQuery): Promise<PriceListItem[]> {
  const items: PriceListItem[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetProductsCommand({
        ServiceCode: query.serviceCode,
        Filters: query.filters.map((f) => ({ Type: 'TERM_MATCH', Field: f.Field, Value: f.Value })),
        FormatVersion: 'aws_v1',
        MaxResults: 100,
        NextToken: token,
      }),
    );
    for (const s of page.PriceList ?? []) items.push(parsePriceListString(s));
    token = page.NextToken || undefined;
  } while (token);
  return items;
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH']);

/** The SDK's errors for what the user can fix (no credentials, no network, no permission) → UsageError. */
export function explainFetchError(e: unknown, endpoint: string): unknown {
  const err = e as Error & { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
  if (err?.name === 'CredentialsProviderError' || /credential/i.test(err?.message ?? '')) {
    return new UsageError(
      'no AWS credentials for the Price List API (the snapshot was left as it was)',
      'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, for an identity allowed pricing:GetProducts; or keep using the stored snapshot',
    );
  }
  if (NETWORK_CODES.has(err?.code ?? '') || err?.name === 'TimeoutError' || NETWORK_CODES.has(err?.name ?? '')) {
    return new UsageError(`cannot reach the AWS Price List API in ${endpoint}: ${err.code ?? err.name} (the snapshot was left as it was)`, 'check the network, or keep using the stored snapshot');
  }
  if (err?.name === 'AccessDeniedException' || err?.$metadata?.httpStatusCode === 403) {
    return new UsageError(`the AWS Price List API refused the request: ${err.message}`, 'the identity needs the pricing:GetProducts permission');
  }
  return e;
}

/** Every item the cost model needs for `region`, fetched live. */
export async function fetchPriceItems(region: string, opts: { endpoint?: string; client?: PricingSender } = {}): Promise<PriceListItem[]> {
  const endpoint = opts.endpoint ?? 'us-east-1';
  const client = opts.client ?? new PricingClient({ region: endpoint, maxAttempts: 2 });
  const items: PriceListItem[] = [];
  try {
    for (const query of priceQueries(region)) items.push(...(await fetchQuery(client, query)));
  } catch (e) {
    throw explainFetchError(e, endpoint);
  }
  return items;
}
