import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbLocation } from '../src/core/db-url.ts';
import { DbLine, DbSnapshot, ResourceLine } from '../src/core/resources.ts';
import { startMariaDb, type MariaDbServer } from '../src/infra/mariadb.ts';
import { freePort } from '../src/infra/processes.ts';
import { describeSqlError } from '../src/probe/capabilities.ts';
import { statusDeltas, toStatusMap, wsrepSample } from '../src/probe/db-status.ts';
import { DbProbe } from '../src/probe/db.ts';
import { startProbes } from '../src/probe/sampler.ts';
import { dbJson, digestsBetween, snapshotDb } from '../src/probe/snapshot.ts';
import { poll, query } from './support/db.ts';

const status = (o: Record<string, string | number>) => toStatusMap(Object.entries(o).map(([Variable_name, Value]) => ({ Variable_name, Value })));

describe('status deltas', () => {
  it('differences counters, keeps gauges without the probe itself, and starts over when the server restarted', () => {
    const prev = status({ Uptime: 100, Questions: 1000, Com_select: 500, Threads_running: 3 });
    expect(statusDeltas(prev, status({ Uptime: 101, Questions: 1040, Com_select: 520, Threads_running: 5 }))).toEqual({
      Uptime: 101, Questions: 40, Com_select: 20, Threads_running: 4,
    });
    const own = { before: status({ Com_select: 7, Select_scan: 7 }), after: status({ Com_select: 8, Select_scan: 8 }) };
    expect(statusDeltas(status({ Uptime: 1, Com_select: 10, Select_scan: 10 }), status({ Uptime: 2, Com_select: 13, Select_scan: 11 }), own)).toMatchObject({
      Com_select: 2, Select_scan: 0,
    });
    expect(statusDeltas(prev, status({ Uptime: 2, Questions: 30, Com_select: 9, Threads_running: 1 }))).toMatchObject({ Questions: 30, Com_select: 9 });
  });

  it('reads wsrep only from a node with a provider, flow control from the ns counter when there is one', () => {
    const plain = status({ wsrep_cluster_size: 0, wsrep_provider_name: '', Uptime: 1 });
    expect(wsrepSample(plain, plain, 1)).toBeUndefined();
    const base = { wsrep_provider_name: 'Galera', wsrep_local_state_comment: 'Synced', wsrep_local_state: 4, wsrep_ready: 'ON', wsrep_cluster_size: 3 };
    const w = wsrepSample(
      status({ ...base, wsrep_flow_control_paused_ns: 1e9, wsrep_flow_control_sent: 2, wsrep_local_cert_failures: 1, wsrep_flow_control_paused: 0.01 }),
      status({ ...base, wsrep_flow_control_paused_ns: 1.25e9, wsrep_flow_control_sent: 5, wsrep_local_cert_failures: 1, wsrep_flow_control_paused: 0.01, wsrep_local_recv_queue: 7 }),
      0.5,
    );
    expect(w).toMatchObject({ clusterSize: 3, state: 'Synced', localState: 4, ready: true, flowControlPaused: 0.5, flowControlPausedFrom: 'ns-delta', flowControlSent: 3, certFailures: 0, recvQueue: 7 });
    const old = wsrepSample(status({ ...base, wsrep_flow_control_paused: 0.2 }), status({ ...base, wsrep_flow_control_paused: 0.2 }), 1);
    expect(old).toMatchObject({ flowControlPaused: 0.2, flowControlPausedFrom: 'fraction' });
  });

  it('names the missing privilege or table in a refusal', () => {
    expect(describeSqlError({ errno: 1227, message: 'Access denied; you need (at least one of) the PROCESS privilege(s) for this operation' })).toBe('no PROCESS privilege');
    expect(describeSqlError({ errno: 1142, message: "SELECT command denied to user 'u'@'localhost' for table `performance_schema`.`events_statements_summary_by_digest`" })).toBe(
      'no SELECT privilege on events_statements_summary_by_digest',
    );
  });
});

describe('digestsBetween', () => {
  const d = (digest: string, count: number, secs: number) => ({
    schema: 'openmrs', digest, digest_text: `q ${digest}`, count_star: count, sum_timer_wait_seconds: secs, max_timer_wait_seconds: 1,
    sum_lock_time_seconds: 0, sum_errors: 0, sum_rows_examined: count * 10, sum_rows_sent: count, sum_rows_affected: 0, sum_no_index_used: 0,
    sum_no_good_index_used: 0, sum_created_tmp_tables: 0, sum_created_tmp_disk_tables: 0, sum_select_full_join: 0, sum_select_scan: 0, sum_sort_rows: 0,
  });
  it('subtracts the start, keeps new statements, drops idle ones and orders by time', () => {
    const out = digestsBetween([d('a', 10, 5), d('b', 3, 1)], [d('a', 15, 6), d('b', 3, 1), d('c', 2, 4)]);
    expect(out.map((x) => [x.digest, x.count_star, x.sum_timer_wait_seconds, x.sum_rows_examined])).toEqual([
      ['c', 2, 4, 20],
      ['a', 5, 1, 50],
    ]);
  });
});

