import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { applyFault } from '../src/infra/fault.ts';
import { galeraStatus } from '../src/infra/galera.ts';
import { locations } from '../src/infra/mariadb.ts';
import { readState } from '../src/infra/state.ts';
import { topologyStatus } from '../src/infra/status.ts';
import { runHazards } from '../src/probe/hazards/index.ts';
import { ADMIN_AUTH, Browser, until, upInTemp } from './support/topology.ts';

/** Logs in through the balancer until `n` browsers sit on different replicas (by the SRV cookie). */
async function browsersOnDistinctReplicas(url: string, n: number): Promise<Browser[]> {
  const byReplica = new Map<string, Browser>();
  for (let i = 0; i < 10 * n && byReplica.size < n; i++) {
    const b = new Browser(url);
    expect((await b.get('/ws/rest/v1/session', ADMIN_AUTH)).json.authenticated).toBe(true);
    byReplica.set(b.cookies.get('SRV')!, b);
  }
  expect(byReplica.size).toBe(n);
  return [...byReplica.values()];
}

describe('2 replicas over galera:3', () => {
  let t: Awaited<ReturnType<typeof upInTemp>>;
  beforeAll(async () => {
    t = await upInTemp({ replicas: 2, db: { kind: 'galera', nodes: 3 } });
  });
  afterAll(async () => {
    if (t) expect(await t.tearDown()).toEqual([]);
  });

  it('is healthy: three Synced nodes, a database proxy, two replicas and a balancer', async () => {
    const s = await topologyStatus(t.state);
    expect(s.components.map((c) => c.kind).sort()).toEqual(['dbproxy', 'galera', 'galera', 'galera', 'lb', 'replica', 'replica']);
    expect(s.healthy).toBe(true);
    expect(s.database.clusterSize).toBe(3);
  });

  it('routes new sessions to both replicas and keeps each session on its own', async () => {
    const [a, b] = await browsersOnDistinctReplicas(t.state.targetUrl, 2);
    for (const browser of [a!, b!]) {
      const first = await browser.get('/ws/rest/v1/location?tag=Login%20Location');
      for (let i = 0; i < 10; i++) {
        const r = await browser.get('/ws/rest/v1/location?tag=Login%20Location');
        expect(r.status).toBe(200);
        expect(r.servedBy).toBe(first.servedBy);
      }
    }
    expect(a!.cookies.get('SRV')).not.toBe(b!.cookies.get('SRV'));
  });

  it('fails over when a replica dies: requests continue after a new login', async () => {
    const [a] = await browsersOnDistinctReplicas(t.state.targetUrl, 2);
    const victim = a!.cookies.get('SRV')!;
    const index = Number(victim.replace('replica-', ''));
    await applyFault('kill', `replica:${index}`, { cwd: t.cwd });
    const after = await a!.get('/ws/rest/v1/location?tag=Login%20Location');
    expect(after.status).toBe(401); // in-memory session lost with its replica
    expect((await a!.get('/ws/rest/v1/session', ADMIN_AUTH)).json.authenticated).toBe(true);
    const again = await a!.get('/ws/rest/v1/location?tag=Login%20Location');
    expect(again.status).toBe(200);
    expect(again.servedBy).not.toBe(victim);
    await applyFault('start', `replica:${index}`, { cwd: t.cwd });
  });

  it('keeps taking writes when a Galera node is killed, and the node rejoins by IST with them', async () => {
    const state = readState(t.cwd)!;
    const node3 = state.components.find((c) => c.name === 'galera-3')!;
    const node1 = state.components.find((c) => c.name === 'galera-1')!;
    await applyFault('kill', 'db:3', { cwd: t.cwd });
    await until('cluster size 2', async () => (await galeraStatus(locations(node1.port, state.credentials).admin)).clusterSize === 2);
    const b = new Browser(t.state.targetUrl);
    await b.get('/ws/rest/v1/session', ADMIN_AUTH);
    const id = await b.post('/ws/rest/v1/idgen/identifiersource/8549f706-7e85-4c1d-9424-217d50a2988b/identifier', {});
    expect(id.status).toBe(200); // a write (idgen's sequence) through the proxy while a node is down
    await applyFault('start', 'db:3', { cwd: t.cwd });
    const admin3 = locations(node3.port, state.credentials).admin;
    expect((await galeraStatus(admin3)).clusterSize).toBe(3);
    const c = await mysql.createConnection(admin3);
    try {
      const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT next_sequence_value AS v FROM idgen_seq_id_gen WHERE id = 1');
      expect(Number(rows[0]?.v)).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(node3.log, 'utf8')).toMatch(/Receiving IST/);
  });

  it('finds the stale-search and stale-cache hazards and the session loss, with in-memory state', async () => {
    const results = await runHazards({
      target: t.state.targetUrl, username: 'admin', password: 'Admin123',
      killReplica: async (name) => void (await applyFault('kill', `replica:${name.replace('replica-', '')}`, { cwd: t.cwd })),
      restoreReplica: async (name) => void (await applyFault('start', `replica:${name.replace('replica-', '')}`, { cwd: t.cwd })),
    });
    expect(Object.fromEntries(results.map((r) => [r.id, r.verdict]))).toEqual({
      stickiness: 'pass', 'session-survival': 'hazard', 'read-your-writes': 'hazard', 'metadata-coherence': 'hazard',
    });
  });
});

describe('2 replicas over aurora:1, sessions in Redis, search from the database', () => {
  let t: Awaited<ReturnType<typeof upInTemp>>;
  beforeAll(async () => {
    t = await upInTemp({ replicas: 2, db: { kind: 'aurora', readers: 1 }, sessions: 'redis', search: 'db' });
  });
  afterAll(async () => {
    if (t) expect(await t.tearDown()).toEqual([]);
  });

  it('is healthy and reports the reader and its lag', async () => {
    const s = await topologyStatus(t.state);
    expect(s.healthy).toBe(true);
    expect(s.components.map((c) => c.kind).sort()).toEqual(['lb', 'mariadb', 'reader', 'redis', 'replica', 'replica']);
    const readers = s.database.readers as { secondsBehind: number | null; transactionsBehind: number | null }[];
    expect(readers).toHaveLength(1);
    expect(readers[0]!.secondsBehind).toEqual(expect.any(Number));
    expect(readers[0]!.transactionsBehind).toEqual(expect.any(Number));
  });

  it('passes every hazard probe: shared sessions, search and metadata from the database', async () => {
    const results = await runHazards({
      target: t.state.targetUrl, username: 'admin', password: 'Admin123',
      killReplica: async (name) => void (await applyFault('kill', `replica:${name.replace('replica-', '')}`, { cwd: t.cwd })),
      restoreReplica: async (name) => void (await applyFault('start', `replica:${name.replace('replica-', '')}`, { cwd: t.cwd })),
    });
    expect(results.map((r) => `${r.id}: ${r.verdict}`)).toEqual([
      'stickiness: pass', 'session-survival: pass', 'read-your-writes: pass', 'metadata-coherence: pass',
    ]);
  });
});
