import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDbUrl } from '../src/core/db-url.ts';
import { auditLedger } from '../src/engine/ledger.ts';
import { readRun } from '../src/engine/run-dir.ts';
import { seedDatabase } from '../src/target/seed/load.ts';
import { dbLookup } from '../src/probe/ledger-db.ts';
import type { MariaDbServer } from '../src/infra/mariadb.ts';
import type { RunningTarget } from '../src/target/target.ts';
import { register } from './support/patients.ts';
import { loadlab } from './support/cli.ts';
import { startDb, startTargetOn } from './support/stack.ts';

describe('loadlab run', () => {
  let db: MariaDbServer;
  let t: RunningTarget;
  let html: Server;
  let htmlUrl: string;
  const cwd = mkdtempSync(join(tmpdir(), 'loadlab-runs-'));
  beforeAll(async () => {
    db = await startDb();
    await seedDatabase(db.app, { patients: 200 });
    t = await startTargetOn(db);
    html = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please log in</body></html>'));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
    htmlUrl = `http://127.0.0.1:${(html.address() as { port: number }).port}/openmrs`;
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
    html?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('writes a valid, complete run directory and exits 0 when thresholds hold', async () => {
    const out = join(cwd, 'complete');
    const r = await loadlab(['run', 'smoke', '--target', t.url, '--duration', '4s', '--out', out, '--db-url', formatDbUrl(db.app)]);
    expect(r.code, r.err + r.out).toBe(0);
    const run = readRun(out);
    expect(run.resources.some((l) => l.type === 'process' && l.role === 'generator')).toBe(true);
    expect(run.resources.some((l) => l.type === 'db' && (l.status.Com_select ?? 0) > 0)).toBe(true);
    expect(run.db?.end?.nodes[0]?.tables?.some((tb) => tb.table_name === 'obs')).toBe(true);
    expect(run.summary?.ledger?.method).toBe('database');
    expect(JSON.stringify(run)).not.toContain(db.app.password);
    expect(run.meta.status).toBe('complete');
    expect(run.summary?.requests.count).toBeGreaterThan(0);
    expect(run.timeline.some((l) => l.type === 'step')).toBe(true);
    expect(run.summary?.ledger?.lost).toBe(0);
    expect(JSON.stringify(run)).not.toContain('Admin123');
  });

  it('leaves a valid run directory marked interrupted after Ctrl-C', async () => {
    const out = join(cwd, 'interrupted');
    const r = await loadlab(['run', 'smoke', '--target', t.url, '--duration', '60s', '--out', out], { interruptAfterMs: 6000 });
    expect(r.err).toMatch(/interrupted/);
    const run = readRun(out);
    expect(run.meta.status).toBe('interrupted');
    expect(run.summary?.status).toBe('interrupted');
    expect(run.summary!.durationSeconds).toBeLessThan(60);
  });

  it('fails thresholds with exit code 1 and names them', async () => {
    const scenario = join(cwd, 'strict.mts');
    const { writeFileSync } = await import('node:fs');
    const dsl = fileURLToPath(new URL('../src/scenario/dsl.ts', import.meta.url));
    writeFileSync(
      scenario,
      `import { scenario, journey, httpStep } from '${dsl}';
export default scenario({ name: 'strict', description: 'impossible threshold', defaultProfile: 'smoke',
  profiles: { smoke: { executor: 'constant-vus', vus: 1, duration: '2s' } },
  thresholds: { http_req_duration: ['p(99)<0.001'] },
  journeys: [journey('one', 1, httpStep('health', 'GET', '/health/started'))] });
`,
    );
    const r = await loadlab(['run', scenario, '--target', t.url, '--out', join(cwd, 'strict')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/thresholds failed: http_req_duration p\(99\)<0.001/);
  });

  it('says clearly when the target is unreachable or is not OpenMRS', async () => {
    const down = await loadlab(['run', 'smoke', '--target', 'http://127.0.0.1:9/openmrs', '--out', join(cwd, 'x')]);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/cannot reach the target at http:\/\/127.0.0.1:9\/openmrs/);
    const page = await loadlab(['run', 'smoke', '--target', htmlUrl, '--out', join(cwd, 'y')]);
    expect(page.code).toBe(2);
    expect(page.err).toMatch(/text\/html, not OpenMRS's JSON/);
    const remote = await loadlab(['run', 'smoke', '--target', 'http://192.0.2.1/openmrs']);
    expect(remote.code).toBe(2);
    expect(remote.err).toMatch(/--allow-remote/);
    const bad = await loadlab(['run', 'no-such-scenario', '--target', t.url]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/no-such-scenario/);
    expect(readdirSync(cwd)).not.toContain('x');
  });

  it('finds an acknowledged write that was deleted behind its back', async () => {
    const uuid = (await register(t, { given: 'Ledger', family: 'Vanish' })).uuid as string;
    const kept = (await register(t, { given: 'Ledger', family: 'Stays' })).uuid as string;
    const c = await mysql.createConnection(db.admin);
    try {
      await c.query('SET foreign_key_checks = 0');
      await c.query('DELETE FROM person WHERE uuid = ?', [uuid]);
    } finally {
      await c.end();
    }
    const audit = await auditLedger(
      [{ resource: 'patient', uuid, step: 'registerPatient', at: 1 }, { resource: 'patient', uuid: kept, step: 'registerPatient', at: 2 }],
      dbLookup(db.app),
      'database',
    );
    expect(audit).toMatchObject({ acknowledged: 2, found: 1, lost: 1 });
    expect(audit.lostExamples[0]?.uuid).toBe(uuid);
  });
});