describe('database probe on a private MariaDB', () => {
  let server: MariaDbServer;
  let down: DbLocation;
  const nodes = () => [{ node: 'db-1', role: 'database', db: server.admin }];

  beforeAll(async () => {
    server = await startMariaDb({ bufferPool: '64M' });
    down = { ...server.admin, port: await freePort() };
    await query(server.app, 'CREATE TABLE probe_rows (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NOT NULL)');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('counts the statements and rows run between two samples', async () => {
    const probe = new DbProbe(nodes());
    const n = 25;
    try {
      expect(await probe.sampleAll(0)).toEqual([]);
      // Nobody else uses this server: the probe's own statements must not show as activity. A
      // connection closed in beforeAll may reach the server late (its COM_QUIT counts as a question),
      // so one idle interval must come out at zero within a few samples; a probe that counted itself never would.
      let idle: DbLine | undefined;
      for (let i = 0; i < 10 && (idle === undefined || idle.status.Questions !== 0); i++) {
        [idle] = (await probe.sampleAll(0)) as DbLine[];
      }
      expect(idle?.status).toMatchObject({ Questions: 0, Com_select: 0, Select_scan: 0, Created_tmp_tables: 0, Rows_sent: 0 });
      const c = await mysql.createConnection(server.app);
      for (let i = 0; i < n; i++) {
        await c.query('SELECT ? AS v', [i]);
        await c.query('INSERT INTO probe_rows (note) VALUES (?)', [`row ${i}`]);
      }
      await c.end();
      const [line] = await probe.sampleAll(1);
      const l = DbLine.parse(line);
      expect(l).toMatchObject({ type: 'db', t: 1, node: 'db-1', up: true });
      expect(l.status.Com_select).toBeGreaterThanOrEqual(n);
      expect(l.status.Com_insert).toBeGreaterThanOrEqual(n);
      // MariaDB 10.6+ dropped Innodb_rows_*; Handler_write counts the same rows there.
      expect(l.status.Innodb_rows_inserted ?? l.status.Handler_write).toBeGreaterThanOrEqual(n);
      expect(l.status.Innodb_rows_read ?? l.status.Rows_read).toBeGreaterThanOrEqual(0);
      expect(l.status.Questions).toBeGreaterThanOrEqual(2 * n);
      expect(l.status.Threads_connected).toBeGreaterThanOrEqual(0);
      expect(l.wsrep).toBeUndefined();
      expect(l.readerLagSeconds).toBeUndefined();
      expect(probe.caps.lists().unavailable).toContain('db-1: wsrep counters (not a Galera node)');
    } finally {
      await probe.close();
    }
  });

  it('gives up:false lines for a node nobody listens on, every time, without throwing', async () => {
    const probe = new DbProbe([{ node: 'gone', role: 'writer', db: down }]);
    for (const t of [0, 1]) {
      const [line] = await probe.sampleAll(t);
      expect(ResourceLine.parse(line)).toMatchObject({ type: 'db', node: 'gone', up: false, t });
      expect((line as DbLine).error).toMatch(/ECONNREFUSED/);
    }
    await probe.close();
  });

  it('snapshots statement digests and table sizes, and what ran during the run', async () => {
    await query(server.app, "INSERT INTO probe_rows (note) VALUES ('sized 1'), ('sized 2'), ('sized 3')");
    const start = await snapshotDb(nodes(), { limit: 50 });
    await query(server.app, 'SELECT SLEEP(0.2), COUNT(*) AS n FROM probe_rows WHERE note LIKE ?', ['row%']);
    await query(server.app, 'SELECT SLEEP(0.2), COUNT(*) AS n FROM probe_rows WHERE note LIKE ?', ['row 1%']);
    await query(server.app, 'ANALYZE TABLE probe_rows');
    const end = await snapshotDb(nodes());
    const json = DbSnapshot.parse(JSON.parse(JSON.stringify(dbJson(start, end))));

    const endNode = json.end?.nodes[0];
    expect(endNode).toMatchObject({ node: 'db-1', up: true });
    const mine = (text: string | null) => /SLEEP/.test(text ?? '') && /probe_rows/.test(text ?? '');
    expect(endNode?.digests?.some((d) => mine(d.digest_text) && d.count_star >= 2 && d.schema === 'openmrs')).toBe(true);
    const during = json.duringRun['db-1']?.find((d) => mine(d.digest_text));
    expect(during?.count_star).toBe(2);
    expect(during?.sum_timer_wait_seconds).toBeGreaterThan(0);

    const table = endNode?.tables?.find((t) => t.table_name === 'probe_rows');
    expect(table?.table_rows).toBeGreaterThan(0);
    expect(table?.data_length).toBeGreaterThan(0);
    expect(json.available).toEqual(expect.arrayContaining(['db-1: statement digests', 'db-1: table sizes of openmrs']));
  });

  it('records what a user without privileges cannot see, and a node that is down', async () => {
    const weak = { ...server.app, user: 'probe_weak', password: 'weak-pw-1' };
    await query(server.admin, "CREATE USER 'probe_weak'@'127.0.0.1' IDENTIFIED BY 'weak-pw-1'");
    await query(server.admin, "GRANT SELECT ON openmrs.* TO 'probe_weak'@'127.0.0.1'");
    const targets = [
      { node: 'weak', role: 'reader', db: weak },
      { node: 'gone', role: 'writer', db: down },
    ];
    const probe = new DbProbe(targets);
    await probe.sampleAll(0);
    const lines = await probe.sampleAll(1);
    expect(lines.find((l) => l.node === 'weak')).toMatchObject({ up: true, readerLagSeconds: null, readerLagTransactions: null });
    const json = dbJson(await snapshotDb(targets), await snapshotDb(targets), probe.caps.lists());
    await probe.close();
    expect(json.unavailable).toEqual(
      expect.arrayContaining([
        'weak: statement digests (no SELECT privilege on events_statements_summary_by_digest)',
        expect.stringMatching(/^weak: reader lag \(SHOW SLAVE STATUS\) \(no .*(SLAVE MONITOR|REPLICATION CLIENT).* privilege\)$/),
        expect.stringMatching(/^gone: snapshot \(unreachable: .*ECONNREFUSED/),
      ]),
    );
    expect(json.available).toContain('weak: table sizes of openmrs');
  });

  it('runs beside a workload: process and database lines on the run clock, all valid', async () => {
    const lines: ResourceLine[] = [];
    const probes = startProbes({
      processes: [{ name: 'db-1', role: 'database', pid: server.pid }],
      dbNodes: [...nodes(), { node: 'gone', role: 'writer', db: down }],
      writeLine: (l) => lines.push(ResourceLine.parse(l)),
      intervalMs: 250,
      clockStart: performance.now() - 2000,
    });
    await probes.ready;
    for (let i = 0; i < 10; i++) await query(server.app, 'INSERT INTO probe_rows (note) VALUES (?)', [`during ${i}`]);
    await sleep(800);
    const stats = await probes.stop();
    expect(stats.writeErrors).toBe(0);
    const dbLines = lines.filter((l): l is DbLine => l.type === 'db');
    expect(dbLines.some((l) => l.node === 'db-1' && l.up)).toBe(true);
    expect(dbLines.some((l) => l.node === 'gone' && !l.up)).toBe(true);
    expect(lines.some((l) => l.type === 'process' && l.name === 'db-1' && l.alive && l.rssMiB > 0)).toBe(true);
    expect(lines.some((l) => l.type === 'process' && l.role === 'generator')).toBe(true);
    // The clock started 2 s before the probes, so no line can be about an earlier second.
    for (const l of lines) expect(l.t).toBeGreaterThanOrEqual(2);
    const inserted = dbLines.filter((l) => l.node === 'db-1').reduce((s, l) => s + (l.status.Innodb_rows_inserted ?? l.status.Handler_write ?? 0), 0);
    expect(inserted).toBeGreaterThanOrEqual(10);
    const caps = probes.capabilities();
    expect(caps.available).toContain('db-1: server CPU and memory');
    expect(caps.unavailable).toContain('gone: server CPU and memory (not a process on this machine)');
  });

  it('keeps sampling when a node is frozen (SIGSTOP): up:false after the timeout, then back', async () => {
    const lines: ResourceLine[] = [];
    const probes = startProbes({
      dbNodes: nodes(),
      writeLine: (l) => lines.push(ResourceLine.parse(l)),
      intervalMs: 200,
      db: { queryTimeoutMs: 400, connectTimeoutMs: 400 },
    });
    await probes.ready;
    const dbLines = () => lines.filter((l): l is DbLine => l.type === 'db' && l.node === 'db-1');
    process.kill(server.pid, 'SIGSTOP');
    try {
      await poll('an up:false line', async () => dbLines(), (ls) => ls.some((l) => !l.up), 15_000);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    const downAt = dbLines().findIndex((l) => !l.up);
    await poll('an up line after the freeze', async () => dbLines().slice(downAt), (ls) => ls.some((l) => l.up), 15_000);
    const stats = await probes.stop();
    expect(stats.skippedDbSamples).toBeGreaterThan(0);
    // The generator's own lines kept coming while the database hung.
    expect(lines.filter((l) => l.type === 'process').length).toBeGreaterThan(1);
  });

  it('reports performance_schema being off', async () => {
    const off = await startMariaDb({ bufferPool: '32M', settings: { performance_schema: 'OFF' } });
    try {
      const cap = await snapshotDb([{ node: 'off', role: 'database', db: off.admin }]);
      expect(cap.snapshot.nodes[0]?.digests).toBeNull();
      expect(cap.caps.unavailable).toContain('off: statement digests (performance_schema is off)');
    } finally {
      await off.stop();
    }
  });
});
