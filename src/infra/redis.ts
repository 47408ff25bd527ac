import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../core/errors.ts';
import { findExecutable, freePort, readPidFile, stopPid, tail } from './processes.ts';

export interface RedisServer {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** A private, non-persistent Redis for shared sessions, with its own port, pid file and log. */
export async function startRedis(opts: { dir?: string; port?: number } = {}): Promise<RedisServer> {
  const bin = findExecutable('redis-server');
  if (!bin) throw new UsageError('redis-server was not found', 'install it with: sudo apt-get install -y redis-server');
  const ownDir = !opts.dir;
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), 'loadlab-redis-')));
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const pidFile = join(dir, 'redis.pid');
  const log = join(dir, 'redis.log');
  const r = spawnSync(bin, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
    '--pidfile', pidFile, '--dir', dir, '--logfile', log,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-server failed to start: ${r.stderr}\n${tail(log)}`);
  const pid = await readPidFile(pidFile, 10_000, () => false);
  for (let i = 0; ; i++) {
    if (await answersPing(port)) break;
    if (i > 200) {
      await stopPid(pid, 'SIGKILL');
      throw new Error(`redis-server did not answer on port ${port}\n${tail(log)}`);
    }
    await sleep(50);
  }
  return {
    pid,
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopPid(pid, 'SIGTERM', 10_000);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      done(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => done(false));
  });
}
