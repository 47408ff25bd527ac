/**
 * The VU's HTTP client against a real local server: paths under the base path, Basic auth, JSON
 * bodies, per-VU cookie jars, replica attribution, acknowledged writes and error classes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, VuHttpClient, restResource } from '../src/engine/http.ts';
import type { MetricsSink } from '../src/engine/sink.ts';
import { StepError } from '../src/scenario/types.ts';
import { FakeSink, fakeOpenmrs, freePort } from './support/engine.ts';

const creds = { username: 'admin', password: 'Admin123' };
const transports: HttpTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
});

function client(target: string, sink: MetricsSink, timeoutMs?: number): VuHttpClient {
  const t = new HttpTransport({ target, basePath: '/openmrs', connections: 4, timeoutMs });
  transports.push(t);
  const c = new VuHttpClient(t, sink, { start: performance.now() }, creds);
  c.step = 'step';
  return c;
}

describe('VuHttpClient', () => {
  it('resolves paths under the base path, sends Basic auth and JSON bodies, and samples each request', async () => {
    const { target, seen } = await fakeOpenmrs();
    const sink = new FakeSink();
    const c = client(target, sink);
    c.nextIntendedAt = 0;
    const r = await c.get('/ws/rest/v1/session', { basicAuth: true, name: 'login' });
    expect(r.json<{ authenticated: boolean }>().authenticated).toBe(true);
    await c.post('/ws/rest/v1/patient', { person: { gender: 'F' } });
    // A `links` URL from OpenMRS is followed on the target, whatever host it names.
    await c.get('http://openmrs.example:8080/openmrs/ws/rest/v1/patient/p-42');
    c.flush();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /openmrs/ws/rest/v1/session',
      'POST /openmrs/ws/rest/v1/patient',
      'GET /openmrs/ws/rest/v1/patient/p-42',
    ]);
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('admin:Admin123').toString('base64')}`);
    expect(seen[1]!.headers.authorization).toBeUndefined();
    expect(seen[1]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[1]!.body)).toEqual({ person: { gender: 'F' } });
    const [login, create] = sink.samples;
    expect(login).toMatchObject({ step: 'step', name: 'login', method: 'GET', status: 200, ok: true, intendedAt: 0 });
    expect(create).toMatchObject({ name: 'step', method: 'POST', status: 201, ok: true, intendedAt: login!.endedAt });
    for (const s of sink.samples) {
      expect(s.bytesIn).toBeGreaterThan(s.method === 'GET' ? 20 : 10);
      expect(s.bytesOut).toBeGreaterThan(40);
      expect(s.endedAt).toBeGreaterThanOrEqual(s.sentAt);
    }
    expect(create!.bytesOut).toBeGreaterThan(login!.bytesOut - 60 + JSON.stringify({ person: { gender: 'F' } }).length);
  });

  it('keeps one cookie jar per VU, honours Max-Age=0 and clearCookies', async () => {
    const { target, seen } = await fakeOpenmrs();
    const sink = new FakeSink();
    const [a, b] = [client(target, sink), client(target, sink)];
    await a.get('/ws/rest/v1/session');
    await b.get('/ws/rest/v1/session');
    const ra = await a.get('/whoami');
    const rb = await b.get('/whoami');
    expect(ra.json()).toEqual({ cookie: 'JSESSIONID=s1' });
    expect(rb.json()).toEqual({ cookie: 'JSESSIONID=s2' });
    await a.get('/logout');
    expect((await a.get('/whoami')).json()).toEqual({ cookie: null });
    b.clearCookies();
    await b.get('/whoami');
    expect(seen.at(-1)!.headers.cookie).toBeUndefined();
  });

  it('names the replica from a sticky load-balancer cookie, else from X-Served-By', async () => {
    const { target } = await fakeOpenmrs();
    const sink = new FakeSink();
    const sticky = client(target, sink);
    await sticky.get('/ws/rest/v1/session'); // JSESSIONID alone says nothing about the replica
    await sticky.get('/lb');
    await sticky.get('/whoami');
    const served = client(target, sink);
    await served.get('/served');
    sticky.flush();
    served.flush();
    expect(sink.samples.map((s) => s.replica)).toEqual([undefined, 'replica-2', 'replica-2', 'r7']);
  });

  it('reports 201s with a uuid as acknowledged writes, by resource', async () => {
    const { target } = await fakeOpenmrs();
    const sink = new FakeSink();
    const c = client(target, sink);
    await c.post('/ws/rest/v1/patient', {});
    await c.post('/ws/rest/v1/visit/v-1', { stopDatetime: 'now' }); // an update: 200, not a new write
    await c.post('/ws/rest/v1/patient/p-1/identifier', {});
    expect(sink.acks).toEqual([
      { resource: 'patient', uuid: 'new-1', step: 'step' },
      { resource: 'patient/p-1/identifier', uuid: 'i-1', step: 'step' },
    ]);
    expect(restResource('/openmrs/ws/rest/v1/encounter?v=full')).toBe('encounter');
    expect(restResource('/openmrs/ws/fhir2/R4/Patient')).toBeUndefined();
  });

  it('classifies statuses against `expect`', async () => {
    const { target } = await fakeOpenmrs();
    const sink = new FakeSink();
    const c = client(target, sink);
    await c.get('/status/404');
    await c.get('/status/503');
    await c.get('/status/200', { expect: [201] });
    await c.get('/status/404', { expect: [404] });
    await c.get('/status/302');
    await c.get('/status/204', { expect: (s) => s === 204 });
    c.flush();
    expect(sink.samples.map((s) => [s.status, s.ok, s.errorClass])).toEqual([
      [404, false, 'http-4xx'],
      [503, false, 'http-5xx'],
      [200, false, 'unexpected-status'],
      [404, true, undefined],
      [302, true, undefined],
      [204, true, undefined],
    ]);
    expect(c.failures).toBe(3);
  });

  it('turns an HTML page where JSON was expected into a non-json error on its sample', async () => {
    const { target } = await fakeOpenmrs();
    const sink = new FakeSink();
    const c = client(target, sink);
    const r = await c.get('/login.htm');
    expect(r.text).toContain('please log in');
    let err: unknown;
    try {
      r.json();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).errorClass).toBe('non-json');
    expect((err as StepError).message).toContain('text/html;charset=UTF-8');
    expect((err as StepError).message).toContain('<!DOCTYPE html> <html><head><title>OpenMRS - Login</title>');
    c.flush();
    expect(sink.samples[0]).toMatchObject({ status: 200, ok: false, errorClass: 'non-json' });
  });

  it('records transport failures with status 0 and throws them as StepErrors', async () => {
    const sink = new FakeSink();
    const refused = client(`http://127.0.0.1:${await freePort()}/openmrs`, sink);
    await expect(refused.get('/ws/rest/v1/session')).rejects.toMatchObject({ errorClass: 'connect' });
    const { target } = await fakeOpenmrs();
    const slow = client(target, sink, 300);
    await expect(slow.get('/slow')).rejects.toMatchObject({ errorClass: 'timeout' });
    refused.flush();
    slow.flush();
    expect(sink.samples.map((s) => [s.status, s.ok, s.errorClass])).toEqual([
      [0, false, 'connect'],
      [0, false, 'timeout'],
    ]);
  });
});
