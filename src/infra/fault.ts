import { UsageError } from '../core/errors.ts';
import type { Component, TopologyState } from '../core/topology.ts';
import { restartGaleraNode } from './galera.ts';
import { restartHaproxy } from './haproxy.ts';
import { launchMariaDb, locations, nodeFiles, waitUntilAccepting } from './mariadb.ts';
import { isAlive, stopPid } from './processes.ts';
import { startRedis } from './redis.ts';
import { restartReader } from './replication.ts';
import { startReplica } from './replicas.ts';
import { readState, writeState } from './state.ts';

export type FaultAction = 'kill' | 'stop' | 'start';

/** `replica:N`, `db:N` (the Nth database node: writer first, then readers), `lb`, `dbproxy` or `redis`. */
export function resolveComponent(state: TopologyState, ref: string): Component {
  const m = /^(replica|db):(\d+)$/.exec(ref);
  let found: Component | undefined;
  if (m?.[1] === 'replica') {
    // By name: replicas are recorded in the order they became healthy, not by number.
    found = state.components.find((c) => c.kind === 'replica' && c.name === `replica-${m[2]}`);
  } else if (m) {
    const nodes = state.components.filter((c) => c.kind === 'mariadb' || c.kind === 'galera' || c.kind === 'reader');
    found = nodes[Number(m[2]) - 1];
  } else if (ref === 'lb' || ref === 'dbproxy' || ref === 'redis') {
    found = state.components.find((c) => c.kind === ref);
  }
  if (!found) {
    const names = state.components.map((c) => c.name).join(', ');
    throw new UsageError(`'${ref}' names no process of this topology (it has ${names})`, 'use replica:N, db:N, lb, dbproxy or redis');
  }
  return found;
}

/**
 * Injects a fault into the running topology: `kill` is SIGKILL (a crash), `stop` is SIGTERM
 * (a graceful shutdown), `start` brings the process back as it was (a Galera node rejoins by IST).
 * Runs schedule these as callbacks, so the engine never imports this module.
 */
export async function applyFault(action: FaultAction, ref: string, opts: { cwd?: string } = {}): Promise<string> {
  const state = readState(opts.cwd);
  if (!state) throw new UsageError('no topology is up', 'start one with `loadlab up`');
  const c = resolveComponent(state, ref);
  const alive = isAlive(c.pid);
  if (action !== 'start') {
    if (!alive) throw new UsageError(`${c.name} (pid ${c.pid}) is not running`, `bring it back with \`loadlab fault start ${ref}\``);
    await stopPid(c.pid, action === 'kill' ? 'SIGKILL' : 'SIGTERM', 60_000);
    return `${action === 'kill' ? 'killed (SIGKILL)' : 'stopped (SIGTERM)'} ${c.name}, pid ${c.pid}`;
  }
  if (alive) throw new UsageError(`${c.name} (pid ${c.pid}) is already running`);
  c.pid = await restart(state, c);
  writeState(state, opts.cwd);
  return `started ${c.name}, pid ${c.pid}`;
}

async function restart(state: TopologyState, c: Component): Promise<number> {
  const creds = state.credentials;
  switch (c.kind) {
    case 'replica': {
      const db = { ...state.appDb, user: creds.app.user, password: creds.app.password, database: creds.database };
      const r = await startReplica({
        name: c.name, port: c.port, dir: c.dir, db,
        search: c.extra.search === 'db' ? 'db' : 'local',
        sessions: String(c.extra.sessions ?? 'memory'),
      });
      return r.pid;
    }
    case 'mariadb': {
      const pid = await launchMariaDb(c.dir);
      await waitUntilAccepting(locations(c.port, creds).admin, pid, nodeFiles(c.dir).log);
      return pid;
    }
    case 'galera':
      return restartGaleraNode(galeraNodeOf(c), creds);
    case 'reader': {
      const writer = state.components.find((w) => w.kind === 'mariadb');
      return restartReader(c.dir, c.port, creds, writer ? locations(writer.port, creds).admin : null);
    }
    case 'lb':
    case 'dbproxy':
      return restartHaproxy(c.dir, c.name);
    case 'redis':
      return (await startRedis({ dir: c.dir, port: c.port })).pid;
  }
}

export function galeraNodeOf(c: Component) {
  return {
    index: Number(c.extra.index),
    dir: c.dir,
    port: c.port,
    gmcastPort: Number(c.extra.gmcastPort),
    istPort: Number(c.extra.istPort),
    sstPort: Number(c.extra.sstPort),
  };
}

