/**
 * The load engine against the generators people trust, in one run, on this machine:
 *  (a) requests/s on a trivial local server, 10 connections: loadlab (one-step scenario, closed) vs autocannon vs wrk;
 *  (b) the generator's CPU µs per request at a fixed 2,000 requests/s: loadlab (open) vs autocannon (overallRate);
 *      wrk has no fixed-rate mode (wrk2 is not packaged), so its CPU per request is taken at its own maximum;
 *  (c) latency accuracy against a server whose delays are known (uniform 5–15 ms) and that stalls for 1 s every
 *      5 s: reported p50/p99 vs the truth computed from the schedule of intended starts.
 * Run: npx tsx test/bench/engine.bench.ts [seconds per case]   — prints figures and ratios, asserts nothing.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Recorder } from '../../src/engine/recorder.ts';
import { runScenario } from '../../src/engine/runner.ts';
import { findExecutable, freePort } from '../../src/infra/processes.ts';
import { httpStep, journey, scenario } from '../../src/scenario/dsl.ts';
import type { ExecutorConfig } from '../../src/scenario/types.ts';
import { fmt } from './support.ts';

const SECONDS = Number(process.argv[2] ?? 10);

/** The server runs in its own process, so it never shares an event loop with the generator. */
async function startServer(mode: 'trivial' | 'stalling'): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const code = `
    const http = require('node:http');
    const body = JSON.stringify({ ok: true });
    const stallEvery = 5000, stallFor = 1000;
    http.createServer((req, res) => {
      const send = () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); };
      if (${mode === 'trivial'}) return send();
      const now = Date.now(), phase = now % stallEvery;
      const wait = (phase < stallFor ? stallFor - phase : 0) + 5 + Math.random() * 10;
      setTimeout(send, wait);
    }).listen(${port}, '127.0.0.1', () => process.send && process.send('up'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return { url: `http://127.0.0.1:${port}`, child };
}

const oneStep = scenario({
  name: 'bench', description: 'one GET', basePath: '', defaultProfile: 'smoke',
  profiles: { smoke: { executor: 'constant-vus', vus: 1, duration: 1 } },
  journeys: [journey('get', 1, httpStep('get', 'GET', '/'))],
});

async function loadlabRun(url: string, load: ExecutorConfig) {
  const rec = new Recorder(() => {});
  const clock = { start: performance.now() };
  rec.clockStart = clock.start;
  const cpu0 = process.cpuUsage();
  const out = await runScenario({ scenario: oneStep, load, target: url, credentials: { username: '', password: '' }, feeders: {}, sink: rec, clock });
  const cpu = process.cpuUsage(cpu0);
  const acc = rec.steps.get('get')!;
  const seconds = (out.endedAt - out.startedAt) / 1000;
  // Wall-clock time of the first scheduled arrival, to place the schedule against the server's stall clock.
  const wallStart = Date.now() - (performance.now() - clock.start) + out.startedAt;
  return { rps: acc.count / seconds, count: acc.count, cpuUs: (cpu.user + cpu.system) / acc.count, latency: acc.latency, wallStart };
}

async function autocannonRun(url: string, extra: Partial<autocannon.Options> = {}) {
  const cpu0 = process.cpuUsage();
  const r = await autocannon({ url, connections: 10, duration: SECONDS, ...extra });
  const cpu = process.cpuUsage(cpu0);
  const count = r.requests.total;
  return { rps: r.requests.average, count, cpuUs: (cpu.user + cpu.system) / count, p50: r.latency.p50, p99: r.latency.p99 };
}

function wrkRun(url: string): { rps: number; cpuUs: number } | undefined {
  const wrk = findExecutable('wrk');
  if (!wrk) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', wrk, '-t1', '-c10', `-d${SECONDS}s`, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const total = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { rps, cpuUs: ((u! + s!) * 1e6) / total };
}

const line = (name: string, v: string) => console.log(`  ${name.padEnd(44)} ${v}`);

