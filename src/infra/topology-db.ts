import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { parseDbUrl, type DbLocation } from '../core/db-url.ts';
import type { Component, TopologySpec } from '../core/topology.ts';
import { hasSchema, installSchema } from '../target/schema.ts';
import { seedDatabase } from '../target/seed/load.ts';
import { galeraNodeName, planGalera, startGalera } from './galera.ts';
import { haproxyFiles, mysqlConfig, startHaproxy } from './haproxy.ts';
import { bootstrapNode, locations, nodeFiles, waitUntilAccepting, type DbCredentials } from './mariadb.ts';
import { freePort } from './processes.ts';
import { planAurora, startAurora } from './replication.ts';

export interface StartedDb {
  /** Where replicas connect: the node itself, the Aurora writer, or the Galera proxy (added by the caller). */
  appDb: DbLocation;
  admin: DbLocation;
  replicationPassword?: string;
}

const BUFFER_POOL = '256M';

/** Installs OpenMRS's schema when missing and seeds when there are no patients yet. */
export async function prepareData(app: DbLocation, patients: number, sessionSql: string[], onStep: (s: string) => void): Promise<void> {
  if (!(await hasSchema(app))) await installSchema(app);
  const c = await mysql.createConnection(app);
  let existing: number;
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM patient');
    existing = Number(rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
  if (existing > 0) {
    onStep(`database already holds ${existing.toLocaleString('en')} patients: not seeding`);
    return;
  }
  if (patients === 0) return;
  const stats = await seedDatabase(app, { patients, sessionSql });
  onStep(`seeded ${patients.toLocaleString('en')} patients (${stats.rows.obs.toLocaleString('en')} obs) in ${stats.seconds.toFixed(1)} s`);
}

type Step = (line: string) => void;
type Record = (c: Component) => void;
/** Records a folder created outside the topology folder, so that `down` (or a roll-back) removes it. */
type Outside = (dir: string) => void;

/** Starts (or, for a URL, checks) the database of a topology and seeds it when empty. */
export async function startDatabase(
  spec: TopologySpec, root: string, creds: DbCredentials, onStep: Step, record: Record, outside: Outside,
): Promise<StartedDb> {
  switch (spec.db.kind) {
    case 'single':
      return startSingle(root, creds, spec, onStep, record);
    case 'external':
      return useExternal(spec.db.url, spec, onStep);
    case 'galera':
      return startGaleraDb(root, creds, spec, spec.db.nodes, onStep, record, outside);
    case 'aurora':
      return startAuroraDb(root, creds, spec, spec.db.readers, onStep, record);
  }
}

async function startSingle(root: string, creds: DbCredentials, spec: TopologySpec, onStep: Step, record: Record): Promise<StartedDb> {
  const dir = join(root, 'db-1');
  const port = await freePort();
  const pid = await bootstrapNode({ dir, port, bufferPool: BUFFER_POOL }, creds);
  const loc = locations(port, creds);
  record({ name: 'db-1', kind: 'mariadb', role: 'database', pid, port, dir, log: nodeFiles(dir).log, extra: {} });
  onStep(`MariaDB db-1 up on port ${port}`);
  await prepareData(loc.app, spec.patients, [], onStep);
  return { appDb: loc.app, admin: loc.admin };
}

/** A database loadlab did not start (e.g. a real Aurora endpoint): used as given, seeded only when empty. */
async function useExternal(url: string, spec: TopologySpec, onStep: Step): Promise<StartedDb> {
  const db = parseDbUrl(url);
  await prepareData(db, spec.patients, [], onStep);
  return { appDb: db, admin: db };
}

async function startGaleraDb(
  root: string, creds: DbCredentials, spec: TopologySpec, nodes: number, onStep: Step, record: Record, outside: Outside,
): Promise<StartedDb> {
  // rsync SST runs as `nobody` when we are root, and must reach the datadirs: a home folder
  // such as /root (mode 700) would stop it, so the cluster then lives in a traversable temp folder.
  let clusterDir = join(root, 'galera');
  if (process.getuid?.() === 0) {
    clusterDir = mkdtempSync(join(tmpdir(), 'loadlab-galera-'));
    chmodSync(clusterDir, 0o711);
    outside(clusterDir);
  }
  const plan = await planGalera(clusterDir, nodes);
  // Seeded on node 1 before anyone joins, outside replication: the joiners copy the files by SST.
  const pids = await startGalera(plan, creds, {
    bufferPool: BUFFER_POOL,
    beforeJoin: (admin) => prepareData(admin, spec.patients, ['SET SESSION wsrep_on = OFF'], onStep),
  });
  plan.forEach((n, i) =>
    record({
      name: galeraNodeName(n), kind: 'galera', role: `Galera node ${n.index}`, pid: pids[i]!, port: n.port, dir: n.dir,
      log: nodeFiles(n.dir).log, extra: { index: n.index, gmcastPort: n.gmcastPort, istPort: n.istPort, sstPort: n.sstPort },
    }),
  );
  onStep(`Galera cluster of ${nodes} node(s) Synced`);
  const dir = join(root, 'dbproxy');
  const port = await freePort();
  const backends = plan.map((n) => ({ name: galeraNodeName(n), port: n.port }));
  const pid = await startHaproxy(dir, 'dbproxy', mysqlConfig(dir, 'dbproxy', port, backends, spec.galeraWriters));
  const role = spec.galeraWriters === 'one' ? 'HAProxy TCP, one writer + backups' : 'HAProxy TCP, all nodes write';
  record({ name: 'dbproxy', kind: 'dbproxy', role, pid, port, dir, log: haproxyFiles(dir, 'dbproxy').log, extra: {} });
  const loc = locations(port, creds);
  await waitUntilAccepting(loc.admin, pid, haproxyFiles(dir, 'dbproxy').log, 30_000);
  onStep(`HAProxy dbproxy up on port ${port}`);
  return { appDb: loc.app, admin: loc.admin };
}

async function startAuroraDb(root: string, creds: DbCredentials, spec: TopologySpec, readers: number, onStep: Step, record: Record): Promise<StartedDb> {
  const plan = await planAurora(join(root, 'aurora'), readers);
  // Seeded on the writer outside the binlog: readers start from a copy of its files.
  const cluster = await startAurora(plan, creds, {
    bufferPool: BUFFER_POOL,
    beforeReaders: (admin) => prepareData(admin, spec.patients, ['SET SESSION sql_log_bin = 0'], onStep),
  });
  const w = plan.writer;
  record({ name: w.name, kind: 'mariadb', role: 'Aurora-like writer (local stand-in)', pid: cluster.writerPid, port: w.port, dir: w.dir, log: nodeFiles(w.dir).log, extra: {} });
  plan.readers.forEach((r, i) =>
    record({ name: r.name, kind: 'reader', role: 'async GTID reader (local stand-in)', pid: cluster.readerPids[i]!, port: r.port, dir: r.dir, log: nodeFiles(r.dir).log, extra: {} }),
  );
  onStep(`Aurora-like writer and ${readers} reader(s) replicating`);
  const loc = locations(w.port, creds);
  return { appDb: loc.app, admin: loc.admin, replicationPassword: cluster.repl.password };
}
