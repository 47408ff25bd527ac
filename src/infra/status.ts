import { createConnection } from 'node:net';
import mysql from 'mysql2/promise';
import type { DbLocation } from '../core/db-url.ts';
import type { Component, TopologyState } from '../core/topology.ts';
import { galeraStatus } from './galera.ts';
import { locations } from './mariadb.ts';
import { isAlive } from './processes.ts';
import { readerStatus } from './replication.ts';
import { describeTopology } from './topology-spec.ts';

export interface ComponentStatus {
  name: string;
  kind: Component['kind'];
  role: string;
  pid: number;
  port: number;
  alive: boolean;
  healthy: boolean;
  detail: string;
  log: string;
}

export interface TopologyStatus {
  topology: string;
  targetUrl: string;
  healthy: boolean;
  components: ComponentStatus[];
  database: Record<string, unknown>;
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

async function sqlOk(db: DbLocation): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ ...db, connectTimeout: 3000 });
    await c.query('SELECT 1');
    await c.end();
    return true;
  } catch {
    return false;
  }
}

function redisOk(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write('PING\r\n'));
    s.setTimeout(3000, () => (s.destroy(), done(false)));
    s.once('data', (d) => (s.destroy(), done(d.toString().startsWith('+PONG'))));
    s.once('error', () => done(false));
  });
}

/** What every process of the topology is doing, and the database's own view (cluster, lag). */
export async function topologyStatus(state: TopologyState): Promise<TopologyStatus> {
  const admin = (port: number) => locations(port, state.credentials).admin;
  const writer = state.components.find((c) => c.kind === 'mariadb');
  const database: Record<string, unknown> = { kind: state.spec.db.kind };
  const components = await Promise.all(
    state.components.map(async (c): Promise<ComponentStatus> => {
      const alive = isAlive(c.pid);
      let healthy = false;
      let detail = alive ? '' : 'not running';
      if (alive) {
        try {
          switch (c.kind) {
            case 'replica':
            case 'lb':
              healthy = await httpOk(`http://127.0.0.1:${c.port}/openmrs/health/started`);
              detail = healthy ? 'answers /openmrs/health/started' : 'no answer on /openmrs/health/started';
              break;
            case 'mariadb':
            case 'dbproxy':
              healthy = await sqlOk(admin(c.port));
              detail = healthy ? 'accepts queries' : 'does not accept queries';
              break;
            case 'redis':
              healthy = await redisOk(c.port);
              detail = healthy ? 'answers PING' : 'no answer to PING';
              break;
            case 'galera': {
              const g = await galeraStatus(admin(c.port));
              healthy = g.ready && g.state === 'Synced';
              detail = `${g.state}, cluster size ${g.clusterSize}`;
              database.clusterSize = Math.max(Number(database.clusterSize ?? 0), g.clusterSize);
              break;
            }
            case 'reader': {
              const r = await readerStatus(admin(c.port), writer ? admin(writer.port) : undefined);
              healthy = r.ioRunning && r.sqlRunning;
              detail = `${healthy ? 'replicating' : 'replication stopped'}, ${r.secondsBehind ?? '?'} s behind, ${r.gtidLag ?? "?"} transactions behind`;
              (database.readers ??= []) as unknown[];
              (database.readers as unknown[]).push({ name: c.name, secondsBehind: r.secondsBehind, transactionsBehind: r.gtidLag });
              break;
            }
          }
        } catch (e) {
          detail = `check failed: ${(e as Error).message}`;
        }
      }
      return { name: c.name, kind: c.kind, role: c.role, pid: c.pid, port: c.port, alive, healthy, detail, log: c.log };
    }),
  );
  let externalOk = true;
  if (state.spec.db.kind === 'external') {
    const c = state.credentials;
    externalOk = await sqlOk({ ...state.appDb, user: c.app.user, password: c.app.password, database: c.database });
    database.reachable = externalOk;
  }
  return {
    topology: describeTopology(state.spec),
    targetUrl: state.targetUrl,
    healthy: externalOk && components.every((c) => c.healthy),
    components,
    database,
  };
}
