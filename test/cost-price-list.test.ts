import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import { fetchQuery, priceQueries, type PricingSender } from '../src/cost/fetch-prices.ts';
import { price, priceBookFromItems, priceBookFromSnapshot, PriceSnapshot, selectItems } from '../src/cost/price-book.ts';
import { onDemandTiers, parsePriceListString, unitPricesOf, usageSuffix, type PriceListItem } from '../src/cost/price-list.ts';

const snapshot = (region: string) => PriceSnapshot.parse(JSON.parse(readFileSync(new URL(`../fixtures/pricing/${region}.json`, import.meta.url), 'utf8')));
const useast1 = snapshot('us-east-1');
const euwest1 = snapshot('eu-west-1');
const bySku = (snap: PriceSnapshot, sku: string) => {
  const item = snap.items.find((i) => i.product.sku === sku);
  if (!item) throw new Error(`no SKU ${sku} in ${snap.region}`);
  return item;
};
const keysOf = (item: PriceListItem) => unitPricesOf(item).map((p) => p.key);
const clone = (item: PriceListItem): PriceListItem => JSON.parse(JSON.stringify(item));

describe('Price List items → unit prices', () => {
  it('reads Fargate x86 and ARM (verbatim GetProducts items, unit "hours")', () => {
    const [x86] = unitPricesOf(bySku(useast1, '8CESGAFWKAJ98PME'));
    expect(x86).toMatchObject({ key: 'fargate.x86.vcpu-hour', price: { usd: 0.04048, unit: 'hours', sku: '8CESGAFWKAJ98PME', usageType: 'USE1-Fargate-vCPU-Hours:perCPU' } });
    expect(x86!.price.note).toBeUndefined();
    expect(unitPricesOf(bySku(useast1, 'PBZNQUSEXZUC34C9'))[0]).toMatchObject({ key: 'fargate.x86.gb-hour', price: { usd: 0.004445 } });
    expect(unitPricesOf(bySku(useast1, 'XSZATS4VYMDC9CYN'))[0]).toMatchObject({ key: 'fargate.arm.vcpu-hour', price: { usd: 0.03238 } });
    expect(unitPricesOf(bySku(useast1, 'UNH9KPQP7W7C66C9'))[0]).toMatchObject({ key: 'fargate.arm.gb-hour', price: { usd: 0.00356 } });
  });

  it('reads an Aurora instance item, and keeps Aurora PostgreSQL out of the MySQL price', () => {
    expect(unitPricesOf(bySku(useast1, 'SVB4AAU3H83DPGMK'))).toEqual([
      { key: 'aurora.instance-hour:db.r6g.large', rank: 0, price: { usd: 0.26, unit: 'Hrs', sku: 'SVB4AAU3H83DPGMK', usageType: 'InstanceUsage:db.r6g.large' } },
    ]);
    expect(keysOf(bySku(useast1, '4U9P9G87PY8QVQH5'))).toEqual([]);
    expect(keysOf(bySku(useast1, 'WJD7AAF57MBUC6E6'))).toEqual(['aurora.io-optimized.instance-hour:db.r6g.large']);
  });

  it('matches usage types by suffix whether region-prefixed or not', () => {
    expect(usageSuffix('EU-LCUUsage')).toBe('LCUUsage');
    expect(usageSuffix('USE1-Fargate-GB-Hours')).toBe('Fargate-GB-Hours');
    expect(usageSuffix('APS3-Aurora:ServerlessV2Usage')).toBe('Aurora:ServerlessV2Usage');
    expect(usageSuffix('LoadBalancerUsage')).toBe('LoadBalancerUsage');
    expect(usageSuffix('TS-LoadBalancerUsage')).toBe('TS-LoadBalancerUsage');
    expect(unitPricesOf(bySku(useast1, 'P2XGEJ8N3KU52WA8'))[0]).toMatchObject({ key: 'alb.lcu-hour', price: { usd: 0.008, usageType: 'LCUUsage' } });
    expect(unitPricesOf(bySku(euwest1, 'YE8QE7GMG9794PDX'))[0]).toMatchObject({ key: 'alb.lcu-hour', price: { usd: 0.008, usageType: 'EU-LCUUsage' } });
    expect(unitPricesOf(bySku(euwest1, 'T29JAP5UEZ7HXAM7'))[0]).toMatchObject({ key: 'alb.hour', price: { usd: 0.0252 } });
  });

  it('reads NAT, EBS gp3 (also the verbatim us-east-2 item) and EFS, but not EFS One Zone', () => {
    expect(keysOf(bySku(useast1, 'M2YSHUBETB3JX4M4'))).toEqual(['nat.hour']);
    expect(keysOf(bySku(useast1, '59S5R83GFPUAGVR5'))).toEqual(['nat.gb']);
    expect(unitPricesOf(bySku(useast1, 'JG3KUJMBRGHV3N8G'))[0]).toMatchObject({ key: 'ebs.gp3.gb-month', price: { usd: 0.08, unit: 'GB-Mo' } });
    expect(unitPricesOf(USE2_GP3)[0]).toMatchObject({ key: 'ebs.gp3.gb-month', price: { usd: 0.08, usageType: 'USE2-EBS:VolumeUsage.gp3' } });
    expect(unitPricesOf(bySku(useast1, 'YFV3RHAD3CDDP3VE'))[0]).toMatchObject({ key: 'efs.standard.gb-month', price: { usd: 0.3 } });
    expect(keysOf(bySku(useast1, 'RXZDU6JXFGFJYN6S'))).toEqual([]);
  });

  it('chooses the first tier of an unordered tier map and keeps every tier', () => {
    const item = bySku(useast1, 'VUZADW4HBG7NT6R7'); // ECS Anywhere: the 2200 h free tier is listed after the paid one
    expect(Object.values(Object.values(item.terms.OnDemand!)[0]!.priceDimensions)[0]!.beginRange).toBe('2200');
    expect(onDemandTiers(item)).toEqual([
      { beginRange: 0, endRange: 2200, usd: 0 },
      { beginRange: 2200, endRange: null, usd: 0.01025 },
    ]);
    // The same shape under a key loadlab prices: the unit price is the tier from 0, the tiers travel along.
    const nat = clone(bySku(useast1, '59S5R83GFPUAGVR5'));
    const term = Object.values(nat.terms.OnDemand!)[0]!;
    const [code, first] = Object.entries(term.priceDimensions)[0]!;
    term.priceDimensions = { 'X.JRTCKXETXF.LATER': { ...first, beginRange: '10240', endRange: 'Inf', pricePerUnit: { USD: '0.0200000000' } }, [code]: { ...first, endRange: '10240' } };
    expect(unitPricesOf(nat)[0]!.price).toMatchObject({ usd: 0.045, tiers: [{ beginRange: 0, endRange: 10240, usd: 0.045 }, { beginRange: 10240, endRange: null, usd: 0.02 }] });
  });

  it('ignores every term but on-demand', () => {
    const item = clone(bySku(useast1, 'SVB4AAU3H83DPGMK'));
    expect(item.terms.Reserved).toBeTypeOf('string'); // the captured item's marker where Reserved terms were
    const [code, term] = Object.entries(item.terms.OnDemand!)[0]!;
    item.terms.OnDemand = { [code.replace('JRTCKXETXF', '38NPMPTW36')]: { ...term, offerTermCode: '38NPMPTW36' } };
    expect(keysOf(item)).toEqual([]);
  });

  describe('excludes each decoy', () => {
    it('the $0 Capacity Block twin of an EC2 instance', () => {
      expect(unitPricesOf(bySku(useast1, 'H7NGEAC6UEHNTKSJ'))[0]).toMatchObject({ key: 'ec2.instance-hour:p4d.24xlarge', price: { usd: 32.7726 } });
      expect(keysOf(bySku(useast1, 'YSXJGN78QTXNVGDQ'))).toEqual([]);
    });
    it('EC2 items without the four filters (Windows, dedicated, unused reservations, pre-installed software)', () => {
      for (const [attr, value] of [['operatingSystem', 'Windows'], ['tenancy', 'Dedicated'], ['capacitystatus', 'UnusedCapacityReservation'], ['preInstalledSw', 'SQL Std']]) {
        const item = clone(bySku(useast1, 'H7NGEAC6UEHNTKSJ'));
        item.product.attributes[attr!] = value!;
        expect(keysOf(item), attr).toEqual([]);
      }
    });
    it('Outposts LCUs at $0, trust-store hours, reserved LCUs', () => {
      const labels = new Map([['P8UHXAWNGFFB3K8T', 0], ['T953TK5KT4BSUVBU', 0.005], ['CP5ZUMA7RSCUNUVK', 0.008]]);
      for (const sku of labels.keys()) expect(keysOf(bySku(useast1, sku)), sku).toEqual([]);
    });
    it('$0 ECS-on-EC2 metering and Windows Fargate', () => {
      for (const sku of ['DQ8NT47B7YY2CGC5', 'RF2BUTAD289DREDC', '8QDMJPGQCM368Z6X', '9D3ZWXRS2VXMZET6']) expect(keysOf(bySku(useast1, sku)), sku).toEqual([]);
    });
    it('Aurora Serverless v1 beside v2', () => {
      expect(keysOf(bySku(useast1, '4ZZ835TJ7A3HA6BU'))).toEqual([]);
      expect(unitPricesOf(bySku(useast1, 'TP8SQX8FAU6UNY5B'))[0]).toMatchObject({ key: 'aurora.acu-hour', price: { usd: 0.12 } });
      expect(unitPricesOf(bySku(useast1, 'MK5Y97VKQVCZA44G'))[0]).toMatchObject({ key: 'aurora.io-optimized.acu-hour', price: { usd: 0.16 } });
    });
    it('RegionalNatGateway-Hours', () => {
      const regional = clone(bySku(useast1, 'M2YSHUBETB3JX4M4'));
      regional.product.attributes.usagetype = 'RegionalNatGateway-Hours';
      expect(keysOf(regional)).toEqual([]);
    });
  });

  it('parses a GetProducts PriceList string', () => {
    const s = JSON.stringify(bySku(useast1, '8CESGAFWKAJ98PME'));
    expect(unitPricesOf(parsePriceListString(s))[0]!.key).toBe('fargate.x86.vcpu-hour');
    expect(() => parsePriceListString('{"product":{}}')).toThrow();
  });
});

