import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { DbLocation } from '../core/db-url.ts';
import { UsageError } from '../core/errors.ts';
import type { Component, TopologySpec, TopologyState } from '../core/topology.ts';
import { httpConfig, haproxyFiles, startHaproxy } from './haproxy.ts';
import { newCredentials, type DbCredentials } from './mariadb.ts';
import { freePort, isAlive, stopPid } from './processes.ts';
import { startRedis } from './redis.ts';
import { startReplica, waitHealthy } from './replicas.ts';
import { loadlabDir, readState, removeState, writeState } from './state.ts';
import { startDatabase } from './topology-db.ts';

export interface UpOptions {
  cwd?: string;
  onStep?: (line: string) => void;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Starts a topology in order — database, seed, Redis, replicas, load balancer — recording each
 * process in the state file as soon as it runs, so that a failure part-way (or a crash of this
 * process) can always be undone: on failure everything started so far is stopped again.
 */
export async function up(spec: TopologySpec, opts: UpOptions = {}): Promise<TopologyState> {
  const step = opts.onStep ?? (() => {});
  const existing = readState(opts.cwd);
  if (existing) {
    const alive = existing.components.filter((c) => isAlive(c.pid));
    if (alive.length) {
      throw new UsageError(
        `a topology is already up (${alive.map((c) => c.name).join(', ')}) at ${existing.targetUrl}`,
        'run `loadlab down` first',
      );
    }
    removeState(opts.cwd);
  }
  if (!(await portIsFree(spec.port))) {
    throw new UsageError(`port ${spec.port} on 127.0.0.1 is in use by another process`, 'pass --port with a free port');
  }
  const root = join(loadlabDir(opts.cwd), 'topology');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const creds: DbCredentials =
    spec.db.kind === 'external' ? externalCredentials(spec.db.url) : newCredentials();
  const state: TopologyState = {
    schema: 1,
    createdAt: new Date().toISOString(),
    root,
    spec,
    credentials: creds,
    appDb: { host: '127.0.0.1', port: 0 },
    targetUrl: `http://127.0.0.1:${spec.port}/openmrs`,
    components: [],
    outsideDirs: [],
  };
  const record = (c: Component) => {
    state.components.push(c);
    writeState(state, opts.cwd);
  };
  try {
    const db = await startDatabase(spec, root, creds, step, record, (dir) => {
      state.outsideDirs.push(dir);
      writeState(state, opts.cwd);
    });
    state.appDb = { host: db.appDb.host, port: db.appDb.port };
    state.replicationPassword = db.replicationPassword;
    writeState(state, opts.cwd);

    let sessions = 'memory';
    if (spec.sessions === 'redis') {
      const redis = await startRedis({ dir: join(root, 'redis') });
      record({ name: 'redis', kind: 'redis', role: 'shared sessions', pid: redis.pid, port: redis.port, dir: redis.dir, log: join(redis.dir, 'redis.log'), extra: {} });
      sessions = redis.url;
      step(`Redis up on port ${redis.port}`);
    }

    const appDb: DbLocation = { ...db.appDb, user: creds.app.user, password: creds.app.password, database: creds.database };
    const ports = spec.replicas === 1 ? [spec.port] : await Promise.all(Array.from({ length: spec.replicas }, () => freePort()));
    // Replicas start side by side: each spends its start-up loading caches and its search index.
    const replicas = await Promise.all(
      ports.map((port, i) =>
        startReplica({ name: `replica-${i + 1}`, port, dir: join(root, 'replicas'), db: appDb, search: spec.search, sessions }).then((c) => {
          record(c);
          step(`replica-${i + 1} up on port ${port}`);
          return c;
        }),
      ),
    );
    if (spec.replicas > 1) {
      const dir = join(root, 'lb');
      const backends = replicas.map((r) => ({ name: r.name, port: r.port }));
      const pid = await startHaproxy(dir, 'lb', httpConfig(dir, 'lb', spec.port, backends));
      record({ name: 'lb', kind: 'lb', role: 'HAProxy, sticky cookie SRV', pid, port: spec.port, dir, log: haproxyFiles(dir, 'lb').log, extra: {} });
      await waitHealthy(`${state.targetUrl}/health/started`, pid, 'load balancer lb', haproxyFiles(dir, 'lb').log);
      step(`HAProxy lb up on port ${spec.port}`);
    }
    return state;
  } catch (e) {
    step('start-up failed: stopping what was started');
    await stopAll(state.components);
    removeState(opts.cwd);
    for (const d of [root, ...state.outsideDirs]) rmSync(d, { recursive: true, force: true });
    throw e;
  }
}

/** Stops components by PID, newest first (replicas before the database they use). */
export async function stopAll(components: Component[]): Promise<string[]> {
  const stopped: string[] = [];
  for (const c of [...components].reverse()) {
    if (!isAlive(c.pid)) continue;
    await stopPid(c.pid, 'SIGTERM', c.kind === 'replica' || c.kind === 'lb' ? 10_000 : 60_000);
    stopped.push(c.name);
  }
  return stopped;
}

function externalCredentials(url: string): DbCredentials {
  const u = new URL(url);
  const user = decodeURIComponent(u.username || 'root');
  const password = decodeURIComponent(u.password);
  return { database: decodeURIComponent(u.pathname.slice(1)), app: { user, password }, admin: { user, password } };
}
