import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpConfig, startHaproxy } from '../src/infra/haproxy.ts';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import { freePort, stopPid } from '../src/infra/processes.ts';
import { startRedis, type RedisServer } from '../src/infra/redis.ts';
import { hazardTable, runHazards, type HazardOptions, type HazardResult } from '../src/probe/hazards/index.ts';
import type { RunningTarget, TargetOptions } from '../src/target/target.ts';
import { startDb, startTargetOn } from './support/stack.ts';

const REPLICAS = ['replica-1', 'replica-2'];
const CREDENTIALS = { username: 'admin', password: 'Admin123' };

let db: MariaDbServer;
let dir: string;
const targets: RunningTarget[] = [];
const haproxies: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loadlab-hazards-'));
  db = await startDb();
});

/** Closes every live target; before Redis stops, since a Redis-backed target cannot quit without it. */
async function closeTargets(): Promise<void> {
  await Promise.all(targets.splice(0).map((t) => t.close().catch(() => {})));
}

afterAll(async () => {
  await closeTargets();
  await Promise.all(haproxies.map((pid) => stopPid(pid)));
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(opts: Partial<TargetOptions>): Promise<RunningTarget> {
  const t = await startTargetOn(db, opts);
  targets.push(t);
  return t;
}

/** Waits until HAProxy sends a request carrying `SRV=<replica>` to that replica (its health checks passed). */
async function waitRouted(lbPort: number, replica: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${lbPort}/openmrs/health/started`, { headers: { cookie: `SRV=${replica}` } });
      const body = (await res.json()) as { replica?: string };
      if (body.replica === replica) return;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
  throw new Error(`HAProxy on ${lbPort} never routed to ${replica}`);
}

/**
 * Two replicas behind a sticky HAProxy. Killing a replica closes its target; restoring starts a fresh
 * one on the same port, so HAProxy's health checks bring the same server line back.
 */
async function cluster(name: string, extra: Partial<TargetOptions>): Promise<HazardOptions> {
  const live = new Map<string, RunningTarget>();
  for (const replica of REPLICAS) live.set(replica, await start({ ...extra, replica }));
  const ports = new Map([...live].map(([r, t]) => [r, t.port]));
  const lbPort = await freePort();
  const config = httpConfig(dir, name, lbPort, [...ports].map(([r, port]) => ({ name: r, port })));
  haproxies.push(await startHaproxy(dir, name, config));
  for (const r of REPLICAS) await waitRouted(lbPort, r);
  return {
    target: `http://127.0.0.1:${lbPort}/openmrs`,
    ...CREDENTIALS,
    async killReplica(replica) {
      const t = live.get(replica);
      if (!t) throw new Error(`no live replica ${replica}`);
      live.delete(replica);
      targets.splice(targets.indexOf(t), 1);
      await t.close();
    },
    async restoreReplica(replica) {
      live.set(replica, await start({ ...extra, replica, port: ports.get(replica)! }));
      await waitRouted(lbPort, replica);
    },
    onStep: (line) => console.log(`  [${name}] ${line}`),
  };
}

const byId = (results: HazardResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));

describe('loadlab hazards', () => {
  it('finds every hazard on a stock two-replica setup (in-memory sessions, local search index)', async () => {
    const results = await runHazards(await cluster('stock', {}));
    console.log(`stock two-replica setup:\n${hazardTable(results)}`);
    const r = byId(results);
    expect(results.map((x) => x.id)).toEqual(['stickiness', 'session-survival', 'read-your-writes', 'metadata-coherence']);
    expect(r.stickiness?.verdict, r.stickiness?.evidence).toBe('pass');
    expect(r['session-survival']?.verdict, r['session-survival']?.evidence).toBe('hazard');
    expect(r['session-survival']?.evidence).toMatch(/clear 401/);
    expect(r['session-survival']?.evidence).toMatch(/re-login with the same cookie jar worked/);
    expect(r['read-your-writes']?.verdict, r['read-your-writes']?.evidence).toBe('hazard');
    expect(r['read-your-writes']?.evidence).toMatch(/B \(SRV=replica-\d\) does not find it/);
    expect(r['read-your-writes']?.evidence).toMatch(/probe patient voided/);
    expect(r['metadata-coherence']?.verdict, r['metadata-coherence']?.evidence).toBe('hazard');
    expect(r['metadata-coherence']?.evidence).toMatch(/still shows the old description/);
    expect(r['metadata-coherence']?.evidence).toMatch(/original description restored/);
  }, 180_000);

  describe('with shared sessions and database search', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await closeTargets();
      await redis?.stop();
    });

    it('passes every probe', async () => {
      const results = await runHazards(await cluster('shared', { sessions: redis.url, search: 'db' }));
      console.log(`shared sessions + db search:\n${hazardTable(results)}`);
      for (const r of results) expect(r.verdict, `${r.id}: ${r.evidence}`).toBe('pass');
      expect(byId(results)['session-survival']?.evidence).toMatch(/the session survived/);
    }, 180_000);
  });

  it('says n/a for the cross-replica probes on a single target with no balancer', async () => {
    const solo = await start({ replica: 'solo' });
    let killed = 0;
    const results = await runHazards({
      target: solo.url,
      ...CREDENTIALS,
      killReplica: async () => {
        killed++;
      },
    });
    console.log(`single target, no balancer:\n${hazardTable(results)}`);
    const [stickiness, ...rest] = results;
    expect(stickiness?.verdict, stickiness?.evidence).toBe('pass');
    for (const r of rest) {
      expect(r.verdict, `${r.id}: ${r.evidence}`).toBe('n/a');
      expect(r.evidence).toMatch(/no load-balancer cookie/);
    }
    expect(killed).toBe(0);
  }, 120_000);

  it('reports a refused login instead of throwing', async () => {
    const solo = await start({ replica: 'solo-2' });
    const results = await runHazards({ target: solo.url, username: 'admin', password: 'wrong' });
    for (const r of results) {
      expect(r.verdict).toBe('n/a');
      expect(r.evidence).toMatch(/could not log in/);
    }
  });
});

describe('hazardTable', () => {
  it('wraps evidence within 120 columns', () => {
    const long = `${'word '.repeat(60)}${'x'.repeat(150)}`;
    const table = hazardTable([
      { id: 'metadata-coherence', title: 'Metadata cache coherence', verdict: 'hazard', evidence: long },
      { id: 'stickiness', title: 'Sticky sessions', verdict: 'pass', evidence: 'short' },
    ]);
    const lines = table.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(lines[0]).toMatch(/^probe\s+verdict\s+evidence$/);
    expect(table.replace(/\s+/g, '')).toContain('x'.repeat(150));
    expect(lines.at(-1)).toMatch(/^stickiness\s+pass\s+short$/);
  });
});