describe('price book', () => {
  it('builds every region from its snapshot with the public figures of pricing.md', () => {
    const book = priceBookFromSnapshot(useast1);
    expect(book).toMatchObject({ region: 'us-east-1', capturedAt: '2026-11-21' });
    const usd = (key: Parameters<typeof price>[1]) => price(book, key).usd;
    expect([usd('aurora.acu-hour'), usd('aurora.io-optimized.acu-hour'), usd('aurora.storage.gb-month'), usd('aurora.io-optimized.storage.gb-month')]).toEqual([0.12, 0.16, 0.1, 0.225]);
    expect(usd('aurora.io.request') * 1e6).toBeCloseTo(0.2, 10);
    expect([usd('aurora.instance-hour:db.r6g.large'), usd('aurora.instance-hour:db.r7g.large'), usd('ec2.instance-hour:m6i.large')]).toEqual([0.26, 0.276, 0.096]);
    expect([usd('alb.hour'), usd('alb.lcu-hour'), usd('nat.hour'), usd('nat.gb'), usd('efs.standard.gb-month')]).toEqual([0.0225, 0.008, 0.045, 0.045, 0.3]);
    expect([usd('ebs.gp3.gb-month'), usd('ebs.gp3.iops-month'), usd('ebs.gp3.mbps-month'), usd('transfer.out.gb')]).toEqual([0.08, 0.005, 0.04, 0.09]);
    const acu = ['eu-west-1', 'af-south-1', 'ap-south-1', 'us-west-2'].map((r) => price(priceBookFromSnapshot(snapshot(r)), 'aurora.acu-hour').usd);
    expect(acu).toEqual([0.14, 0.16, 0.18, 0.12]);
    const efs = ['eu-west-1', 'af-south-1', 'ap-south-1', 'us-west-2'].map((r) => price(priceBookFromSnapshot(snapshot(r)), 'efs.standard.gb-month').usd);
    expect(efs).toEqual([0.33, 0.39, 0.33, 0.3]);
  });

  it('marks prices built from public pages and leaves verbatim ones unmarked', () => {
    const book = priceBookFromSnapshot(useast1);
    expect(price(book, 'fargate.x86.vcpu-hour').note).toBeUndefined();
    expect(price(book, 'alb.hour').note).toMatch(/public pricing-page data/);
    expect(price(book, 'transfer.out.gb').note).toMatch(/public figure/);
    for (const item of useast1.items) if (item.loadlabNote === undefined) expect(item.product.sku).toMatch(/^[A-Z0-9]{16}$/);
  });

  it('a missing key is a clear error naming the key, the region and what to do', () => {
    const book = priceBookFromSnapshot(snapshot('af-south-1'));
    expect(() => price(book, 'nat.hour')).toThrow(UsageError);
    expect(() => price(book, 'nat.hour')).toThrow(/no price for nat\.hour in the af-south-1 price book/);
    try {
      price(book, 'aurora.instance-hour:db.r7g.large');
    } catch (e) {
      expect((e as UsageError).message).toMatch(/aurora\.instance-hour:db\.r7g\.large.*af-south-1/);
      expect((e as UsageError).hint).toMatch(/choose another size \(priced: db\.r6g\.large, db\.r6g\.xlarge\).*loadlab pricing refresh --region af-south-1/);
      return;
    }
    throw new Error('expected an error');
  });

  it('refuses two items that disagree on a key, and prefers Aurora MySQL storage over PostgreSQL', () => {
    const lcu = bySku(useast1, 'P2XGEJ8N3KU52WA8');
    const other = clone(lcu);
    other.product.sku = 'OTHERSKU00000000';
    Object.values(Object.values(other.terms.OnDemand!)[0]!.priceDimensions)[0]!.pricePerUnit.USD = '0.0090000000';
    expect(() => priceBookFromItems({ region: 'us-east-1', capturedAt: 'x', source: 'x' }, [lcu, other])).toThrow(/two Price List items give alb\.lcu-hour/);
    const pg = bySku(useast1, '7GYUVAA992PFJPCB');
    const mysql = clone(pg);
    mysql.product.attributes.databaseEngine = 'Aurora MySQL';
    mysql.product.sku = 'MYSQLSTORAGE0000';
    Object.values(Object.values(mysql.terms.OnDemand!)[0]!.priceDimensions)[0]!.pricePerUnit.USD = '0.0990000000';
    const book = priceBookFromItems({ region: 'us-east-1', capturedAt: 'x', source: 'x' }, [pg, mysql]);
    expect(price(book, 'aurora.storage.gb-month')).toMatchObject({ sku: 'MYSQLSTORAGE0000', usd: 0.099 });
  });

  it('selects items like a TERM_MATCH query', () => {
    const found = selectItems(useast1.items, 'AmazonEC2', [{ Field: 'instanceType', Value: 'p4d.24xlarge' }, { Field: 'operation', Value: 'RunInstances' }]);
    expect(found.map((i) => i.product.sku)).toEqual(['H7NGEAC6UEHNTKSJ']);
    expect(selectItems(useast1.items, 'AmazonECS', [{ Field: 'productFamily', Value: 'compute metering' }]).map((i) => i.product.sku)).toEqual(['DQ8NT47B7YY2CGC5']);
  });

  it('a snapshot that is not one is a UsageError', () => {
    expect(() => priceBookFromSnapshot({ region: 'x' })).toThrow(UsageError);
  });
});