// (a)
{
  const server = await startServer('trivial');
  console.log(`(a) requests/s, trivial local server, 10 connections, ${SECONDS} s each (server in its own process)`);
  const ll = await loadlabRun(server.url, { executor: 'constant-vus', vus: 10, duration: SECONDS });
  line('loadlab engine (constant-vus 10, one step)', `${fmt(ll.rps)} req/s`);
  await sleep(1000);
  const ac = await autocannonRun(server.url);
  line('autocannon (10 connections)', `${fmt(ac.rps)} req/s`);
  await sleep(1000);
  const wrk = wrkRun(server.url);
  line('wrk -t1 -c10', wrk ? `${fmt(wrk.rps)} req/s` : 'not installed (apt-get install wrk)');
  line('ratio loadlab / autocannon', `${fmt(ll.rps / ac.rps, 2)}×`);
  if (wrk) line('ratio loadlab / wrk', `${fmt(ll.rps / wrk.rps, 2)}×`);

  // (b)
  console.log(`\n(b) generator CPU µs per request at a fixed 2,000 requests/s, ${SECONDS} s`);
  const fixed = await loadlabRun(server.url, { executor: 'constant-arrival-rate', rate: 2000, duration: SECONDS, preAllocatedVUs: 50, maxVUs: 200 });
  line('loadlab (constant-arrival-rate 2000/s)', `${fmt(fixed.cpuUs, 1)} µs/request (${fmt(fixed.rps)} req/s achieved)`);
  await sleep(1000);
  const acFixed = await autocannonRun(server.url, { overallRate: 2000 });
  line('autocannon (overallRate 2000)', `${fmt(acFixed.cpuUs, 1)} µs/request (${fmt(acFixed.rps)} req/s achieved)`);
  if (wrk) line('wrk (no fixed rate: at its own maximum)', `${fmt(wrk.cpuUs, 1)} µs/request`);
  line('ratio loadlab / autocannon', `${fmt(fixed.cpuUs / acFixed.cpuUs, 2)}×`);
  server.child.kill();
}

// (c)
{
  const server = await startServer('stalling');
  const rate = 200;
  const seconds = Math.max(20, SECONDS * 2);
  console.log(`\n(c) latency accuracy: ${rate} req/s for ${seconds} s; server delay uniform 5–15 ms, stalls 1 s in every 5 s`);
  const r = await loadlabRun(server.url, { executor: 'constant-arrival-rate', rate, duration: seconds, preAllocatedVUs: 100, maxVUs: 600 });
  // The truth: each intended start t waits out the stall it lands in, then a 5–15 ms delay.
  const truth: number[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const wall = r.wallStart + (i * 1000) / rate;
    const phase = wall % 5000;
    const stall = phase < 1000 ? 1000 - phase : 0;
    for (let k = 0; k < 20; k++) truth.push(stall + 5 + Math.random() * 10);
  }
  truth.sort((a, b) => a - b);
  const q = (p: number) => truth[Math.min(truth.length - 1, Math.floor((p / 100) * truth.length))]!;
  const rep = (p: number) => r.latency.getValueAtPercentile(p) / 1000;
  line('true p50 / p99 (from the schedule)', `${fmt(q(50), 1)} ms / ${fmt(q(99), 1)} ms`);
  line('loadlab p50 / p99 (from intended start)', `${fmt(rep(50), 1)} ms / ${fmt(rep(99), 1)} ms`);
  line('loadlab p99 error', `${fmt((100 * (rep(99) - q(99))) / q(99), 1)}%`);
  const ac = await autocannonRun(server.url, { duration: seconds });
  line('autocannon p50 / p99 (closed loop, 10 connections)', `${fmt(ac.p50, 1)} ms / ${fmt(ac.p99, 1)} ms`);
  line('ratio autocannon p99 / true p99', `${fmt(ac.p99 / q(99), 2)}×`);
  server.child.kill();
}
