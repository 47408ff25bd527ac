import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import { startRedis, type RedisServer } from '../src/infra/redis.ts';
import type { RunningTarget } from '../src/target/target.ts';
import { ADMIN, call, startDb, startTargetOn } from './support/stack.ts';

/** Logs in through `t` and returns the JSESSIONID cookie it set. */
async function login(t: RunningTarget): Promise<string> {
  const r = await call(t, 'session', { auth: ADMIN });
  expect(r.json.authenticated).toBe(true);
  const cookie = r.headers.get('set-cookie');
  expect(cookie).toMatch(/^JSESSIONID=[0-9A-F]{32};/);
  return cookie!.split(';')[0]!;
}

describe('sessions and per-replica state', () => {
  let db: MariaDbServer;
  let redis: RedisServer;
  const targets: RunningTarget[] = [];
  beforeAll(async () => {
    [db, redis] = await Promise.all([startDb(), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
    await Promise.all([db?.stop(), redis?.stop()]);
  });
  const start = async (opts: Parameters<typeof startTargetOn>[1]) => {
    const t = await startTargetOn(db, opts);
    targets.push(t);
    return t;
  };

  it('authenticates later requests by the cookie alone, and DELETE /session logs out', async () => {
    const a = await start({ replica: 'a' });
    const cookie = await login(a);
    const me = await call(a, 'session', { auth: null, headers: { cookie } });
    expect(me.json).toMatchObject({ authenticated: true, user: { username: 'admin' } });
    expect(me.headers.get('x-served-by')).toBe('a');
    expect((await call(a, 'session', { method: 'DELETE', auth: null, headers: { cookie } })).status).toBe(204);
    expect((await call(a, 'session', { auth: null, headers: { cookie } })).json.authenticated).toBe(false);
  });

  it('sets and validates the session location', async () => {
    const a = await start({ replica: 'a2' });
    const cookie = await login(a);
    const ok = await call(a, 'session', { auth: null, headers: { cookie }, body: { sessionLocation: '44c3efb0-2583-4c80-a79e-1f756a03c0a1' } });
    expect(ok.status).toBe(200);
    expect(ok.json.sessionLocation).toMatchObject({ uuid: '44c3efb0-2583-4c80-a79e-1f756a03c0a1', display: 'Outpatient Clinic' });
    const bad = await call(a, 'session', { auth: null, headers: { cookie }, body: { sessionLocation: 'no-such-location' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/location/i);
  });

  it('keeps in-memory sessions on their own replica: another replica answers 401', async () => {
    const a = await start({ replica: 'mem-a' });
    const b = await start({ replica: 'mem-b' });
    const cookie = await login(a);
    expect((await call(a, 'location?tag=Login%20Location', { auth: null, headers: { cookie } })).status).toBe(200);
    const other = await call(b, 'location?tag=Login%20Location', { auth: null, headers: { cookie } });
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toBe('Basic realm="OpenMRS at /openmrs"');
  });

  it('shares sessions between replicas through Redis', async () => {
    const a = await start({ replica: 'redis-a', sessions: redis.url });
    const b = await start({ replica: 'redis-b', sessions: redis.url });
    const cookie = await login(a);
    const other = await call(b, 'session', { auth: null, headers: { cookie } });
    expect(other.json.authenticated).toBe(true);
    expect(other.headers.get('x-served-by')).toBe('redis-b');
  });

  it('answers unknown paths 404 and wrong methods 405 with OpenMRS error bodies', async () => {
    const a = await start({ replica: 'errs' });
    const notFound = await call(a, 'nosuchresource');
    expect(notFound.status).toBe(404);
    expect(notFound.json.error).toHaveProperty('message');
    const wrong = await call(a, 'session', { method: 'PUT', body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.json.error.code).toBeTruthy();
  });
});
