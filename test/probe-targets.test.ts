import { describe, expect, it } from 'vitest';
import { TopologyState } from '../src/core/topology.ts';
import { probeTargets } from '../src/probe/targets.ts';

const state = (db: unknown, components: unknown[]) =>
  TopologyState.parse({
    schema: 1,
    createdAt: '2025-01-01T00:00:00Z',
    root: '/tmp/x',
    spec: { replicas: 2, db, sessions: 'sticky', search: 'db', patients: 0, galeraWriters: 'one', port: 8080 },
    credentials: { database: 'openmrs', app: { user: 'openmrs', password: 'a' }, admin: { user: 'loadlab', password: 'b' } },
    appDb: { host: '127.0.0.1', port: 3310 },
    targetUrl: 'http://127.0.0.1:8080/openmrs',
    components,
  });
const comp = (name: string, kind: string, pid: number, port: number) => ({ name, kind, role: 'prose', pid, port, dir: '/tmp/x', log: '/tmp/x/log' });

describe('probeTargets', () => {
  it('probes every process and each Aurora-like node as writer or reader with the admin user', () => {
    const t = probeTargets(state({ kind: 'aurora', readers: 1 }, [comp('writer', 'mariadb', 10, 3310), comp('reader-1', 'reader', 11, 3311), comp('replica-1', 'replica', 12, 8081), comp('lb', 'lb', 13, 8080)]));
    expect(t.processes).toEqual([
      { name: 'writer', role: 'mariadb', pid: 10 },
      { name: 'reader-1', role: 'reader', pid: 11 },
      { name: 'replica-1', role: 'replica', pid: 12 },
      { name: 'lb', role: 'lb', pid: 13 },
    ]);
    expect(t.dbNodes.map((n) => [n.node, n.role, n.db.port, n.db.user])).toEqual([
      ['writer', 'writer', 3310, 'loadlab'],
      ['reader-1', 'reader', 3311, 'loadlab'],
    ]);
  });

  it('treats Galera nodes as galera and leaves the DB proxy as a process only', () => {
    const t = probeTargets(state({ kind: 'galera', nodes: 2 }, [comp('galera-1', 'galera', 20, 3320), comp('galera-2', 'galera', 21, 3321), comp('dbproxy', 'dbproxy', 22, 3310)]));
    expect(t.dbNodes.map((n) => [n.node, n.role])).toEqual([['galera-1', 'galera'], ['galera-2', 'galera']]);
    expect(t.processes).toHaveLength(3);
  });

  it('probes an external database as one node with no process', () => {
    const t = probeTargets(state({ kind: 'external', url: 'mysql://loadlab:b@db.example:3306/openmrs' }, [comp('replica-1', 'replica', 12, 8081)]));
    expect(t.dbNodes).toEqual([{ node: 'external-db', role: 'database', db: { host: '127.0.0.1', port: 3310, user: 'loadlab', password: 'b', database: 'openmrs' } }]);
  });
});
