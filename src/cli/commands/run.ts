import { cpus, hostname, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join, relative, resolve } from 'node:path';
import { parseDbUrl, type DbLocation } from '../../core/db-url.ts';
import { UsageError } from '../../core/errors.ts';
import { isLoopbackHost } from '../../core/loopback.ts';
import type { RunStatus, TimelineLine } from '../../core/run.ts';
import { auditLedger, restLookup } from '../../engine/ledger.ts';
import { preflight } from '../../engine/preflight.ts';
import { Progress } from '../../engine/progress.ts';
import { Recorder } from '../../engine/recorder.ts';
import { RunDirectory } from '../../engine/run-dir.ts';
import { runScenario } from '../../engine/runner.ts';
import { buildSummary } from '../../engine/summary.ts';
import { evaluate, parseThresholds } from '../../engine/thresholds.ts';
import { applyFault } from '../../infra/fault.ts';
import { locations } from '../../infra/mariadb.ts';
import { readState } from '../../infra/state.ts';
import { describeTopology } from '../../infra/topology-spec.ts';
import { dbLookup } from '../../probe/ledger-db.ts';
import { dbJson, snapshotDb, startProbes, type DbNodeTarget } from '../../probe/sampler.ts';
import { probeTargets } from '../../probe/targets.ts';
import { resolveFeeders } from '../../scenario/feeders.ts';
import { loadScenario } from '../../scenario/load.ts';
import { formatSummary } from '../print-summary.ts';
import { chooseLoad, parseFault, type RunArgs } from '../run-options.ts';

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

/**
 * `loadlab run`: wires the stages of a run — scenario, feeders, the engine, the recorder writing the
 * run directory each second, scheduled faults on the local topology, the ledger audit, thresholds.
 */
