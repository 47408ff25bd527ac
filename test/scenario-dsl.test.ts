import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import { httpStep, journey, parseDuration, scenario, step, think } from '../src/scenario/dsl.ts';
import { parseCsv, resolveFeeders } from '../src/scenario/feeders.ts';
import { loadScenario, resolveScenarioPath } from '../src/scenario/load.ts';
import { scenarioProblems } from '../src/scenario/validate.ts';
import { StepError, type HttpResponse, type VuContext } from '../src/scenario/types.ts';

const DSL = join(import.meta.dirname, '..', 'src', 'scenario', 'dsl.ts');
const dir = mkdtempSync(join(tmpdir(), 'loadlab-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes a scenario module into the temp dir (a new name each time: imports are cached per URL). */
function scenarioFile(body: string, opts: { header?: boolean } = {}): string {
  const file = join(dir, `s${++files}.ts`);
  const header = `import { journey, scenario, step, think } from ${JSON.stringify(DSL)};\nconst noop = async () => {};\n`;
  writeFileSync(file, (opts.header === false ? '' : header) + body);
  return file;
}

const valid = (over: { journeys?: string; profiles?: string; extra?: string } = {}) => `
export default scenario({
  name: 'test', description: 'a test scenario',
  journeys: [${over.journeys ?? `journey('nurse', 1, step('login', noop), think.uniform(1, 2), step('recordVitals', noop))`}],
  profiles: { ${over.profiles ?? `smoke: { executor: 'constant-vus', vus: 2, duration: '30s' }`} },
  defaultProfile: 'smoke',
  ${over.extra ?? ''}
});`;

async function loadError(file: string): Promise<UsageError> {
  const e = await loadScenario(file).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(UsageError);
  return e as UsageError;
}

describe('parseDuration', () => {
  it('reads seconds and k6-style text', () => {
    expect(parseDuration(30)).toBe(30);
    expect(parseDuration('30')).toBe(30);
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1h30m15s')).toBe(5415);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('1.5m')).toBe(90);
    expect(parseDuration(' 2m ')).toBe(120);
  });
  it('rejects anything else', () => {
    for (const bad of ['', '5x', '1h 30m', 'm5', '-3s', 'five minutes']) expect(() => parseDuration(bad), bad).toThrow(/invalid duration/);
    expect(() => parseDuration(-1)).toThrow(/invalid duration/);
    expect(() => parseDuration(Number.NaN)).toThrow(/invalid duration/);
  });
});

describe('scenario builders', () => {
  it('fill defaults, normalise durations and flatten journey items', () => {
    const s1 = step('a', async () => {});
    const s = scenario({
      name: 'x', description: '',
      journeys: [journey('j', 2, [s1, think.constant(1)], [[think.exponential(3)]], { step: s1 })],
      profiles: {
        smoke: { executor: 'ramping-vus', stages: [{ duration: '1m', target: 5 }], gracefulRampDown: '10s' },
        nightly: { executor: 'constant-arrival-rate', rate: 2, timeUnit: '1m', duration: '1h30m', preAllocatedVUs: 5 },
      },
      defaultProfile: 'smoke',
    });
    expect(s.basePath).toBe('/openmrs');
    expect(s.gracefulStop).toBe(30);
    expect(s.profiles.smoke).toEqual({ executor: 'ramping-vus', stages: [{ duration: 60, target: 5 }], gracefulRampDown: 10 });
    expect(s.profiles.nightly).toMatchObject({ timeUnit: 60, duration: 5400 });
    expect(s.journeys[0]!.items).toEqual([{ step: s1 }, { think: { kind: 'constant', seconds: 1 } }, { think: { kind: 'exponential', mean: 3 } }, { step: s1 }]);
    expect(scenarioProblems(s)).toEqual([]);
  });

  it('httpStep interpolates vars into the path, checks and saves from the response', async () => {
    const calls: { method: string; path: string; body: unknown }[] = [];
    const checks: [string, boolean][] = [];
    const reply: HttpResponse = { status: 200, headers: {}, text: '{"results":[{"uuid":"u-1"}]}', json: <T>() => JSON.parse(reply.text) as T };
    const vu = {
      vars: new Map<string, unknown>([['patient', 'p 1']]),
      http: { request: async (method: string, path: string, o: { body?: unknown }) => (calls.push({ method, path, body: o.body }), reply) },
      check: (n: string, ok: boolean) => (checks.push([n, ok]), ok),
    } as unknown as VuContext;
    const s = httpStep('lookup', 'POST', '/things/{patient}/items', {
      body: (v) => ({ who: v.vars.get('patient') }),
      check: { 'has results': (r) => r.json<{ results: unknown[] }>().results.length > 0 },
      save: { first: 'results.0.uuid', status: (r) => r.status },
    });
    await s.run(vu);
    expect(calls).toEqual([{ method: 'POST', path: '/things/p%201/items', body: { who: 'p 1' } }]);
    expect(checks).toEqual([['has results', true]]);
    expect(vu.vars.get('first')).toBe('u-1');
    expect(vu.vars.get('status')).toBe(200);
    await expect(httpStep('x', 'GET', '/a/{missing}').run(vu)).rejects.toThrow(StepError);
    await expect(httpStep('y', 'GET', '/a', { save: { z: 'results.9.uuid' } }).run(vu)).rejects.toThrow(/nothing to save as 'z'/);
  });
});

describe('loadScenario: finding, importing and validating scenario files', () => {
  it('resolves bare names to the built-in scenarios', async () => {
    expect(resolveScenarioPath('search-heavy')).toMatch(/scenarios[\\/]search-heavy\.ts$/);
    expect(resolveScenarioPath('smoke.ts')).toMatch(/scenarios[\\/]smoke\.ts$/);
    expect((await loadScenario('smoke')).name).toBe('smoke');
    const e = await loadError('no-such-scenario');
    expect(e.message).toMatch(/'no-such-scenario' not found/);
    expect(e.hint).toMatch(/search-heavy/);
  });

  it('loads a valid file', async () => {
    const s = await loadScenario(scenarioFile(valid()));
    expect(s.profiles.smoke).toEqual({ executor: 'constant-vus', vus: 2, duration: 30 });
  });

  it('names the file on a syntax error and on a missing default export', async () => {
    const syntax = scenarioFile('export default scenario({ name: "x", journeys: [ ;', { header: true });
    const e1 = await loadError(syntax);
    expect(e1.message).toContain(syntax);
    expect(e1.message).toMatch(/could not be loaded/);
    const noDefault = scenarioFile("export const s = 1;\n", { header: false });
    const e2 = await loadError(noDefault);
    expect(e2.message).toBe(`${noDefault}: has no default export`);
    expect(e2.hint).toMatch(/export default scenario/);
    const notObject = await loadError(scenarioFile('export default 42;\n', { header: false }));
    expect(notObject.message).toMatch(/not a scenario object/);
  });

  it('names file, journey, item, step and problem for a bad think time', async () => {
    const file = scenarioFile(valid({ journeys: `journey('nurse', 1, step('login', noop), step('recordVitals', noop), think.uniform(5, 2), step('logout', noop))` }));
    const e = await loadError(file);
    expect(e.message).toBe(`${file}: journey 'nurse', item 3 (think time after step 'recordVitals'): think time 'uniform' needs min ≤ max (got 5 > 2)`);
    // Inside the working directory, files are named relative to it.
    const relative = await loadScenario(file.slice(dir.length + 1), dir).catch((err: Error) => err.message);
    expect(relative).toMatch(/^s\d+\.ts: journey 'nurse', item 3/);
    const neg = await loadError(scenarioFile(valid({ journeys: `journey('j', 1, think.constant(-1), step('a', noop))` })));
    expect(neg.message).toMatch(/journey 'j', item 1 \(think time at the start\): seconds: must be ≥ 0/);
    const exp = await loadError(scenarioFile(valid({ journeys: `journey('j', 1, step('a', noop), think.exponential(0))` })));
    expect(exp.message).toMatch(/item 2 \(think time after step 'a'\): mean: must be > 0/);
  });

  it('reports duplicate names, empty names, bad weights and missing steps', async () => {
    const dupJourney = await loadError(scenarioFile(valid({ journeys: `journey('a', 1, step('x', noop)), journey('a', 2, step('y', noop))` })));
    expect(dupJourney.message).toMatch(/journey 'a': two journeys have this name/);
    const dupStep = await loadError(scenarioFile(valid({ journeys: `journey('doctor', 1, step('search', noop), step('search', async () => {}))` })));
    expect(dupStep.message).toMatch(/journey 'doctor', item 2 \(step 'search'\): another step in this journey has the same name/);
    const same = scenarioFile(valid({ journeys: `(() => { const s = step('search', noop); return journey('clerk', 1, s, think.constant(1), s); })()` }));
    await expect(loadScenario(same)).resolves.toBeDefined();
    const problems = (await loadError(scenarioFile(valid({ journeys: `journey('', 0, step('', noop)), journey('t', 1, think.constant(1)), journey('u', 1)` })))).message.split('\n');
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/journey #1: name: journey name must not be empty/),
      expect.stringMatching(/journey #1: weight: must be > 0/),
      expect.stringMatching(/journey #1, item 1 \(step ''\): name: step name must not be empty$/),
      expect.stringMatching(/journey 'u': items: a journey needs at least one step/),
    ]));
    expect(problems).toHaveLength(4);
    const thinkOnly = await loadError(scenarioFile(valid({ journeys: `journey('t', 1, think.constant(1))` })));
    expect(thinkOnly.message).toMatch(/journey 't': has think times but no step/);
    const undef = await loadError(scenarioFile(valid({ journeys: `journey('j', 1, step('a', noop), undefined)` })));
    expect(undef.message).toMatch(/journey 'j', item 2 \(not a step\): not a step or a think time/);
  });

  it('checks executor options, rejecting unknown ones', async () => {
    const unknown = await loadError(scenarioFile(valid({ profiles: `smoke: { executor: 'constant-vus', vus: 2, duration: '30s', rate: 5 }` })));
    expect(unknown.message).toMatch(/profile 'smoke' \(constant-vus\): unknown option 'rate' for executor 'constant-vus' \(allowed: vus, duration\)/);
    const cases: [string, RegExp][] = [
      [`smoke: { executor: 'constant-vus', vus: 0, duration: 30 }`, /vus: must be ≥ 1/],
      [`smoke: { executor: 'warp-speed', vus: 1 }`, /unknown executor "warp-speed"/],
      [`smoke: { executor: 'ramping-vus', stages: [] }`, /stages: stages must not be empty/],
      [`smoke: { executor: 'constant-arrival-rate', rate: 0, duration: 30, preAllocatedVUs: 1 }`, /rate: must be > 0/],
      [`smoke: { executor: 'constant-arrival-rate', rate: 1, duration: 30, preAllocatedVUs: 0 }`, /preAllocatedVUs: must be ≥ 1/],
      [`smoke: { executor: 'constant-arrival-rate', rate: 1, duration: 30, preAllocatedVUs: 10, maxVUs: 5 }`, /maxVUs: maxVUs must be ≥ preAllocatedVUs/],
      [`smoke: { executor: 'ramping-arrival-rate', stages: [{ duration: 10, target: 0 }], preAllocatedVUs: 1 }`, /every rate is 0/],
      [`nightly: { executor: 'constant-vus', vus: 1, duration: 1 }`, /defaultProfile 'smoke' is not among the profiles \(nightly\)/],
    ];
    for (const [profiles, re] of cases) expect((await loadError(scenarioFile(valid({ profiles })))).message, profiles).toMatch(re);
    const plain = scenarioFile(`export default { name: 'p', description: '', journeys: [{ name: 'j', weight: 1, items: [{ step: { name: 'a', run: noop } }] }],
      profiles: { smoke: { executor: 'constant-vus', vus: 1, duration: '30s' } }, defaultProfile: 'smoke' };`);
    expect((await loadError(plain)).message).toMatch(/profile 'smoke' \(constant-vus\): duration: must be a number of seconds \(wrap the scenario in scenario\(\)/);
    const proto = await loadError(scenarioFile(valid({ profiles: `smoke: { executor: 'constructor' }` })));
    expect(proto.message).toMatch(/unknown executor "constructor"/);
    const duration = await loadError(scenarioFile(valid({ profiles: `smoke: { executor: 'constant-vus', vus: 1, duration: '5 minutes' }` })));
    expect(duration.message).toMatch(/could not be loaded: profile 'smoke': duration: invalid duration '5 minutes'/);
  });

  it('parses threshold keys and expressions, and checks feeders', async () => {
    const ok = `thresholds: { http_req_failed: ['rate<0.01'], 'http_req_duration{step:searchPatient}': ['p(95)<1000', { threshold: 'p(99.9) <= 2500', abortOnFail: true }], 'http_req_duration{name:openChart:fhirPatient,status:200}': ['avg<300'] },`;
    await expect(loadScenario(scenarioFile(valid({ extra: ok })))).resolves.toBeDefined();
    const badExpr = await loadError(scenarioFile(valid({ extra: `thresholds: { http_req_failed: ['less than 1%'] },` })));
    expect(badExpr.message).toMatch(/threshold 'http_req_failed': 0: expected 'aggregation operator number'/);
    const badKey = await loadError(scenarioFile(valid({ extra: `thresholds: { 'http_req_duration{step}': ['p(95)<1'] },` })));
    expect(badKey.message).toMatch(/expected 'metric' or 'metric\{tag:value\}'/);
    const feeder = await loadError(scenarioFile(valid({ extra: `feeders: { p: { kind: 'csv', path: '' }, q: { kind: 'sql' } },` })));
    expect(feeder.message).toMatch(/feeder 'p': path: path must not be empty/);
    expect(feeder.message).toMatch(/feeder 'q': kind: unknown kind/);
    const undeclared = scenarioFile(`import { searchPatient } from ${JSON.stringify(join(DSL, '..', 'openmrs', 'index.ts'))};\n` +
      valid({ journeys: `journey('desk', 1, searchPatient({ by: 'partial' }))` }));
    expect((await loadError(undeclared)).message).toMatch(/item 1 \(step 'searchPatient'\): reads feeder 'patients', which the scenario does not declare/);
    const unknownField = await loadError(scenarioFile(valid({ extra: `threshold: {},` })));
    expect(unknownField.message).toMatch(/unknown field 'threshold'/);
  });
});

describe('feeders', () => {
  it('parses CSV with quoted commas, doubled quotes, line breaks, CRLF and a BOM', () => {
    const text = '\uFEFFgivenName,familyName,note\r\n"Mary, Jane",Otieno,"said ""hi"""\r\n\r\nAmina,"Wanjiru","two\nlines"\nJosé,,\n';
    expect(parseCsv(text)).toEqual([
      { givenName: 'Mary, Jane', familyName: 'Otieno', note: 'said "hi"' },
      { givenName: 'Amina', familyName: 'Wanjiru', note: 'two\nlines' },
      { givenName: 'José', familyName: '', note: '' },
    ]);
    expect(parseCsv('a,b\n1,2')).toEqual([{ a: '1', b: '2' }]);
  });

  it('names the line of a malformed CSV row', () => {
    expect(() => parseCsv('a,b\n1,2\n"x\ny",2,3\n', 'people.csv')).toThrow('people.csv: line 3: 3 fields, but the header has 2');
    expect(() => parseCsv('a,b\n"open,2\n')).toThrow(/line 2: a quoted field is not closed/);
    expect(() => parseCsv('')).toThrow(/no header row/);
  });

  it('resolves inline and CSV feeders', async () => {
    writeFileSync(join(dir, 'patients.csv'), 'identifier,name\n100-1,"Otieno, Achieng"\n');
    const noFetch = { fetchJson: async () => { throw new Error('not used'); }, baseDir: dir };
    const fed = await resolveFeeders({ inline: { kind: 'inline', records: [{ q: 'ma' }] }, file: { kind: 'csv', path: 'patients.csv' } }, noFetch);
    expect(fed).toEqual({ inline: [{ q: 'ma' }], file: [{ identifier: '100-1', name: 'Otieno, Achieng' }] });
    const missing = await resolveFeeders({ f: { kind: 'csv', path: 'nope.csv' } }, noFetch).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UsageError);
    expect((missing as Error).message).toMatch(/feeder 'f': cannot read .*nope\.csv: ENOENT/);
  });
});
