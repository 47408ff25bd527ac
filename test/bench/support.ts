import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { formatDbUrl, type DbLocation } from '../../src/core/db-url.ts';
import { freePort, stopPid } from '../../src/infra/processes.ts';

const BIN = fileURLToPath(new URL('../../bin/loadlab.js', import.meta.url));

export interface TargetProcess {
  child: ChildProcess;
  url: string;
  rssMiB(): number;
  stop(): Promise<void>;
}

/** Starts `loadlab target` as its own process, as users run it, with the DB URL in the environment. */
export async function spawnTarget(db: DbLocation, args: string[] = []): Promise<TargetProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'target', '--port', String(port), ...args], {
    env: { ...process.env, LOADLAB_DB: formatDbUrl(db) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/openmrs`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`target exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/started`)).ok) break;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  return {
    child,
    url,
    rssMiB() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    stop: () => stopPid(child.pid!, 'SIGTERM', 10_000),
  };
}

/** Logs in once and returns the JSESSIONID cookie, so load runs on a session like a browser's. */
export async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/ws/rest/v1/session`, {
    headers: { Authorization: 'Basic ' + Buffer.from('admin:Admin123').toString('base64') },
  });
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error('login gave no session cookie');
  return cookie.split(';')[0]!;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
