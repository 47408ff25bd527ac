/**
 * `loadlab k6 export` / `k6 operator`. The exported scripts run on a k6 API shim in Node (no k6 binary
 * here): synchronous HTTP through a worker thread, k6's cookie-jar rules, checks, sleep and metrics
 * recorded. Two VUs of hybrid and of search-heavy run a few iterations against the real reference
 * target; the bundles must parse as ES2015 with no async function or generator left in them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { UsageError } from '../src/core/errors.ts';
import { exportScenario } from '../src/k6/export/index.ts';
import { integerRates, k6Duration, k6Options, k6Scenario, k6Thresholds, profileMaxVUs, resolveProfile } from '../src/k6/export/options.ts';
import { CONFIGMAP_LIMIT, checkConfigMapSize, k8sName, operatorManifests } from '../src/k6/operator.ts';
import { statusRanges } from '../src/k6/runtime/statuses.ts';
import { MiniUrl } from '../src/k6/runtime/polyfills.ts';
import { parseTarget, resolveUrl } from '../src/k6/runtime/target.ts';
import { journeyPicker } from '../src/scenario/sampling.ts';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import { freePort, stopPid } from '../src/infra/processes.ts';
import { startReplica } from '../src/infra/replicas.ts';
import { loadScenario } from '../src/scenario/load.ts';
import type { Journey } from '../src/scenario/types.ts';
import { seedDatabase } from '../src/target/seed/load.ts';
import { closeHttp, resetCookieJars } from './support/k6-shim/http.ts';
import { loadForVu, resetIterations, runIterations } from './support/k6-shim/load.ts';
import { assertEs2015, runDirs, runScript, sessionOf as session } from './support/k6-shim/run.ts';
import { resetShim, shim } from './support/k6-shim/state.ts';
import { ADMIN, startDb } from './support/stack.ts';

const FIXTURES = fileURLToPath(new URL('./support/k6-shim/fixtures/', import.meta.url));
const stepNames = (j: Journey) => j.items.flatMap((i) => ('step' in i ? [i.step.name] : []));
const thinks = (j: Journey) => j.items.filter((i) => 'think' in i).length;

describe('k6 export: options, operator manifests, runtime pieces (no target)', () => {
  it('maps every executor to k6 scenario options, with integer arrival rates', () => {
    expect(k6Scenario({ executor: 'constant-vus', vus: 4, duration: 30 }, 30)).toEqual({ executor: 'constant-vus', vus: 4, duration: '30s', gracefulStop: '30s' });
    expect(k6Scenario({ executor: 'ramping-vus', startVUs: 2, stages: [{ duration: 90, target: 10 }, { duration: 0.5, target: 0 }], gracefulRampDown: 5 }, 12)).toEqual({
      executor: 'ramping-vus', startVUs: 2, stages: [{ duration: '90s', target: 10 }, { duration: '500ms', target: 0 }], gracefulRampDown: '5s', gracefulStop: '12s',
    });
    expect(k6Scenario({ executor: 'constant-arrival-rate', rate: 0.5, timeUnit: 1, duration: 600, preAllocatedVUs: 30, maxVUs: 100 }, 30)).toEqual({
      executor: 'constant-arrival-rate', rate: 1, timeUnit: '2s', duration: '600s', preAllocatedVUs: 30, maxVUs: 100, gracefulStop: '30s',
    });
    expect(k6Scenario({ executor: 'ramping-arrival-rate', startRate: 0.5, stages: [{ duration: 30, target: 1 }, { duration: 120, target: 2.25 }], preAllocatedVUs: 5 }, 30)).toEqual({
      executor: 'ramping-arrival-rate', startRate: 2, timeUnit: '4s', stages: [{ duration: '30s', target: 4 }, { duration: '120s', target: 9 }], preAllocatedVUs: 5, gracefulStop: '30s',
    });
    expect(integerRates([3], 60)).toEqual({ rates: [3], timeUnit: 60 });
    expect(k6Duration(1.25)).toBe('1250ms');
    expect(profileMaxVUs({ executor: 'ramping-vus', stages: [{ duration: 1, target: 7 }] })).toBe(7);
    expect(profileMaxVUs({ executor: 'constant-arrival-rate', rate: 1, duration: 1, preAllocatedVUs: 3 })).toBe(3);
  });

  it('copies thresholds, renaming http_req_service to k6 http_req_duration, and sets batchPerHost', async () => {
    const { thresholds, renamed } = k6Thresholds({
      'http_req_service{step:login}': ['p(95)<300'],
      'http_req_duration{step:login}': [{ threshold: 'p(99)<900', abortOnFail: true }],
      http_req_service: ['avg<100'],
      checks: ['rate>0.99'],
    });
    expect(thresholds).toEqual({ 'http_req_duration{step:login}': ['p(95)<300', { threshold: 'p(99)<900', abortOnFail: true }], http_req_duration: ['avg<100'], checks: ['rate>0.99'] });
    expect(renamed).toHaveLength(2);
    const hybrid = await loadScenario('hybrid');
    const { options } = k6Options(hybrid, resolveProfile(hybrid, 'capacity').config);
    expect(options.batchPerHost).toBe(6);
    expect(options.noCookiesReset).toBe(true);
    expect(options.scenarios.hybrid).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 1, timeUnit: '2s', maxVUs: 1500 });
    expect(options.thresholds['http_req_duration{step:searchPatient}']).toEqual(['p(95)<1000']);
    expect(() => resolveProfile(hybrid, 'fast')).toThrow(UsageError);
  });

  it('writes a ConfigMap and a TestRun that parse back, and refuses a script over 1 MiB', () => {
    const m = operatorManifests({
      name: 'hybrid', namespace: 'load', parallelism: 4, target: 'http://openmrs:8080/openmrs', script: '// k6\nexport default function () {}\n',
      files: { 'people.csv': 'given\nAma\n' }, scenario: 'hybrid', profile: 'nightly', version: '0.1.0',
    });
    const cm = parseYaml(m.configMap);
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hybrid', namespace: 'load' } });
    expect(cm.data['hybrid.js']).toBe('// k6\nexport default function () {}\n');
    expect(cm.data['people.csv']).toBe('given\nAma\n');
    const docs = parseAllDocuments(m.testRun);
    expect(docs).toHaveLength(1);
    const tr = parseYaml(m.testRun);
    expect(tr).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', metadata: { name: 'hybrid', namespace: 'load' } });
    expect(tr.spec.parallelism).toBe(4);
    expect(tr.spec.script.configMap).toEqual({ name: 'hybrid', file: 'hybrid.js' });
    expect(tr.spec.arguments).toMatch(/--out json=\S+\.json\.gz/);
    expect(tr.spec.arguments).toContain('--tag testid=hybrid');
    expect(tr.spec.runner.env).toContainEqual({ name: 'LOADLAB_TARGET', value: 'http://openmrs:8080/openmrs' });
    expect(JSON.stringify(tr)).not.toMatch(/Admin123/);
    expect(k8sName('Search Heavy!')).toBe('search-heavy');

    expect(checkConfigMapSize({ 'a.js': 'x'.repeat(1000) })).toBe(1004);
    const big = { 'big.js': 'x'.repeat(CONFIGMAP_LIMIT) };
    expect(() => checkConfigMapSize(big)).toThrow(UsageError);
    expect(() => checkConfigMapSize(big)).toThrow(/1 MiB/);
    try {
      operatorManifests({ name: 'big', namespace: 'default', parallelism: 1, target: 't', script: big['big.js'], scenario: 'big', profile: 'smoke', version: '0' });
    } catch (e) {
      expect((e as UsageError).hint).toMatch(/volumeClaim/);
    }
    expect(() => operatorManifests({ name: 'Bad_Name', namespace: 'default', parallelism: 1, target: 't', script: '', scenario: 's', profile: 'smoke', version: '0' })).toThrow(UsageError);
  });

  it('resolves targets and URLs as the engine does, without a global URL', () => {
    const t = parseTarget('http://127.0.0.1:8080', '/openmrs');
    expect(t).toEqual({ origin: 'http://127.0.0.1:8080', prefix: '/openmrs' });
    expect(parseTarget('http://h:1/openmrs/', '/openmrs').prefix).toBe('/openmrs');
    expect(parseTarget('http://h:1/proxy', '/openmrs').prefix).toBe('/proxy/openmrs');
    expect(resolveUrl(t, '/ws/rest/v1/session')).toBe('http://127.0.0.1:8080/openmrs/ws/rest/v1/session');
    expect(resolveUrl(t, 'http://elsewhere/openmrs/ws/rest/v1/patient?q=a#x')).toBe('http://127.0.0.1:8080/openmrs/ws/rest/v1/patient?q=a');
    const u = new MiniUrl('../x/y?q=1', 'http://Host:80/openmrs/ws/rest/v1/patient?a=2');
    expect([u.origin, u.pathname, u.search]).toEqual(['http://host:80', '/openmrs/ws/rest/x/y', '?q=1']);
    expect(new MiniUrl('/p', 'http://h').href).toBe('http://h/p');
    expect(new MiniUrl('?b=1', 'http://h/a/c?x').href).toBe('http://h/a/c?b=1');
    expect(statusRanges((s) => s === 200 || s === 201 || s >= 500)).toEqual([{ min: 200, max: 201 }, { min: 500, max: 599 }]);
  });
});

describe('k6 export: exported scripts on a k6 shim against the reference target', () => {
  let db: MariaDbServer;
  /** The target runs as its own process (loadlab target): the shim blocks this thread during each request, as k6 blocks a VU. */
  let t: { url: string; pid: number };
  let replicaDir: string;

  beforeAll(async () => {
    db = await startDb();
    await seedDatabase(db.app, { patients: 200 });
    replicaDir = mkdtempSync(join(tmpdir(), 'loadlab-k6-target-'));
    const port = await freePort();
    const c = await startReplica({ name: 'k6-target', port, dir: replicaDir, db: db.app, search: 'local', sessions: 'memory' });
    t = { url: `http://127.0.0.1:${port}/openmrs`, pid: c.pid! };
  });
  afterAll(async () => {
    await closeHttp();
    if (t) await stopPid(t.pid);
    await db?.stop();
    for (const d of [...runDirs, replicaDir]) if (d) rmSync(d, { recursive: true, force: true });
  });
  const call = async (path: string) => (await fetch(`${t.url}/ws/rest/v1/${path}`, { headers: { Authorization: ADMIN } })).status;

  it('runs hybrid on 2 VUs: steps tagged, checks pass, sessions kept per VU, writes land, think times slept', async () => {
    const hybrid = await loadScenario('hybrid');
    // A seed under which the 2 × 3 iterations include a registration (a write to audit) and a chart.
    const picks = (seed: number) => [1, 2].flatMap((vu) => [0, 1, 2].map((it) => journeyPicker(hybrid.journeys, seed)(vu, it).name));
    let seed = 1;
    while (!(picks(seed).includes('clerk') && picks(seed).some((n) => n === 'doctor' || n === 'nurse'))) seed++;

    // Credentials given to loadlab at export time stay out of the script (k6 reads its own environment).
    const before = process.env.LOADLAB_PASSWORD;
    process.env.LOADLAB_PASSWORD = 'not-in-the-script-42';
    const r = await exportScenario({ scenario: 'hybrid', profile: 'smoke' }).finally(() => {
      if (before === undefined) delete process.env.LOADLAB_PASSWORD;
      else process.env.LOADLAB_PASSWORD = before;
    });
    expect(r.script).not.toContain('not-in-the-script-42');
    assertEs2015(r.script);
    expect(r.script.startsWith("// loadlab k6 export: scenario 'hybrid'")).toBe(true);
    expect(r.script).toContain('k6 run --out json=out.json.gz');
    const { script } = await runScript(r.script, { LOADLAB_TARGET: t.url, LOADLAB_SEED: String(seed) }, 2, 3);
    expect(script.options.scenarios.hybrid).toEqual({ executor: 'constant-vus', vus: 4, duration: '30s', gracefulStop: '30s' });

    const reqs = shim.requests.filter((q) => q.vu > 0);
    const origin = new URL(t.url).origin;
    expect(reqs.length).toBeGreaterThan(60);
    for (const q of reqs) {
      expect(q.url.startsWith(`${origin}/openmrs/ws/`)).toBe(true);
      expect(q.tags.name).toBe(q.tags.step);
      expect(q.tags.request?.startsWith(q.tags.step!)).toBe(true);
      expect(q.expected).toBe(true);
    }
    // Per iteration: the picked journey's steps, in order, each with its requests' paths.
    for (const vu of [1, 2]) {
      for (let it = 0; it < 3; it++) {
        const j = journeyPicker(hybrid.journeys, seed)(vu, it);
        const mine = reqs.filter((q) => q.vu === vu && q.iter === it);
        const order = mine.map((q) => q.tags.step).filter((s, i, a) => s !== a[i - 1]);
        expect(order).toEqual(stepNames(j).filter((s) => order.includes(s)));
        expect(order.slice(0, 3)).toEqual(['login', 'selectLocation', 'homePage']);
        expect(mine.every((q) => q.tags.journey === j.name)).toBe(true);
        const login = mine[0]!;
        expect([login.method, login.url.endsWith('/openmrs/ws/rest/v1/session'), login.auth]).toEqual(['GET', true, true]);
        // login clears the jar (k6 keeps cookies across iterations), and the session it opens carries every later request.
        expect(session(login.cookie)).toBeUndefined();
        const sessions = new Set(mine.slice(1).map((q) => session(q.cookie)));
        expect(sessions.size).toBe(1);
        expect([...sessions][0]).toMatch(/^[0-9A-F]{32}$/);
        expect(mine.slice(1).every((q) => !q.auth)).toBe(true);
        const home = mine.filter((q) => q.tags.step === 'homePage');
        expect(home).toHaveLength(12);
        expect(home.every((q) => q.batch && q.tags.request?.startsWith('homePage:'))).toBe(true);
        expect(mine.filter((q) => q.tags.step === 'searchPatient')[0]?.url).toMatch(/\/ws\/rest\/v1\/patient\?q=/);
        // Think times: one sleep per think item of the journey, within the scenario's 2–10 s.
        const slept = shim.sleeps.filter((s) => s.vu === vu && s.iter === it);
        expect(slept).toHaveLength(thinks(j));
        expect(slept.every((s) => s.seconds >= 2 && s.seconds <= 10)).toBe(true);
      }
    }
    const allSessions = reqs.map((q) => session(q.cookie)).filter(Boolean);
    expect(new Set(allSessions).size).toBe(6);

    const charts = reqs.filter((q) => q.tags.step === 'openChart');
    expect(charts.length).toBeGreaterThanOrEqual(12);
    expect(new Set(charts.map((q) => q.tags.request))).toContain('openChart:vitals');

    const checks = shim.checks.filter((c) => c.vu > 0);
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(['login: authenticated', 'selectLocation: session location set', 'homePage: metadata loaded']));
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.find((c) => c.name === 'login: authenticated')?.tags).toEqual({ step: 'login' });

    // Acknowledged writes exist in the target afterwards.
    const created = reqs.filter((q) => q.method === 'POST' && q.status === 201 && /\/ws\/rest\/v1\/(patient|visit|encounter)$/.test(q.url));
    expect(created.some((q) => q.url.endsWith('/patient'))).toBe(true);
    for (const q of created) {
      const uuid = JSON.parse(q.responseBody).uuid as string;
      const resource = q.url.split('/').pop();
      expect(await call(`${resource}/${uuid}`)).toBe(200);
    }

    const think = shim.metrics.filter((m) => m.metric === 'loadlab_think_time');
    expect(think).toHaveLength(shim.sleeps.length);
    expect(think[0]!.value).toBeCloseTo(shim.sleeps[0]!.seconds * 1000, 6);
    const ok = shim.metrics.filter((m) => m.metric === 'loadlab_iteration_ok');
    expect(ok.map((m) => m.value)).toEqual([1, 1, 1, 1, 1, 1]);
    // setup() read the seed parameters once; the VUs regenerated the same patients as the engine's feeder.
    expect(shim.requests.filter((q) => q.vu === 0).map((q) => q.tags.name)).toEqual(['loadlab:setup']);
  });

  it('runs search-heavy on 2 VUs: searches page through results, charts fan out, each request named by its step', async () => {
    const r = await exportScenario({ scenario: 'search-heavy' });
    assertEs2015(r.script);
    const { script } = await runScript(r.script, { LOADLAB_TARGET: `${new URL(t.url).origin}` }, 2, 2);
    expect(script.options.scenarios['search-heavy']).toMatchObject({ executor: 'constant-arrival-rate', rate: 1, timeUnit: '1s', duration: '600s', preAllocatedVUs: 30, maxVUs: 100 });
    const reqs = shim.requests.filter((q) => q.vu > 0);
    const steps = new Set(reqs.map((q) => q.tags.step));
    expect([...steps]).toEqual(expect.arrayContaining(['login', 'selectLocation', 'homePage', 'searchPatient']));
    for (const q of reqs) expect([q.tags.name, q.expected]).toEqual([q.tags.step, true]);
    const searches = reqs.filter((q) => q.tags.step === 'searchPatient');
    expect(searches.every((q) => /\/openmrs\/ws\/rest\/v1\/patient\?/.test(q.url) && !q.batch)).toBe(true);
    // Later pages follow the target's rel=next links, rebased onto the target and named apart.
    for (const q of searches.filter((x) => x.tags.request === 'searchPatient:nextPage')) expect(q.url).toMatch(/startIndex=\d+/);
    expect(new Set(searches.map((q) => q.tags.request))).toContain('searchPatient');
    // Under seed 1, VU 2's second iteration is a returning patient: two charts of 12 requests, each one http.batch.
    const charts = reqs.filter((q) => q.tags.step === 'openChart');
    expect(charts).toHaveLength(24);
    expect(charts.every((q) => q.batch && q.vu === 2 && q.iter === 1)).toBe(true);
    expect(shim.checks.filter((c) => c.vu > 0 && !c.ok)).toEqual([]);
    expect(shim.sleeps.filter((s) => s.vu > 0).length).toBeGreaterThan(8);
  });

  it('reads CSV feeders with open(), inlines inline ones, renames http_req_service, and ends an iteration that awaits a real Promise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadlab-k6-out-'));
    runDirs.push(dir);
    const out = join(dir, 'out', 'mini.js');
    // CSV paths are the working directory's (as loadlab run reads them); the script opens them relative to itself.
    const r = await exportScenario({ scenario: 'mini.ts', cwd: FIXTURES, out });
    assertEs2015(r.script);
    expect(r.csv).toEqual([{ feeder: 'people', source: join(FIXTURES, 'people.csv'), path: relative(join(dir, 'out'), join(FIXTURES, 'people.csv')) }]);
    expect(r.script).toMatch(/^\/\/ Thresholds renamed for k6.*http_req_service\{step:lookup\} → http_req_duration\{step:lookup\}/m);
    const warned: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((m: unknown) => void warned.push(String(m)));
    try {
      resetShim();
      resetCookieJars();
      resetIterations();
      shim.env.LOADLAB_TARGET = t.url;
      const vu1 = await loadForVu(r.script, join(dir, 'out'), 1);
      expect(vu1.options.thresholds).toEqual({ 'http_req_duration{step:lookup}': ['p(95)<500'] });
      expect(vu1.options.scenarios.mini).toMatchObject({ startRate: 1, timeUnit: '2s', stages: [{ duration: '10s', target: 2 }] });
      runIterations(vu1, 1, 2, vu1.setup?.());
    } finally {
      warn.mockRestore();
    }
    expect(shim.opened).toEqual([join(FIXTURES, 'people.csv')]);
    const lookups = shim.requests.filter((q) => q.tags.step === 'lookup');
    expect(lookups.map((q) => new URL(q.url).search)).toEqual(['?q=ma&note=Ama', '?q=jo&note=Ko%2Cfi']);
    expect(shim.requests.some((q) => q.tags.step === 'never')).toBe(false);
    expect(shim.sleeps.map((s) => s.seconds)).toEqual([1.5, 1.5]);
    expect(shim.checks.map((c) => [c.name, c.ok])).toEqual([['login: ok', true], ['lookup: results', true], ['login: ok', true], ['lookup: results', true]]);
    expect(shim.metrics.filter((m) => m.metric === 'loadlab_iteration_ok').map((m) => m.value)).toEqual([0, 0]);
    // Reported once per distinct message, with what to do instead.
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/only \/ waits: .*real Promise.*vu\.http\.batch/);
  });

  it('refuses a scenario that imports a Node.js built-in, naming the import', async () => {
    const e = await exportScenario({ scenario: 'node-builtin.ts', cwd: FIXTURES }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/node-builtin\.ts imports the Node\.js built-in 'node:fs'/);
  });
});
