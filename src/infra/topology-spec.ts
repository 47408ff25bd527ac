import { parseDbUrl } from '../core/db-url.ts';
import { UsageError } from '../core/errors.ts';
import type { TopologySpec } from '../core/topology.ts';

export interface UpArgs {
  replicas?: string;
  db?: string;
  sessions?: string;
  search?: string;
  patients?: string;
  galeraWriters?: string;
  port?: string;
}

function int(value: string | undefined, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, '').replace(/k$/i, '000'));
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${option}: '${value}' is not a whole number from ${min} to ${max}`);
  }
  return n;
}

/** `single`, `aurora[:R]`, `galera[:N]` or a mysql:// URL (e.g. a real Aurora cluster endpoint). */
function parseDb(value: string): TopologySpec['db'] {
  if (value === 'single') return { kind: 'single' };
  const m = /^(aurora|galera)(?::(\d+))?$/.exec(value);
  if (m) {
    return m[1] === 'aurora'
      ? { kind: 'aurora', readers: int(m[2], '--db aurora:R', 1, 0, 8) }
      : { kind: 'galera', nodes: int(m[2], '--db galera:N', 3, 1, 9) };
  }
  if (/^(mysql|mariadb):\/\//.test(value)) {
    parseDbUrl(value);
    return { kind: 'external', url: value };
  }
  throw new UsageError(
    `--db: '${value.replace(/:[^:@/]*@/, ':***@')}' is not a database topology: use single, aurora[:READERS], galera[:NODES] or a mysql:// URL`,
    'e.g. --db galera:3, or --db mysql://user:password@host:3306/openmrs for a real Aurora endpoint',
  );
}

export function parseTopology(a: UpArgs): TopologySpec {
  const sessions = a.sessions ?? 'sticky';
  if (sessions !== 'sticky' && sessions !== 'redis') throw new UsageError(`--sessions: '${sessions}' is neither 'sticky' nor 'redis'`);
  const search = a.search ?? 'local';
  if (search !== 'local' && search !== 'db') throw new UsageError(`--search: '${search}' is neither 'local' nor 'db'`);
  const galeraWriters = a.galeraWriters ?? 'one';
  if (galeraWriters !== 'one' && galeraWriters !== 'all') {
    throw new UsageError(`--galera-writers: '${galeraWriters}' is neither 'one' nor 'all'`);
  }
  return {
    replicas: int(a.replicas, '--replicas', 1, 1, 16),
    db: parseDb(a.db ?? 'single'),
    sessions,
    search,
    patients: int(a.patients, '--patients', 2000, 0, 20_000_000),
    galeraWriters,
    port: int(a.port, '--port', 8080, 1, 65535),
  };
}

export function describeTopology(s: TopologySpec): string {
  const db =
    s.db.kind === 'single' ? 'one MariaDB'
    : s.db.kind === 'aurora' ? `Aurora-like writer + ${s.db.readers} GTID reader(s) (local stand-in)`
    : s.db.kind === 'galera' ? `Galera, ${s.db.nodes} nodes (${s.galeraWriters === 'one' ? 'single writer' : 'all nodes write'})`
    : 'external database';
  return `${s.replicas} replica(s) over ${db}; sessions ${s.sessions === 'redis' ? 'in Redis' : 'in memory (sticky)'}; search ${s.search}`;
}
