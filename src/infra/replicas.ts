import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { formatDbUrl, type DbLocation } from '../core/db-url.ts';
import type { Component } from '../core/topology.ts';
import { isAlive, tail } from './processes.ts';

const BIN = fileURLToPath(new URL('../../bin/loadlab.js', import.meta.url));

export interface ReplicaLaunch {
  name: string;
  port: number;
  dir: string;
  db: DbLocation;
  search: 'local' | 'db';
  /** `memory` or a redis:// URL. */
  sessions: string;
}

/**
 * Starts one reference-target replica as its own detached process (`loadlab target`), the database
 * URL passed in the environment so its password shows in no process listing; waits until healthy.
 */
export async function startReplica(r: ReplicaLaunch): Promise<Component> {
  mkdirSync(r.dir, { recursive: true });
  const log = join(r.dir, `${r.name}.log`);
  const fd = openSync(log, 'a');
  const args = [BIN, 'target', '--port', String(r.port), '--replica', r.name, '--search', r.search, '--sessions', r.sessions];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOADLAB_DB: formatDbUrl(r.db) },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  const pid = child.pid!;
  await waitHealthy(`http://127.0.0.1:${r.port}/openmrs/health/started`, pid, `replica ${r.name}`, log);
  return { name: r.name, kind: 'replica', role: 'OpenMRS reference target', pid, port: r.port, dir: r.dir, log, extra: { search: r.search, sessions: r.sessions } };
}

/** Polls a health URL until it answers 200; fails early, with the log's tail, when the process dies. */
export async function waitHealthy(url: string, pid: number, what: string, log: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`${what} (pid ${pid}) exited during start-up; see ${log}:\n${tail(log)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${what} was not healthy at ${url} within ${timeoutMs / 1000} s; see ${log}:\n${tail(log)}`);
}
