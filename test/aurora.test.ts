import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locations, newCredentials } from '../src/infra/mariadb.ts';
import { isAlive, stopPid } from '../src/infra/processes.ts';
import { gtidSeq, measureLag, planAurora, readerStatus, restartReader, startAurora, type AuroraCluster, type AuroraPlan } from '../src/infra/replication.ts';
import { installSchema } from '../src/target/schema.ts';
import { seedDatabase } from '../src/target/seed/load.ts';
import { poll, query } from './support/db.ts';


describe('gtidSeq', () => {
  it('reads the sequence number of one domain from a GTID list', () => {
    expect(gtidSeq('0-1-812')).toBe(812);
    expect(gtidSeq('1-3-4,0-1-99')).toBe(99);
    expect(gtidSeq('1-3-4', 1)).toBe(4);
    expect(gtidSeq('')).toBe(0);
  });
});

describe('Aurora-like stand-in: one writer, one asynchronous GTID reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-'));
  const creds = newCredentials();
  let plan: AuroraPlan;
  let cluster: AuroraCluster;
  const started: number[] = [];
  const writer = () => locations(plan.writer.port, creds);
  const reader = () => locations((plan.readers[0] as AuroraPlan['readers'][number]).port, creds);

  beforeAll(async () => {
    plan = await planAurora(dir, 1);
    cluster = await startAurora(plan, creds, {
      bufferPool: '128M',
      beforeReaders: async (admin, app) => {
        await installSchema(app);
        await seedDatabase(admin, { patients: 200, sessionSql: ['SET SESSION sql_log_bin = 0'] });
      },
    });
    started.push(cluster.writerPid, ...cluster.readerPids);
  });

  afterAll(async () => {
    for (const pid of started) await stopPid(pid, 'SIGTERM', 60_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a writer and one reader, each its own process', () => {
    expect(cluster.readerPids).toHaveLength(1);
    for (const pid of started) expect(isAlive(pid)).toBe(true);
    expect(cluster.repl.password).toMatch(/^[0-9a-f]{24}$/);
  });

  it('has the seed, copied from the writer, on the reader', async () => {
    const [row] = await query(reader().app, 'SELECT COUNT(*) AS n FROM patient');
    expect(Number(row?.n)).toBe(200);
  });

  it('replicates a write on the writer to the reader', async () => {
    await query(writer().app, 'CREATE TABLE loadlab_probe (id INT PRIMARY KEY, note VARCHAR(40))');
    await query(writer().app, "INSERT INTO loadlab_probe VALUES (1, 'from the writer')");
    const rows = await poll('the row on the reader', () => query(reader().app, 'SELECT note FROM loadlab_probe WHERE id = 1'), (r) => r.length === 1);
    expect(rows[0]?.note).toBe('from the writer');
  });

  it('refuses application writes on the reader', async () => {
    await expect(query(reader().app, "INSERT INTO loadlab_probe VALUES (2, 'on the reader')")).rejects.toThrow(/read-only|read_only/i);
  });

  it('reports both replication threads running and a small GTID lag', async () => {
    const s = await poll('the reader to catch up', () => readerStatus(reader().admin, writer().admin), (v) => v.gtidLag === 0);
    expect(s).toMatchObject({ ioRunning: true, sqlRunning: true, gtidLag: 0, lastError: '' });
    expect(s.writerGtid).toBe(s.readerGtid);
    expect(gtidSeq(s.readerGtid)).toBeGreaterThan(0);
  });

  it('measures the lag with a heartbeat row', async () => {
    for (let i = 0; i < 3; i++) {
      const ms = await measureLag(writer().admin, reader().admin, 30_000);
      expect(Number.isFinite(ms)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(0);
    }
    const [row] = await query(reader().admin, 'SELECT COUNT(*) AS n FROM loadlab_heartbeat');
    expect(Number(row?.n)).toBe(1);
  });

  it('resumes replication by itself after the reader is killed and restarted', async () => {
    const old = cluster.readerPids[0] as number;
    process.kill(old, 'SIGKILL');
    await poll('the reader to exit', async () => isAlive(old), (alive) => !alive, 10_000);
    await query(writer().app, "INSERT INTO loadlab_probe VALUES (3, 'while the reader was down')");
    const spec = plan.readers[0] as AuroraPlan['readers'][number];
    const pid = await restartReader(spec.dir, spec.port, creds, writer().admin);
    started.push(pid);
    const rows = await poll('the missed row on the reader', () => query(reader().app, 'SELECT note FROM loadlab_probe WHERE id = 3'), (r) => r.length === 1);
    expect(rows[0]?.note).toBe('while the reader was down');
  }, 120_000);

  it('stops every server it started', async () => {
    for (const pid of started) await stopPid(pid, 'SIGTERM', 60_000);
    for (const pid of started) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  }, 120_000);
});
