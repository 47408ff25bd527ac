import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbLine } from '../src/core/resources.ts';
import { planGalera, startGalera, type GaleraNodeSpec } from '../src/infra/galera.ts';
import { locations, newCredentials } from '../src/infra/mariadb.ts';
import { stopPid } from '../src/infra/processes.ts';
import { planAurora, startAurora, type AuroraPlan } from '../src/infra/replication.ts';
import { DbProbe } from '../src/probe/db.ts';
import { poll, query } from './support/db.ts';

describe('database probe on an Aurora-like writer and reader', () => {
  const creds = newCredentials();
  const started: number[] = [];
  let dir = '';
  let plan: AuroraPlan;
  let probe: DbProbe;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-probe-aurora-'));
    plan = await planAurora(dir, 1);
    const cluster = await startAurora(plan, creds, {
      bufferPool: '64M',
      beforeReaders: async (_admin, app) => {
        await query(app, 'CREATE TABLE lag_rows (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40))');
      },
    });
    started.push(cluster.writerPid, ...cluster.readerPids);
    const reader = plan.readers[0] as AuroraPlan['readers'][number];
    probe = new DbProbe([
      { node: 'writer', role: 'writer', db: locations(plan.writer.port, creds).admin },
      { node: 'reader-1', role: 'reader', db: locations(reader.port, creds).admin },
    ]);
  });

  afterAll(async () => {
    await probe?.close();
    for (const pid of started) await stopPid(pid, 'SIGTERM', 60_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports the reader lag in seconds and transactions, and no lag fields for the writer', async () => {
    expect(await probe.sampleAll(0)).toEqual([]);
    const writer = locations(plan.writer.port, creds).app;
    for (let i = 0; i < 20; i++) await query(writer, 'INSERT INTO lag_rows (note) VALUES (?)', [`n${i}`]);
    let t = 1;
    const lines = await poll(
      'the reader to report zero lag',
      async () => probe.sampleAll(t++),
      (ls) => ls.find((l) => l.node === 'reader-1')?.readerLagTransactions === 0,
    );
    for (const l of lines) DbLine.parse(l);
    const r = lines.find((l) => l.node === 'reader-1');
    expect(r).toMatchObject({ up: true, role: 'reader', readerLagSeconds: 0, readerLagTransactions: 0, replica: { ioRunning: true, sqlRunning: true } });
    const w = lines.find((l) => l.node === 'writer');
    expect(w?.up).toBe(true);
    expect(w?.readerLagSeconds).toBeUndefined();
    expect(probe.caps.lists().available).toEqual(expect.arrayContaining(['reader-1: reader lag (SHOW SLAVE STATUS)', 'reader-1: GTID gap']));
  });

  it('sees the writes on the writer and their replay on the reader', async () => {
    const writer = locations(plan.writer.port, creds).app;
    await probe.sampleAll(100);
    for (let i = 0; i < 15; i++) await query(writer, 'INSERT INTO lag_rows (note) VALUES (?)', [`m${i}`]);
    await poll('the rows on the reader', () => query(locations((plan.readers[0] as AuroraPlan['readers'][number]).port, creds).app, 'SELECT COUNT(*) AS n FROM lag_rows'), (rows) => Number(rows[0]?.n) === 35);
    const lines = await probe.sampleAll(101);
    const byNode = (n: string) => lines.find((l) => l.node === n) as DbLine;
    expect(byNode('writer').status.Com_insert).toBeGreaterThanOrEqual(15);
    // Replicated row events are applied below the SQL layer: rows, not statements, reach the reader.
    expect(byNode('reader-1').status.Handler_write ?? byNode('reader-1').status.Innodb_rows_inserted).toBeGreaterThanOrEqual(15);
  });
});

describe('database probe on a one-node Galera cluster', () => {
  const creds = newCredentials();
  let dir = '';
  let nodes: GaleraNodeSpec[] = [];
  let pids: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-probe-galera-'));
    nodes = await planGalera(dir, 1);
    pids = await startGalera(nodes, creds, { bufferPool: '64M' });
  });

  afterAll(async () => {
    for (const pid of pids) await stopPid(pid, 'SIGTERM', 60_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads wsrep counters: cluster size, state, replicated write-sets, flow control', async () => {
    const node = nodes[0] as GaleraNodeSpec;
    const probe = new DbProbe([{ node: 'galera-1', role: 'galera', db: locations(node.port, creds).admin }]);
    try {
      await probe.sampleAll(0);
      const app = locations(node.port, creds).app;
      await query(app, 'CREATE TABLE ws_rows (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40))');
      for (let i = 0; i < 10; i++) await query(app, 'INSERT INTO ws_rows (note) VALUES (?)', [`w${i}`]);
      const [line] = await probe.sampleAll(1);
      const l = DbLine.parse(line);
      expect(l.wsrep).toMatchObject({ clusterSize: 1, state: 'Synced', localState: 4, ready: true, certFailures: 0 });
      expect(l.wsrep?.replicated).toBeGreaterThanOrEqual(10);
      expect(l.wsrep?.flowControlPaused).toBeGreaterThanOrEqual(0);
      expect(l.wsrep?.flowControlPausedFrom).toBe('ns-delta');
      expect(probe.caps.lists().available).toContain('galera-1: wsrep counters');
    } finally {
      await probe.close();
    }
  });
});
