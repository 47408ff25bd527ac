import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { findExecutable, readPidFile } from './processes.ts';

export interface Backend {
  name: string;
  port: number;
}

export const haproxyFiles = (dir: string, name: string) => ({
  cfg: join(dir, `${name}.cfg`),
  pid: join(dir, `${name}.pid`),
  log: join(dir, `${name}.log`),
  stats: join(dir, `${name}.sock`),
});

function globalSection(dir: string, name: string): string[] {
  const f = haproxyFiles(dir, name);
  return ['global', `  pidfile ${f.pid}`, `  stats socket ${f.stats} level admin`, '  maxconn 4096', ''];
}

/**
 * HTTP front for target replicas: an inserted `SRV` cookie keeps a session on its replica,
 * health checks on /openmrs/health/started take a dead replica out in about a second, and
 * `retries` + `redispatch` move a request whose replica died to a live one.
 */
export function httpConfig(dir: string, name: string, port: number, replicas: Backend[]): string {
  return [
    ...globalSection(dir, name),
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    '  timeout http-keep-alive 65s',
    '  retries 2',
    '  option redispatch',
    '',
    'frontend web',
    `  bind 127.0.0.1:${port}`,
    '  default_backend openmrs',
    '',
    'backend openmrs',
    '  balance roundrobin',
    '  cookie SRV insert indirect nocache',
    '  option httpchk GET /openmrs/health/started',
    '  default-server inter 500ms fall 2 rise 2',
    ...replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check cookie ${r.name}`),
    '',
  ].join('\n');
}

/**
 * MySQL TCP front for a Galera cluster. One writer with the others as backups (the usual advice,
 * avoiding certification conflicts), or every node round-robin (`all`).
 */
export function mysqlConfig(dir: string, name: string, port: number, nodes: Backend[], writers: 'one' | 'all'): string {
  return [
    ...globalSection(dir, name),
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 8h',
    '  timeout server 8h',
    '',
    'listen galera',
    `  bind 127.0.0.1:${port}`,
    '  balance roundrobin',
    '  option mysql-check user haproxy post-41',
    '  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
    ...nodes.map((n, i) => `  server ${n.name} 127.0.0.1:${n.port} check${writers === 'one' && i > 0 ? ' backup' : ''}`),
    '',
  ].join('\n');
}

export function haproxyBinary(): string {
  const bin = findExecutable('haproxy');
  if (!bin) throw new UsageError('haproxy was not found', 'install it with: sudo apt-get install -y haproxy');
  return bin;
}

/** Writes the config and starts a daemonised HAProxy; returns its PID from the pid file. */
export async function startHaproxy(dir: string, name: string, config: string): Promise<number> {
  const bin = haproxyBinary();
  mkdirSync(dir, { recursive: true });
  const f = haproxyFiles(dir, name);
  writeFileSync(f.cfg, config);
  return launchHaproxy(bin, f);
}

/** Starts HAProxy again on the config it had (after a fault). */
export async function restartHaproxy(dir: string, name: string): Promise<number> {
  return launchHaproxy(haproxyBinary(), haproxyFiles(dir, name));
}

async function launchHaproxy(bin: string, f: ReturnType<typeof haproxyFiles>): Promise<number> {
  if (existsSync(f.pid)) unlinkSync(f.pid);
  const r = spawnSync(bin, ['-D', '-f', f.cfg], { encoding: 'utf8' });
  writeFileSync(f.log, `${r.stdout}${r.stderr}`);
  if (r.status !== 0) throw new Error(`haproxy failed to start (exit ${r.status}); see ${f.log}:\n${r.stderr.trim()}`);
  return readPidFile(f.pid, 10_000, () => false);
}
