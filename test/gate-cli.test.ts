import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDbUrl } from '../src/core/db-url.ts';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import { seedDatabase } from '../src/target/seed/load.ts';
import type { RunningTarget } from '../src/target/target.ts';
import { startDb, startTargetOn } from './support/stack.ts';
import { loadlab } from './support/cli.ts';


/*
 * The gate's self-test on the reference target: two runs of the same target pass (A/A), and a target whose
 * patient search takes 1.2× as long (`--slowdown search=1.2`) fails, naming the search step. Runs are short
 * (80 s, 2 s windows after a 20 s warm-up) to keep CI fast. On a shared 2-core VM, runs made one after the other
 * drift apart by up to ~20% in a step's median while other test files load the machine (seen in CI: +13.8%
 * search, +19.5% selectLocation, p < 0.01) — as large as the slowdown itself. So each compared pair runs at the
 * same time, seeing the same machine, and the minimum effect is 10% (settings file): a 1.2× slowdown shows as
 * about +20% in search's median. The benchmark (test/bench/gate.bench.ts) runs the comparison one run after the
 * other, at the defaults (5%), with 150 s runs on a quiet machine.
 */
describe('loadlab gate on real runs of the reference target', () => {
  let db: MariaDbServer;
  let fast: RunningTarget;
  let slow: RunningTarget;
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-gate-'));
  const run = async (target: RunningTarget, name: string, seconds: number) => {
    const out = join(dir, name);
    const r = await loadlab([
      'run', 'search-heavy', '--target', target.url, '--executor', 'constant-arrival-rate', '--rate', '2', '--duration', `${seconds}s`,
      '--pre-allocated-vus', '60', '--max-vus', '150', '--out', out, '--db-url', formatDbUrl(db.app),
    ]);
    expect(r.code, r.err + r.out).toBe(0);
    return out;
  };
  const settings = join(dir, 'short-runs.yaml');
  writeFileSync(settings, 'compare:\n  minEffect: 0.1\n');
  const gate = (current: string, baseline: string, ...more: string[]) =>
    loadlab(['gate', '--current', current, '--baseline', baseline, '--window', '2', '--skip', '20', '--thresholds', settings, ...more]);
  let a1: string;
  let a2: string;
  let a3: string;
  let b: string;

  beforeAll(async () => {
    db = await startDb();
    await seedDatabase(db.app, { patients: 1000 });
    fast = await startTargetOn(db);
    slow = await startTargetOn(db, { slowdown: { search: 1.2 } });
    // Warm both targets' JIT first, so that neither comparison measures warm-up.
    await Promise.all([run(fast, 'warm-fast', 15), run(slow, 'warm-slow', 15)]);
    [a1, a2] = await Promise.all([run(fast, 'a1', 80), run(fast, 'a2', 80)]);
    [a3, b] = await Promise.all([run(fast, 'a3', 80), run(slow, 'b', 80)]);
  }, 600_000);

  afterAll(async () => {
    await fast?.close();
    await slow?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes an A/A comparison and writes valid JUnit with one testcase per check', async () => {
    const junit = join(dir, 'aa.xml');
    const r = await gate(a2, a1, '--junit', junit);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^PASS: /m);
    expect(r.out).toMatch(/latency-p95:searchPatient/);
    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const cases = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' }).parse(xml).testsuites.testsuite.testcase as unknown[];
    const printed = r.out.split('\n').filter((l) => /^(latency-p\d+|throughput|error-rate|threshold|infra):/.test(l));
    expect(cases).toHaveLength(printed.length);
  });

  it('fails when search is 1.2× slower, naming the search step, and exits 1', async () => {
    const md = join(dir, 'ab.md');
    const r = await gate(b, a3, '--markdown', md);
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/^FAIL: /m);
    expect(r.out).toMatch(/✗ latency-p(50|95):searchPatient/);
    expect(readFileSync(md, 'utf8')).toMatch(/❌ regression/);
  });

  it('records runs into a history and judges the next one against it', async () => {
    const history = join(dir, 'history');
    for (const current of [a1, a2]) expect((await loadlab(['gate', '--current', current, '--history', history, '--record', '--window', '5', '--skip', '20', '--thresholds', settings])).code).toBe(0);
    expect(readdirSync(history)).toHaveLength(2);
    const r = await loadlab(['gate', '--current', b, '--history', history, '--window', '5', '--skip', '20', '--thresholds', settings]);
    expect(r.out).toMatch(/history .* \(2 runs\)/);
    expect(r.out).toMatch(/robust z n\/a/);
  });

  it('exits 2 with a clear message on bad input', async () => {
    const both = await loadlab(['gate', '--current', a1]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/exactly one of --baseline RUN_DIR and --history DIR/);
    const notRun = await loadlab(['gate', '--current', dir, '--baseline', a1]);
    expect(notRun.code).toBe(2);
    expect(notRun.err).toMatch(/is not a run directory/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'compare:\n  minEffect: lots\n');
    const cfg = await loadlab(['gate', '--current', a1, '--baseline', a1, '--thresholds', bad]);
    expect(cfg.code).toBe(2);
    expect(cfg.err).toMatch(/compare\.minEffect/);
    const th = join(dir, 'th.yaml');
    writeFileSync(th, "thresholds:\n  'http_req_duration{step:searchPatient}': ['p(95)<0.001']\n");
    const strict = await loadlab(['gate', '--current', a1, '--baseline', a1, '--thresholds', th]);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/✗ threshold:http_req_duration\{step:searchPatient\}:p\(95\)<0.001/);
  });
});
