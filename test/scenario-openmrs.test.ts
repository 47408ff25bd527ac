import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import { resolveFeeders, type FeederRecord } from '../src/scenario/feeders.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { homePage, login, openChart, searchPatient } from '../src/scenario/openmrs/index.ts';
import { StepError, type HttpResponse, type RequestOptions, type Scenario, type VuContext, type VuHttp } from '../src/scenario/types.ts';
import { seededPatientSample } from '../src/core/synthetic/generate.ts';
import { seedDatabase } from '../src/target/seed/load.ts';
import type { RunningTarget } from '../src/target/target.ts';
import { ADMIN, READER, call, startDb, startTargetOn } from './support/stack.ts';

interface Sent { method: string; path: string; name?: string; status: number; ok: boolean }
type FakeVu = VuContext & { sent: Sent[]; checks: { name: string; ok: boolean }[] };

/**
 * A minimal VuContext (the engine's client is written elsewhere): fetch with a cookie jar, statuses
 * judged by `expect` as the engine does, requests and checks recorded for the assertions.
 */
function fakeVu(t: RunningTarget, feeders: Record<string, FeederRecord[]>, credentials = { username: 'admin', password: 'Admin123' }): FakeVu {
  const origin = new URL(t.url).origin;
  const cookies = new Map<string, string>();
  const sent: Sent[] = [];
  const checks: { name: string; ok: boolean }[] = [];
  let cursor = 3;
  let seed = 12345;
  const judge = (s: number, e: RequestOptions['expect']) => (e === undefined ? s >= 200 && s < 400 : typeof e === 'function' ? e(s) : e.includes(s));
  const http: VuHttp = {
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (cookies.size) headers.Cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (o.basicAuth) headers.Authorization = 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
      if (o.body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(`${origin}/openmrs${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
      for (const c of res.headers.getSetCookie()) {
        const [k, v = ''] = (c.split(';')[0] ?? '').split('=');
        if (k) cookies.set(k, v);
      }
      const text = await res.text();
      sent.push({ method, path, name: o.name, status: res.status, ok: judge(res.status, o.expect) });
      const r: HttpResponse = { status: res.status, headers: Object.fromEntries(res.headers), text, json: <T>() => JSON.parse(text) as T };
      return r;
    },
    get: (path, o) => http.request('GET', path, o),
    post: (path, body, o) => http.request('POST', path, { ...o, body }),
    clearCookies: () => cookies.clear(),
  };
  return {
    vu: 1, iteration: 0, http, vars: new Map(), basePath: '/openmrs', credentials, sent, checks,
    feed: (name) => {
      const rs = feeders[name];
      if (!rs?.length) throw new Error(`no feeder ${name}`);
      return rs[cursor++ % rs.length]!;
    },
    check: (name, ok) => (checks.push({ name, ok }), ok),
    random: () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31),
  };
}

const fetchJsonFor = (t: RunningTarget) => async (path: string) => (await fetch(`${t.url}${path}`, { headers: { Authorization: ADMIN } })).json();

describe('OpenMRS step library and workloads against the reference target', () => {
  let db: MariaDbServer;
  let t: RunningTarget;
  let feeders: Record<string, FeederRecord[]>;

  beforeAll(async () => {
    db = await startDb();
    await seedDatabase(db.app, { patients: 300 });
    t = await startTargetOn(db);
    feeders = await resolveFeeders({ patients: { kind: 'seeded-patients', count: 60 } }, { fetchJson: fetchJsonFor(t) });
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
  });

  it('serves system settings by prefix and by property, with the privilege checked', async () => {
    const list = await call(t, 'systemsetting?q=loadlab.&v=full');
    expect(list.status).toBe(200);
    const seed = list.json.results.find((r: any) => r.property === 'loadlab.seed');
    expect(JSON.parse(seed.value)).toMatchObject({ patients: 300, seed: 1 });
    expect(seed.display).toBe(`loadlab.seed = ${seed.value}`);
    expect(seed).toHaveProperty('datatypeClassname', null);
    const one = await call(t, 'systemsetting/loadlab.seed');
    expect(one.json).toMatchObject({ property: 'loadlab.seed', uuid: seed.uuid, description: expect.any(String) });
    expect((await call(t, `systemsetting/${seed.uuid}?v=custom:(value)`)).json).toEqual({ value: seed.value });
    expect((await call(t, 'systemsetting?q=nothing.like.this')).json.results).toEqual([]);
    expect((await call(t, 'systemsetting/no.such.property')).status).toBe(404);
    expect((await call(t, 'systemsetting/loadlab.seed', { auth: READER })).status).toBe(200);
    expect((await call(t, 'systemsetting/loadlab.seed', { auth: null })).status).toBe(401);
  });

  it('regenerates seeded identities that the target finds by identifier, name and partial name', async () => {
    const patients = feeders.patients!;
    expect(patients).toHaveLength(60);
    // From the published seed parameters, not from the search fallback.
    expect(patients.map((p) => p.uuid)).toEqual(seededPatientSample({ seed: 1, patients: 300 }, 60).map((p) => p.uuid));
    // Both search modes of the target: its Lucene-like local index and SQL prefix LIKEs.
    const sql = await startTargetOn(db, { search: 'db' });
    try {
      for (const target of [t, sql]) {
        for (const p of patients.slice(0, 15)) {
          const byId = await call(target, `patient?identifier=${p.identifier}&v=custom:(uuid)`);
          expect(byId.json.results.map((r: any) => r.uuid)).toEqual([p.uuid]);
          for (const q of [p.name, p.partialName, p.identifier]) {
            const r = await call(target, `patient?q=${encodeURIComponent(q!)}&v=custom:(uuid)&limit=100`);
            expect(r.json.results.map((x: any) => x.uuid), `${q}`).toContain(p.uuid);
          }
        }
      }
    } finally {
      await sql.close();
    }
  });

  it('falls back to live name searches without seed parameters, and asks for a CSV when that finds nothing', async () => {
    const real = fetchJsonFor(t);
    const unseeded = async (path: string) => (path.includes('/systemsetting/') ? { error: { message: 'not found' } } : real(path));
    const found = await resolveFeeders({ p: { kind: 'seeded-patients', count: 40 } }, { fetchJson: unseeded });
    expect(found.p).toHaveLength(40);
    expect(found.p![0]).toMatchObject({ uuid: expect.any(String), identifier: expect.any(String), partialName: expect.any(String) });
    const empty = async () => ({ results: [] });
    const err = await resolveFeeders({ p: { kind: 'seeded-patients' } }, { fetchJson: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/no patients/);
    expect((err as UsageError).hint).toMatch(/kind: 'csv'/);
  });

  it('pages a partial search through links rel=next and labels each page', async () => {
    let prefix = '';
    for (const p of ['ma', 'an', 'ka', 'jo', 'ch', 'sa', 'mo', 'ni']) {
      if ((await call(t, `patient?q=${p}&limit=1&totalCount=true`)).json.totalCount > 25) { prefix = p; break; }
    }
    expect(prefix).not.toBe('');
    const vu = fakeVu(t, { names: [{ partialName: prefix }] });
    await login().run(vu);
    await searchPatient({ by: 'partial', pages: 3, feeder: 'names' }).run(vu);
    const searches = vu.sent.filter((s) => s.path.includes('/patient?'));
    expect(searches.map((s) => s.name)).toEqual(['searchPatient', 'searchPatient:nextPage', 'searchPatient:nextPage']);
    expect(searches[2]!.path).toContain('startIndex=20');
    expect(vu.vars.get('patientUuid')).toEqual(expect.any(String));
  });

  it('reports missing correlation and failed logins as StepErrors', async () => {
    const vu = fakeVu(t, feeders);
    await expect(openChart().run(vu)).rejects.toThrow(/openChart needs vars.patientUuid/);
    const bad = fakeVu(t, feeders, { username: 'admin', password: 'wrong' });
    const err = await login().run(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).errorClass).toBe('auth');
    expect(bad.checks).toContainEqual({ name: 'login: authenticated', ok: false });
  });

  it('loads the O3 home page as 12 labelled metadata requests', async () => {
    const vu = fakeVu(t, feeders);
    await login().run(vu);
    await homePage().run(vu);
    const home = vu.sent.slice(1);
    expect(home).toHaveLength(12);
    expect(home.every((s) => s.status === 200 && s.name?.startsWith('homePage:'))).toBe(true);
    expect(new Set(home.map((s) => s.name)).size).toBe(12);
  });

  const mixes: string[] = [];
  afterAll(() => console.log(`request mix per journey (reads/writes):\n${mixes.join('\n')}`));

  for (const name of ['smoke', 'search-heavy', 'encounter-heavy', 'hybrid']) {
    it(`runs every journey of ${name} once, in order, with every request and check passing`, async () => {
      const sc: Scenario = await loadScenario(name);
      const fed = await resolveFeeders(sc.feeders ?? {}, { fetchJson: fetchJsonFor(t) });
      for (const j of sc.journeys) {
        const vu = fakeVu(t, fed);
        const visits: string[] = [];
        for (const item of j.items) {
          if (!('step' in item)) continue;
          await item.step.run(vu);
          if (item.step.name === 'startVisit') visits.push(String(vu.vars.get('visitUuid')));
        }
        const failed = vu.sent.filter((s) => !s.ok);
        expect(failed, `${name}/${j.name}`).toEqual([]);
        expect(vu.checks.filter((c) => !c.ok), `${name}/${j.name}`).toEqual([]);
        expect(vu.vars.get('patientUuid'), `${name}/${j.name}`).toMatch(/^[0-9a-f-]{36}$/);
        const patient = await call(t, `patient/${String(vu.vars.get('patientUuid'))}?v=custom:(uuid)`);
        expect(patient.status).toBe(200);
        for (const v of visits) {
          const visit = await call(t, `visit/${v}?v=custom:(patient:(uuid),stopDatetime,encounters:(encounterType:(display),obs:(uuid)))`);
          expect(visit.json.patient.uuid).toBe(vu.vars.get('patientUuid'));
          const types = visit.json.encounters.map((e: any) => e.encounterType.display);
          if (j.items.some((i) => 'step' in i && i.step.name === 'recordVitals')) expect(types).toContain('Vitals');
          if (j.items.some((i) => 'step' in i && i.step.name === 'endVisit')) expect(visit.json.stopDatetime).not.toBeNull();
        }
        const reads = vu.sent.filter((s) => s.method === 'GET').length;
        mixes.push(`  ${name}/${j.name}: ${reads}/${vu.sent.length - reads}`);
      }
    });
  }

  it('records vitals with nine obs inside the concepts\' absolute ranges', async () => {
    const sc = await loadScenario('smoke');
    const vu = fakeVu(t, feeders);
    for (const item of sc.journeys[0]!.items) if ('step' in item) await item.step.run(vu);
    const enc = await call(t, `encounter?patient=${String(vu.vars.get('patientUuid'))}&encounterType=67a71486-1a54-468f-ac3e-7091a9a79584&v=custom:(obs:(value,concept:(uuid)),encounterProviders:(provider:(uuid)))`);
    const [vitals] = enc.json.results;
    expect(vitals.obs).toHaveLength(9);
    expect(vitals.encounterProviders[0].provider.uuid).toBe(vu.vars.get('providerUuid'));
    const byConcept = Object.fromEntries(vitals.obs.map((o: any) => [o.concept.uuid.replace(/A+$/, ''), o.value]));
    expect(byConcept['5085']).toBeGreaterThanOrEqual(60);
    expect(byConcept['5085']).toBeLessThanOrEqual(250);
    expect(byConcept['5092']).toBeLessThanOrEqual(100);
  });
});
