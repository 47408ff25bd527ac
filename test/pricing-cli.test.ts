import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadlab as cli } from './support/cli.ts';
const loadlab = (args: string[], env: Record<string, string> = {}) => cli(args, { env });

const FIXTURES = fileURLToPath(new URL('../fixtures/pricing/', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'loadlab-pricing-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadlab pricing', () => {
  it('show --region eu-west-1 prints the unit prices of the snapshot', async () => {
    const r = await loadlab(['pricing', 'show', '--region', 'eu-west-1']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Unit prices, eu-west-1 \(on-demand USD, captured 2026-11-21\)\n/);
    expect(r.out).toMatch(/\n {2}aurora\.acu-hour +\$0\.14 +per acu-hour \(ACU-Hr\) +2RZPP2H5MABWMD2F/);
    expect(r.out).toMatch(/\n {2}efs\.standard\.gb-month +\$0\.33 /);
    expect(r.out).toMatch(/\n {2}fargate\.x86\.vcpu-hour +\$0\.04048 +per vcpu-hour \(hours\)/);
    expect(r.out).toMatch(/\n {2}aurora\.io\.request +\$2\.20e-7 /);
    expect(r.out).not.toMatch(/nat\.hour/);
    expect(r.out).toMatch(/other snapshots: af-south-1, ap-south-1, us-east-1, us-west-2\n$/);
  });

  it('show --json gives the price book', async () => {
    const r = await loadlab(['pricing', 'show', '--region', 'af-south-1', '--json']);
    expect(r.code, r.err).toBe(0);
    const book = JSON.parse(r.out);
    expect(book.region).toBe('af-south-1');
    expect(book.prices['alb.lcu-hour']).toMatchObject({ usd: 0.0095, sku: 'A7SD39897VRJRGT8' });
  });

  it('an unknown region exits 2 and lists the regions there are', async () => {
    const r = await loadlab(['pricing', 'show', '--region', 'mars-north-1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no price snapshot for region 'mars-north-1'/);
    expect(r.err).toMatch(/snapshots: af-south-1, ap-south-1, eu-west-1, us-east-1, us-west-2/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('refresh without AWS credentials exits 2, says so, and leaves the snapshot as it was', async () => {
    const cfg = join(root, 'aws-config');
    const creds = join(root, 'aws-credentials');
    writeFileSync(cfg, '');
    writeFileSync(creds, '');
    const out = join(root, 'eu-west-1.json');
    copyFileSync(join(FIXTURES, 'eu-west-1.json'), out);
    const before = readFileSync(out, 'utf8');
    const shipped = readFileSync(join(FIXTURES, 'eu-west-1.json'), 'utf8');
    const noCredentials = {
      AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_ROLE_ARN: '', AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '', AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: cfg, AWS_SHARED_CREDENTIALS_FILE: creds,
    };
    for (const args of [['--out', out], []]) {
      const r = await loadlab(['pricing', 'refresh', '--region', 'eu-west-1', ...args], noCredentials);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/loadlab: no AWS credentials for the Price List API \(the snapshot was left as it was\)/);
      expect(r.err).toMatch(/AWS_ACCESS_KEY_ID/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(out, 'utf8')).toBe(before);
    expect(readFileSync(join(FIXTURES, 'eu-west-1.json'), 'utf8')).toBe(shipped);
  }, 60_000);

  it('refresh refuses a region code that is not one', async () => {
    const r = await loadlab(['pricing', 'refresh', '--region', 'Ireland']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--region: 'Ireland' is not an AWS region code/);
  });
});
