import type { TopologyState } from '../core/topology.ts';
import type { DbNodeTarget } from './db.ts';
import type { ProcessTarget } from './process.ts';

/**
 * What to probe in a topology that `loadlab up` started: every component's process (role = its
 * kind, a stable word for the report, where the state's role is prose), and every database node
 * with the administrative user. DB nodes carry their component's name, so the sampler can tell
 * that their server CPU is measured. An external database is one node with no local process.
 */
export function probeTargets(state: TopologyState): { processes: ProcessTarget[]; dbNodes: DbNodeTarget[] } {
  const { admin, database } = state.credentials;
  const processes = state.components.map((c) => ({ name: c.name, role: c.kind, pid: c.pid }));
  const dbNodes: DbNodeTarget[] = [];
  for (const c of state.components) {
    let role: string;
    if (c.kind === 'reader') role = 'reader';
    else if (c.kind === 'galera') role = 'galera';
    else if (c.kind === 'mariadb') role = state.spec.db.kind === 'aurora' ? 'writer' : 'database';
    else continue;
    dbNodes.push({ node: c.name, role, db: { host: '127.0.0.1', port: c.port, user: admin.user, password: admin.password, database } });
  }
  if (state.spec.db.kind === 'external') {
    dbNodes.push({ node: 'external-db', role: 'database', db: { ...state.appDb, user: admin.user, password: admin.password, database } });
  }
  return { processes, dbNodes };
}
