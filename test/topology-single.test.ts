import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import { applyFault } from '../src/infra/fault.ts';
import { isAlive } from '../src/infra/processes.ts';
import { readState } from '../src/infra/state.ts';
import { topologyStatus } from '../src/infra/status.ts';
import { parseTopology } from '../src/infra/topology-spec.ts';
import { up } from '../src/infra/up.ts';
import { ADMIN_AUTH, Browser, until, upInTemp } from './support/topology.ts';

describe('topology words', () => {
  it('reads the topologies of the command line', () => {
    expect(parseTopology({ db: 'galera:3', replicas: '2' })).toMatchObject({ replicas: 2, db: { kind: 'galera', nodes: 3 } });
    expect(parseTopology({ db: 'aurora' })).toMatchObject({ db: { kind: 'aurora', readers: 1 } });
    expect(parseTopology({ db: 'mysql://u:p@db.example:3306/openmrs' }).db.kind).toBe('external');
  });
  it('rejects unknown words with the choices', () => {
    expect(() => parseTopology({ db: 'postgres' })).toThrow(/single, aurora\[:READERS\], galera\[:NODES\]/);
    expect(() => parseTopology({ db: 'galera:0' })).toThrow(UsageError);
    expect(() => parseTopology({ sessions: 'cookie' })).toThrow(/--sessions/);
    expect(() => parseTopology({ replicas: 'two' })).toThrow(/--replicas/);
  });
});

describe('single database, one replica', () => {
  let t: Awaited<ReturnType<typeof upInTemp>>;
  beforeAll(async () => {
    t = await upInTemp({ replicas: 1, db: { kind: 'single' } });
  });
  afterAll(async () => {
    if (t) expect(await t.tearDown()).toEqual([]);
  });

  it('is healthy and serves the seeded patients at the target URL', async () => {
    const s = await topologyStatus(t.state);
    expect(s.healthy).toBe(true);
    expect(s.components.map((c) => c.name)).toEqual(['db-1', 'replica-1']);
    const b = new Browser(t.state.targetUrl);
    expect((await b.get('/ws/rest/v1/session', ADMIN_AUTH)).json.authenticated).toBe(true);
    const found = await b.get('/ws/rest/v1/patient?q=ma&totalCount=true');
    expect(found.json.totalCount).toBeGreaterThan(0);
  });

  it('keeps the database password out of the state file permissions and the replica command line', async () => {
    const { statSync, readFileSync } = await import('node:fs');
    const { statePath } = await import('../src/infra/state.ts');
    expect(statSync(statePath(t.cwd)).mode & 0o077).toBe(0);
    const replica = t.state.components.find((c) => c.kind === 'replica')!;
    expect(readFileSync(`/proc/${replica.pid}/cmdline`, 'utf8')).not.toContain(t.state.credentials.app.password);
  });

  it('refuses a second up on the same folder and a port in use', async () => {
    await expect(up({ ...t.state.spec }, { cwd: t.cwd })).rejects.toThrow(/already up/);
    const { mkdtempSync, rmSync } = await import('node:fs');
    const other = mkdtempSync('/tmp/loadlab-other-');
    await expect(up({ ...t.state.spec }, { cwd: other })).rejects.toThrow(new RegExp(`port ${t.state.spec.port}.*in use`));
    rmSync(other, { recursive: true, force: true });
  });

  it('kills and restarts a replica, and the database', async () => {
    expect(await applyFault('kill', 'replica:1', { cwd: t.cwd })).toMatch(/killed/);
    const dead = await topologyStatus(readState(t.cwd)!);
    expect(dead.healthy).toBe(false);
    expect(dead.components.find((c) => c.name === 'replica-1')?.alive).toBe(false);
    await expect(applyFault('kill', 'replica:1', { cwd: t.cwd })).rejects.toThrow(/not running/);
    await applyFault('start', 'replica:1', { cwd: t.cwd });
    await applyFault('stop', 'db:1', { cwd: t.cwd });
    await applyFault('start', 'db:1', { cwd: t.cwd });
    const state = readState(t.cwd)!;
    expect(state.components.every((c) => isAlive(c.pid))).toBe(true);
    await until('healthy again', async () => (await topologyStatus(state)).healthy);
    await expect(applyFault('kill', 'replica:7', { cwd: t.cwd })).rejects.toThrow(/names no process/);
  });
});

describe('fault targets', () => {
  it('names replicas by number whatever order they became healthy in', async () => {
    const { resolveComponent } = await import('../src/infra/fault.ts');
    const c = (name: string, kind: 'replica' | 'galera') => ({ name, kind, role: '', pid: 1, port: 1, dir: '', log: '', extra: {} });
    const state = {
      components: [c('galera-1', 'galera'), c('galera-2', 'galera'), c('replica-3', 'replica'), c('replica-1', 'replica'), c('replica-2', 'replica')],
    } as unknown as Parameters<typeof resolveComponent>[0];
    expect(resolveComponent(state, 'replica:3').name).toBe('replica-3');
    expect(resolveComponent(state, 'replica:1').name).toBe('replica-1');
    expect(resolveComponent(state, 'db:2').name).toBe('galera-2');
    expect(() => resolveComponent(state, 'replica:4')).toThrow(/names no process/);
  });
});

describe('a start-up that fails part-way', () => {
  it('names the failing component and its log, and rolls back everything it had started', async () => {
    const { mkdtempSync, rmSync, existsSync, readdirSync } = await import('node:fs');
    const { freePort } = await import('../src/infra/processes.ts');
    const { statePath } = await import('../src/infra/state.ts');
    const cwd = mkdtempSync('/tmp/loadlab-rollback-');
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--require /nonexistent/preload.cjs'; // replicas inherit it and cannot start
    const started: number[] = [];
    try {
      const spec = { replicas: 1, db: { kind: 'single' as const }, sessions: 'sticky' as const, search: 'local' as const, patients: 0, galeraWriters: 'one' as const, port: await freePort() };
      const err = await up(spec, {
        cwd,
        onStep: () => {
          const s = readState(cwd);
          if (s) started.push(...s.components.map((c) => c.pid));
        },
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/replica replica-1 .*exited during start-up; see \S+replica-1\.log/);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
    expect(started.length).toBeGreaterThan(0); // the database had started
    expect(started.filter(isAlive)).toEqual([]);
    expect(existsSync(statePath(cwd))).toBe(false);
    expect(readdirSync(`${cwd}/.loadlab`)).toEqual([]);
    rmSync(cwd, { recursive: true, force: true });
  });
});
