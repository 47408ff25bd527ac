import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ResourceLine, type ProcessLine } from '../src/core/resources.ts';
import { clockTicksPerSecond, parseRssKiB, parseStat, ProcessProbe, readProcess } from '../src/probe/process.ts';
import { startProbes } from '../src/probe/sampler.ts';

const children: ChildProcess[] = [];
function node(code: string): { child: ChildProcess; pid: number; exited: Promise<void> } {
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error('spawn gave no pid');
  return { child, pid: child.pid, exited };
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A /proc/<pid>/stat line; `comm` may hold spaces and parentheses, as real ones can. */
const statLine = (pid: number, comm: string, state: string, utime: number, stime: number, start: number) =>
  `${pid} (${comm}) ${state} 1 1 1 0 -1 4194560 100 0 0 0 ${utime} ${stime} 7 9 20 0 3 0 ${start} 1000000 250 18446744073709551615\n`;

describe('parsing /proc', () => {
  it('counts fields from the last parenthesis, so odd command names do not shift them', () => {
    expect(parseStat(statLine(42, 'a b) (c', 'S', 150, 50, 777))).toEqual({ cpuTicks: 200, threads: 3, startTime: '777' });
  });

  it('treats a zombie as gone', () => {
    expect(parseStat(statLine(42, 'x', 'Z', 1, 1, 1))).toBeNull();
  });

  it('reads VmRSS in KiB', () => {
    expect(parseRssKiB('Name:\tnode\nVmRSS:\t   51234 kB\nThreads:\t7\n')).toBe(51234);
    expect(parseRssKiB('Name:\tkthreadd\n')).toBe(0);
  });

  it('knows the clock tick rate', () => {
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
  });
});

describe('process probe', () => {
  it('reports more CPU for a busy process than for an idle one, and memory for both', async () => {
    const busy = node('const end = Date.now() + 1500; while (Date.now() < end) {}');
    const idle = node('setTimeout(() => {}, 1500)');
    const targets = [
      { name: 'busy', role: 'test', pid: busy.pid },
      { name: 'idle', role: 'test', pid: idle.pid },
    ];
    const probe = new ProcessProbe();
    probe.baseline(targets);
    await sleep(1000);
    const lines = probe.sample(targets, 0);
    for (const l of lines) ResourceLine.parse(l);
    const by = (name: string) => lines.find((l) => l.name === name) as ProcessLine;
    expect(by('busy').alive).toBe(true);
    expect(by('idle').alive).toBe(true);
    expect(by('busy').cpuSeconds).toBeGreaterThan(by('idle').cpuSeconds);
    expect(by('busy').rssMiB).toBeGreaterThan(0);
    expect(by('idle').rssMiB).toBeGreaterThan(0);
    expect(by('busy').threads).toBeGreaterThan(0);
    expect(by('busy').seconds).toBeGreaterThan(0);
    await Promise.all([busy.exited, idle.exited]);
  });

  it('reports a process that died once, with alive false and no CPU, and never throws', async () => {
    const short = node('setTimeout(() => {}, 200)');
    const targets = [
      { name: 'short', role: 'test', pid: short.pid },
      // Above any pid_max Linux allows, so no process has it.
      { name: 'never', role: 'test', pid: 99_999_999 },
    ];
    const probe = new ProcessProbe();
    probe.baseline(targets);
    await short.exited;
    expect(readProcess(short.pid)).toBeNull();
    const first = probe.sample(targets, 3);
    expect(first).toHaveLength(2);
    for (const l of first) {
      expect(ResourceLine.parse(l)).toMatchObject({ type: 'process', t: 3, alive: false, cpuSeconds: 0 });
    }
    expect(probe.sample(targets, 4)).toEqual([]);
  });

  it('treats a reused pid as the old process gone', () => {
    const root = mkdtempSync(join(tmpdir(), 'loadlab-proc-'));
    try {
      mkdirSync(join(root, '7'));
      const write = (start: number, utime: number) => {
        writeFileSync(join(root, '7', 'stat'), statLine(7, 'server', 'S', utime, 0, start));
        writeFileSync(join(root, '7', 'status'), 'VmRSS:\t2048 kB\n');
      };
      const target = [{ name: 'server', role: 'test', pid: 7 }];
      const probe = new ProcessProbe({ ticksPerSecond: 100, procRoot: root });
      write(1000, 100);
      probe.baseline(target, 0);
      write(1000, 150);
      expect(probe.sample(target, 0, 1000)).toMatchObject([{ alive: true, cpuSeconds: 0.5, rssMiB: 2, seconds: 1 }]);
      write(5000, 10);
      expect(probe.sample(target, 1, 2000)).toMatchObject([{ alive: false, cpuSeconds: 0 }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('startProbes with processes only', () => {
  it('samples the generator itself and the listed processes, every line valid', async () => {
    const sleeper = node('setTimeout(() => {}, 3000)');
    const lines: ResourceLine[] = [];
    const probes = startProbes({
      processes: () => [{ name: 'sleeper', role: 'test', pid: sleeper.pid }],
      writeLine: (l) => lines.push(ResourceLine.parse(l)),
      intervalMs: 200,
    });
    await sleep(700);
    const stats = await probes.stop();
    expect(stats.writeErrors).toBe(0);
    expect(stats.ticks).toBeGreaterThan(0);
    const gen = lines.filter((l) => l.type === 'process' && l.role === 'generator');
    expect(gen.length).toBeGreaterThan(0);
    expect(gen[0]).toMatchObject({ name: 'generator', pid: process.pid, alive: true });
    expect(lines.some((l) => l.type === 'process' && l.name === 'sleeper')).toBe(true);
    for (const l of lines) expect(Number.isInteger(l.t) && l.t >= 0).toBe(true);
    sleeper.child.kill('SIGKILL');
    await sleeper.exited;
  });
});
