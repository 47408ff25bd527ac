import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { galeraStatus, planGalera, restartGaleraNode, startGalera, type GaleraNodeSpec } from '../src/infra/galera.ts';
import { locations, newCredentials, nodeFiles } from '../src/infra/mariadb.ts';
import { isAlive, stopPid } from '../src/infra/processes.ts';
import { installSchema } from '../src/target/schema.ts';
import { seedDatabase } from '../src/target/seed/load.ts';
import { poll, query } from './support/db.ts';


describe('Galera cluster of 3 nodes on loopback', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-'));
  const creds = newCredentials();
  let nodes: GaleraNodeSpec[] = [];
  let pids: number[] = [];
  const started: number[] = [];
  const admin = (i: number) => locations((nodes[i] as GaleraNodeSpec).port, creds).admin;

  beforeAll(async () => {
    nodes = await planGalera(dir, 3);
    pids = await startGalera(nodes, creds, {
      bufferPool: '128M',
      beforeJoin: async (adminLoc, app) => {
        await installSchema(app);
        await seedDatabase(adminLoc, { patients: 200, sessionSql: ['SET SESSION wsrep_on = OFF'] });
      },
    });
    started.push(...pids);
  });

  afterAll(async () => {
    for (const pid of started) await stopPid(pid, 'SIGTERM', 60_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes up with every node Synced in a cluster of 3', async () => {
    expect(pids).toHaveLength(3);
    expect(new Set(nodes.flatMap((n) => [n.port, n.gmcastPort, n.istPort, n.sstPort])).size).toBe(12);
    for (let i = 0; i < 3; i++) {
      const s = await galeraStatus(admin(i));
      expect(s).toMatchObject({ state: 'Synced', ready: true, clusterSize: 3 });
    }
  });

  it('has the seed, copied by SST, on every node', async () => {
    for (let i = 0; i < 3; i++) {
      const [row] = await query(admin(i), 'SELECT COUNT(*) AS n FROM patient');
      expect(Number(row?.n), `node ${i + 1}`).toBe(200);
    }
  });

  it('replicates a write on node 2 to node 3', async () => {
    await query(admin(1), 'CREATE TABLE loadlab_probe (id INT PRIMARY KEY, note VARCHAR(40))');
    await query(admin(1), "INSERT INTO loadlab_probe VALUES (1, 'from node 2')");
    const rows = await poll('the row on node 3', () => query(admin(2), 'SELECT note FROM loadlab_probe WHERE id = 1'), (r) => r.length === 1);
    expect(rows[0]?.note).toBe('from node 2');
  });

  it('keeps taking writes on a cluster of 2 after node 3 is killed', async () => {
    const victim = pids[2] as number;
    process.kill(victim, 'SIGKILL');
    await poll('node 3 to exit', async () => isAlive(victim), (alive) => !alive, 10_000);
    for (const i of [0, 1]) await poll(`cluster size 2 on node ${i + 1}`, () => galeraStatus(admin(i)), (s) => s.clusterSize === 2);
    for (let id = 10; id < 20; id++) await query(admin(id % 2), 'INSERT INTO loadlab_probe VALUES (?, ?)', [id, 'while node 3 was down']);
    const [row] = await query(admin(0), "SELECT COUNT(*) AS n FROM loadlab_probe WHERE note = 'while node 3 was down'");
    expect(Number(row?.n)).toBe(10);
  }, 120_000);

  it('brings node 3 back by IST with the writes it missed', async () => {
    const node = nodes[2] as GaleraNodeSpec;
    const log = nodeFiles(node.dir).log;
    const before = statSync(log).size;
    const pid = await restartGaleraNode(node, creds);
    started.push(pid);
    pids[2] = pid;
    expect(isAlive(pid)).toBe(true);
    for (let i = 0; i < 3; i++) await poll(`cluster size 3 on node ${i + 1}`, () => galeraStatus(admin(i)), (s) => s.clusterSize === 3);

    const since = readFileSync(log, 'utf8').slice(before);
    expect(since).toMatch(/Recovered position: [0-9a-f-]+:\d+/);
    // The rsync script runs either way; it reports which transfer the donor chose.
    expect(since).toMatch(/Receiving IST: \d+ writesets/);
    expect(since).toMatch(/rsync IST completed on joiner/);
    expect(since).not.toMatch(/rsync SST completed on joiner/);

    const [row] = await query(admin(2), "SELECT COUNT(*) AS n FROM loadlab_probe WHERE note = 'while node 3 was down'");
    expect(Number(row?.n)).toBe(10);
  }, 180_000);

  it('stops every node it started', async () => {
    for (const pid of started) await stopPid(pid, 'SIGTERM', 60_000);
    for (const pid of started) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  }, 180_000);
});
