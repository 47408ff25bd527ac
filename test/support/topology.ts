import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TopologySpec, TopologyState } from '../../src/core/topology.ts';
import { down } from '../../src/infra/down.ts';
import { freePort, isAlive } from '../../src/infra/processes.ts';
import { up } from '../../src/infra/up.ts';

export const ADMIN_AUTH = 'Basic ' + Buffer.from('admin:Admin123').toString('base64');

/** Brings a topology up in its own temporary working folder (its own .loadlab/). */
export async function upInTemp(partial: Partial<TopologySpec>): Promise<{ cwd: string; state: TopologyState; tearDown: () => Promise<number[]> }> {
  const cwd = mkdtempSync(join(tmpdir(), 'loadlab-topology-'));
  const spec: TopologySpec = {
    replicas: 1, db: { kind: 'single' }, sessions: 'sticky', search: 'local', patients: 200, galeraWriters: 'one',
    port: await freePort(), ...partial,
  };
  const state = await up(spec, { cwd }).catch((e) => {
    rmSync(cwd, { recursive: true, force: true });
    throw e;
  });
  return {
    cwd,
    state,
    /** Downs the topology and returns the PIDs still alive afterwards (should be none). */
    async tearDown() {
      const { readState } = await import('../../src/infra/state.ts');
      const pids = (readState(cwd) ?? state).components.map((c) => c.pid);
      await down({ cwd });
      rmSync(cwd, { recursive: true, force: true });
      return pids.filter(isAlive);
    },
  };
}

/** A client that keeps its cookies (JSESSIONID and the load balancer's SRV), like a browser. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  get(path: string, auth?: string) {
    return this.request('GET', path, undefined, auth);
  }

  post(path: string, body: unknown) {
    return this.request('POST', path, body);
  }

  async request(method: string, path: string, body?: unknown, auth?: string): Promise<{ status: number; json: any; servedBy: string | null }> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (auth) headers.authorization = auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined, servedBy: res.headers.get('x-served-by') };
  }
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