describe('fetching', () => {
  it('pages through NextToken and parses each PriceList string', async () => {
    const strings = useast1.items.filter((i) => i.serviceCode === 'AmazonECS').map((i) => JSON.stringify(i));
    const sent: Array<{ NextToken?: string; Filters?: unknown; ServiceCode?: string }> = [];
    const client: PricingSender = {
      send: async (command) => {
        sent.push(command.input);
        const page = Number(command.input.NextToken ?? 0);
        return { FormatVersion: 'aws_v1', PriceList: strings.slice(page * 5, page * 5 + 5), NextToken: page * 5 + 5 < strings.length ? String(page + 1) : undefined };
      },
    };
    const query = priceQueries('us-east-1')[0]!;
    const items = await fetchQuery(client, query);
    expect(items).toHaveLength(strings.length);
    expect(sent.map((s) => s.NextToken)).toEqual([undefined, '1', '2']);
    expect(sent[0]).toMatchObject({ ServiceCode: 'AmazonECS', Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' }, { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Compute' }] });
    expect(Object.keys(priceBookFromItems({ region: 'us-east-1', capturedAt: 'x', source: 'x' }, items).prices)).toEqual([
      'fargate.arm.gb-hour', 'fargate.arm.vcpu-hour', 'fargate.x86.gb-hour', 'fargate.x86.vcpu-hour',
    ]);
  });

  it('queries EC2 instances with the four filters', () => {
    const ec2 = priceQueries('af-south-1').filter((q) => q.serviceCode === 'AmazonEC2' && q.filters.some((f) => f.Value === 'Compute Instance'));
    expect(ec2.length).toBeGreaterThan(0);
    for (const q of ec2) expect(q.filters).toEqual(expect.arrayContaining([{ Field: 'capacitystatus', Value: 'Used' }, { Field: 'tenancy', Value: 'Shared' }, { Field: 'preInstalledSw', Value: 'NA' }, { Field: 'operatingSystem', Value: 'Linux' }, { Field: 'regionCode', Value: 'af-south-1' }]));
  });
});