export async function runCommand(scenarioArg: string, a: RunArgs): Promise<void> {
  const scenario = await loadScenario(scenarioArg);
  const { profile, load } = chooseLoad(scenario, a);
  const state = readState();
  const target = (a.target ?? state?.targetUrl ?? 'http://127.0.0.1:8080/openmrs').replace(/\/$/, '');
  let host: string;
  try {
    host = new URL(target).hostname;
  } catch {
    throw new UsageError(`--target: '${target}' is not a URL`, 'e.g. --target http://127.0.0.1:8080/openmrs');
  }
  if (!isLoopbackHost(host) && !a.allowRemote) {
    throw new UsageError(`--target ${host} is not on this machine`, 'load goes to loopback addresses only unless you pass --allow-remote');
  }
  const credentials = { username: a.user ?? process.env.LOADLAB_USER ?? 'admin', password: a.password ?? process.env.LOADLAB_PASSWORD ?? 'Admin123' };
  const local = state !== undefined && state.targetUrl === target;
  const faults = (a.fault ?? []).map(parseFault);
  if (faults.length && !local) throw new UsageError('--fault needs the local topology as the target', 'start one with `loadlab up` and leave --target out');
  const ledgerDb: DbLocation | undefined = a.dbUrl
    ? parseDbUrl(a.dbUrl, '--db-url')
    : local ? { ...locations(state.appDb.port, state.credentials).app, host: state.appDb.host } : undefined;

  await preflight(target, credentials);
  const authHeader = 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const feeders = await resolveFeeders(scenario.feeders ?? {}, {
    fetchJson: async (path: string) => (await fetch(`${target}${path}`, { headers: { authorization: authHeader } })).json(),
  });

  const id = `${stamp()}-${scenario.name}-${profile}`;
  const dir = resolve(a.out ?? join('reports', 'runs', id));
  const seed = a.seed ? Number(a.seed) : 1;
  const clock = { start: performance.now() };
  const pending: TimelineLine[] = [];
  const recorder = new Recorder((l) => pending.push(l));
  recorder.clockStart = clock.start;
  const plannedSeconds = plannedDuration(load);
  const runDir = RunDirectory.create(dir, {
    schema: 1, id, scenario: { name: scenario.name, file: relative(process.cwd(), scenarioArg), description: scenario.description },
    profile, load: { ...load }, target,
    topology: local ? { description: describeTopology(state.spec), spec: { ...state.spec, db: redactDb(state.spec.db) } } : null,
    versions: { loadlab: '0.1.0', node: process.version }, host: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), hostname: hostname() },
    seed, plannedSeconds, startedAt: new Date().toISOString(), endedAt: null, status: 'running', pid: process.pid, error: null,
    faults: faults.map((f) => ({ atSeconds: f.atSeconds, action: `${f.action} ${f.component}` })),
  });
  // Probes sample the topology's processes and databases beside the load (the generator too).
  const dbNodes: DbNodeTarget[] = local ? probeTargets(state).dbNodes : ledgerDb ? [{ node: 'db', role: 'database', db: ledgerDb }] : [];
  const probes = startProbes({
    processes: local ? () => probeTargets(readState() ?? state).processes : [],
    dbNodes,
    writeLine: (line) => runDir.appendResource(line),
    clockStart: clock.start,
  });
  await probes.ready;
  const dbStart = dbNodes.length ? await snapshotDb(dbNodes) : null;
  const progress = new Progress(plannedSeconds);
  const errorMessages: string[] = [];
  const cpu0 = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const thresholds = parseThresholds(scenario.thresholds);
  const summarize = (status: RunStatus, seconds: number, ledger: Awaited<ReturnType<typeof auditLedger>> | null = null) => {
    const cpu = process.cpuUsage(cpu0);
    return buildSummary(recorder, {
      status, durationSeconds: seconds, thresholds: evaluate(thresholds, recorder, seconds), ledger,
      cpuSeconds: (cpu.user + cpu.system) / 1e6, errorMessages: [...recorder.failures, ...errorMessages],
      loopDelayMs: loop.count ? { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } : null,
    });
  };
  const drain = (final = false) => {
    recorder.flush(performance.now() - clock.start, final);
    const lines = pending.splice(0);
    runDir.appendTimeline(lines);
    progress.second(lines);
    for (const l of lines) if (l.type === 'event') progress.event(l.label);
  };

  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      console.error('\ninterrupted: stopping the run (Ctrl-C again to stop at once)');
      abort.abort();
      return;
    }
    drain(true);
    runDir.writeSummary(summarize('interrupted', (performance.now() - clock.start) / 1000));
    runDir.update({ status: 'interrupted', endedAt: new Date().toISOString() });
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ticker = setInterval(() => {
    drain();
    if (Math.floor((performance.now() - clock.start) / 1000) % 5 === 0) {
      runDir.writeSummary(summarize('running', (performance.now() - clock.start) / 1000));
    }
  }, 1000);

  let status: RunStatus = 'complete';
  let seconds = 0;
  try {
    const outcome = await runScenario({
      scenario, load, target, credentials, feeders, sink: recorder, signal: abort.signal, seed, clock,
      actions: faults.map((f) => ({
        atSeconds: f.atSeconds,
        label: `${f.action} ${f.component}`,
        run: async () => void (await applyFault(f.action, f.component)),
      })),
      onError: (m) => {
        if (errorMessages.length < 20 && !errorMessages.includes(m)) errorMessages.push(m);
      },
    });
    seconds = (outcome.endedAt - outcome.startedAt) / 1000;
    if (outcome.aborted) status = 'interrupted';
  } catch (e) {
    status = 'failed';
    runDir.update({ error: (e as Error).message });
    throw e;
  } finally {
    clearInterval(ticker);
    drain(true);
    progress.done();
    if (status === 'failed') {
      runDir.writeSummary(summarize('failed', (performance.now() - clock.start) / 1000));
      runDir.update({ status, endedAt: new Date().toISOString() });
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  await probes.stop();
  runDir.writeDb(dbJson(dbStart, dbNodes.length ? await snapshotDb(dbNodes) : null, probes.capabilities()));
  const lookup = ledgerDb ? dbLookup(ledgerDb) : restLookup(target, credentials);
  const ledger = recorder.ledger.length ? await auditLedger(recorder.ledger, lookup, ledgerDb ? 'database' : 'rest') : null;
  const summary = summarize(status, seconds, ledger);
  runDir.writeSummary(summary);
  runDir.update({ status, endedAt: new Date().toISOString() });
  console.log(formatSummary(id, relative(process.cwd(), dir) || dir, summary));
  const failed = summary.thresholds.filter((t) => !t.ok);
  if (failed.length) {
    console.log(`thresholds failed: ${failed.map((t) => `${t.metric} ${t.expression}`).join('; ')}`);
    process.exitCode = 1;
  }
}

function plannedDuration(load: import('../../scenario/types.ts').ExecutorConfig): number {
  if ('duration' in load) return load.duration;
  return load.stages.reduce((s, st) => s + st.duration, 0);
}

function redactDb(db: { kind: string; url?: string }): Record<string, unknown> {
  return db.url ? { ...db, url: db.url.replace(/:[^:@/]*@/, ':***@') } : db;
}
