/**
 * Virtual users inside a run, against a real local server: correlation through vars, checks, sessions
 * kept per VU across iterations, feeders, and failures that end an iteration without ending the run.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/engine/runner.ts';
import { thinkMs } from '../src/engine/vu.ts';
import { journeyPicker, mix, Prng } from '../src/scenario/sampling.ts';
import type { ExecutorConfig, Journey } from '../src/scenario/types.ts';
import { FakeSink, fakeOpenmrs, freePort, scenarioOf, step } from './support/engine.ts';

const creds = { username: 'admin', password: 'Admin123' };

describe('virtual users in a run', () => {
  const arrivals = (n: number): ExecutorConfig => ({ executor: 'constant-arrival-rate', rate: n * 2, duration: 0.5, preAllocatedVUs: 2, maxVUs: 4 });
  const base = { credentials: creds, feeders: {} };

  it('carries a value from one step to the next and counts checks', async () => {
    const { target, seen } = await fakeOpenmrs();
    const sink = new FakeSink();
    const scenario = scenarioOf([
      step('searchPatient', async (vu) => {
        const found = (await vu.http.get('/ws/rest/v1/patient?q=jane')).json<{ results: { uuid: string }[] }>();
        if (vu.check('found one', found.results.length === 1)) vu.vars.set('patient', found.results[0]!.uuid);
      }),
      { think: { kind: 'constant', seconds: 0.01 } },
      step('openChart', async (vu) => {
        const r = await vu.http.get(`/ws/rest/v1/patient/${String(vu.vars.get('patient'))}`);
        vu.check('same patient', r.json<{ uuid: string }>().uuid === vu.vars.get('patient'));
        vu.check('never true', false);
      }),
    ]);
    await runScenario({ ...base, scenario, load: arrivals(5), target, sink });
    expect(seen.filter((s) => s.url === '/openmrs/ws/rest/v1/patient/p-42')).toHaveLength(5);
    const count = (name: string, ok: boolean): number => sink.checks.filter((c) => c.name === name && c.ok === ok).length;
    expect([count('found one', true), count('same patient', true), count('never true', false), count('never true', true)]).toEqual([5, 5, 5, 0]);
    expect(sink.checks.find((c) => c.name === 'never true')!.step).toBe('openChart');
    expect(sink.iterations).toEqual(Array(5).fill({ journey: 'j', ok: true }));
    // The request after the think time is due at the think's planned end, 10 ms after the search ended.
    const bySent = [...sink.samples].sort((a, b) => a.sentAt - b.sentAt);
    const search = bySent.find((s) => s.step === 'searchPatient')!;
    const chart = bySent.find((s) => s.step === 'openChart' && s.intendedAt > search.endedAt)!;
    expect(chart.intendedAt - search.endedAt).toBeGreaterThanOrEqual(10);
  });

  it('gives each VU its own session, kept across iterations, while vars start empty each iteration', async () => {
    const { target, sessions } = await fakeOpenmrs();
    const sink = new FakeSink();
    const leaked: boolean[] = [];
    const scenario = scenarioOf([
      step('login', async (vu) => {
        leaked.push(vu.vars.has('mine'));
        const r = await vu.http.get('/ws/rest/v1/session', { basicAuth: true });
        vu.vars.set('mine', r.json<{ sessionId: string }>().sessionId);
      }),
    ]);
    await runScenario({ ...base, scenario, load: { executor: 'constant-vus', vus: 2, duration: 0.4 }, target, sink });
    expect(sessions).toEqual(['s1', 's2']);
    expect(sink.iterations.length).toBeGreaterThan(4);
    expect(leaked.every((l) => !l)).toBe(true);
  });

  it('feeds records round-robin per VU, each VU from its own offset', async () => {
    const { target } = await fakeOpenmrs();
    const sink = new FakeSink();
    const fed = new Map<number, string[]>();
    const records = Array.from({ length: 10 }, (_, i) => ({ id: String(i) }));
    const scenario = scenarioOf([
      step('pick', async (vu) => {
        fed.set(vu.vu, [...(fed.get(vu.vu) ?? []), vu.feed('patients').id!]);
        await vu.http.get('/whoami');
      }),
    ]);
    await runScenario({ ...base, feeders: { patients: records }, scenario, load: { executor: 'constant-vus', vus: 2, duration: 0.3 }, target, sink });
    expect(fed.get(1)!.slice(0, 3)).toEqual(['0', '1', '2']);
    expect(fed.get(2)!.slice(0, 3)).toEqual(['5', '6', '7']);
  });

  it('reports non-JSON pages and step exceptions as failed iterations; the run carries on', async () => {
    const { target } = await fakeOpenmrs();
    const sink = new FakeSink();
    const errors: string[] = [];
    const scenario = scenarioOf([
      step('openChart', async (vu) => void (await vu.http.get('/login.htm')).json()),
      step('never reached', async () => undefined),
    ]);
    await runScenario({ ...base, scenario, load: arrivals(5), target, sink, onError: (m) => errors.push(m) });
    expect(sink.samples.map((s) => s.errorClass)).toEqual(Array(5).fill('non-json'));
    expect(sink.iterations).toEqual(Array(5).fill({ journey: 'j', ok: false }));
    expect(errors).toEqual([]);

    const buggy = scenarioOf([step('buggy', async () => Promise.reject(new TypeError('x is undefined')))]);
    const sink2 = new FakeSink();
    await runScenario({ ...base, scenario: buggy, load: arrivals(5), target, sink: sink2, onError: (m) => errors.push(m) });
    expect(sink2.iterations).toEqual(Array(5).fill({ journey: 'j', ok: false }));
    expect(errors).toEqual(['j / buggy: x is undefined']);
  });

  it('ends normally against a refused connection, with connect errors', async () => {
    const sink = new FakeSink();
    const target = `http://127.0.0.1:${await freePort()}/openmrs`;
    const scenario = scenarioOf([step('login', async (vu) => void (await vu.http.get('/ws/rest/v1/session')))]);
    const r = await runScenario({ ...base, scenario, load: arrivals(10), target, sink });
    expect(r.aborted).toBe(false);
    expect(sink.samples.length).toBe(10);
    expect(sink.samples.every((s) => s.status === 0 && s.errorClass === 'connect')).toBe(true);
    expect(sink.iterations.every((i) => !i.ok)).toBe(true);
  });
});

describe('seeded choices', () => {
  it('samples think times with the right means, repeatably', () => {
    const mean = (t: Parameters<typeof thinkMs>[0]): number => {
      const rng = new Prng(mix(7, 1));
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += thinkMs(t, () => rng.next());
      return sum / 20_000;
    };
    expect(mean({ kind: 'constant', seconds: 2 })).toBe(2000);
    expect(mean({ kind: 'uniform', min: 1, max: 3 })).toBeCloseTo(2000, -2);
    expect(mean({ kind: 'exponential', mean: 2 })).toBeCloseTo(2000, -2);
    const a = new Prng(mix(1, 2));
    const b = new Prng(mix(1, 2));
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    expect(new Prng(mix(1, 3)).next()).not.toBe(new Prng(mix(1, 2)).next());
  });

  it('picks journeys by weight, the same way for the same seed', () => {
    const j = (name: string, weight: number): Journey => ({ name, weight, items: [] });
    const pick = journeyPicker([j('search', 3), j('register', 1), j('never', 0)], 42);
    const counts = new Map<string, number>();
    for (let i = 0; i < 8000; i++) counts.set(pick(0, i).name, (counts.get(pick(0, i).name) ?? 0) + 1);
    expect(counts.get('search')! / 8000).toBeCloseTo(0.75, 1);
    expect(counts.has('never')).toBe(false);
    const again = journeyPicker([j('search', 3), j('register', 1), j('never', 0)], 42);
    expect(Array.from({ length: 50 }, (_, i) => again(3, i).name)).toEqual(Array.from({ length: 50 }, (_, i) => pick(3, i).name));
    expect(() => journeyPicker([j('x', 0)], 1)).toThrow(/positive weight/);
  });
});