/** AmazonEC2 offer 20230322145651, us-east-2 gp3 (opencost's test data), verbatim: a region-prefixed EC2 usage type. */
const USE2_GP3: PriceListItem = {
  product: {
    sku: 'M6UGCCQ3CDJQAA37', productFamily: 'Storage',
    attributes: { servicecode: 'AmazonEC2', location: 'US East (Ohio)', locationType: 'AWS Region', storageMedia: 'SSD-backed', volumeType: 'General Purpose', maxVolumeSize: '16 TiB', maxIopsvolume: '16000', maxThroughputvolume: '1000 MiB/s', usagetype: 'USE2-EBS:VolumeUsage.gp3', operation: '', regionCode: 'us-east-2', servicename: 'Amazon Elastic Compute Cloud', volumeApiName: 'gp3' },
  },
  terms: { OnDemand: { 'M6UGCCQ3CDJQAA37.JRTCKXETXF': { offerTermCode: 'JRTCKXETXF', sku: 'M6UGCCQ3CDJQAA37', effectiveDate: '2023-03-01T00:00:00Z', termAttributes: {},
    priceDimensions: { 'M6UGCCQ3CDJQAA37.JRTCKXETXF.6YS6EN2CT7': { rateCode: 'M6UGCCQ3CDJQAA37.JRTCKXETXF.6YS6EN2CT7', description: '$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Ohio)', beginRange: '0', endRange: 'Inf', unit: 'GB-Mo', pricePerUnit: { USD: '0.0800000000' }, appliesTo: [] } } } } },
};
