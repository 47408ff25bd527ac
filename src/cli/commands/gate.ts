import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { UsageError } from '../../core/errors.ts';
import { GATE_SCHEMA, GateConfig, GateRecord } from '../../core/gate.ts';
import type { HostLine } from '../../core/resources.ts';
import { readRun, type RunFiles } from '../../engine/run-dir.ts';
import { parseThresholds } from '../../core/thresholds.ts';
import { infrastructureRows, scenarioThresholdRows, thresholdRows } from '../../gate/absolute.ts';
import { compareWithHistory, compareWithRun } from '../../gate/compare.ts';
import { renderJUnit, renderMarkdown, renderText, type GateReport } from '../../gate/render.ts';
import { runSamples } from '../../gate/samples.ts';
import { decide, type VerdictRow } from '../../gate/verdict.ts';
import { hostSpeed, SLOW_FACTOR } from '../../model/host-speed.ts';

export interface GateOptions {
  current: string;
  baseline?: string;
  history?: string;
  thresholds?: string;
  junit?: string;
  markdown?: string;
  record?: boolean;
  label?: string;
  window?: string;
  skip?: string;
}

const zodWhere = (e: ZodError) => e.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');

function readConfig(file: string | undefined, o: GateOptions): GateConfig {
  let raw: unknown = {};
  if (file !== undefined) {
    if (!existsSync(file)) throw new UsageError(`--thresholds ${file}: no such file`);
    try {
      raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
    } catch (e) {
      throw new UsageError(`--thresholds ${file} is not YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const parsed = GateConfig.safeParse(raw);
  if (!parsed.success) throw new UsageError(`--thresholds ${file}: ${zodWhere(parsed.error)}`, 'the keys are thresholds (k6 syntax), compare and infrastructure; see the README');
  const c = parsed.data;
  const int = (v: string | undefined, flag: string, min: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} ${v}: expected a whole number of seconds ≥ ${min}`);
    return n;
  };
  c.compare.windowSeconds = int(o.window, '--window', 1) ?? c.compare.windowSeconds;
  c.compare.skipSeconds = int(o.skip, '--skip', 0) ?? c.compare.skipSeconds;
  return c;
}

/** A run's samples as the history keeps them; windows where the machine ran slow are left out. */
export function recordOf(run: RunFiles, c: GateConfig, label: string | null): GateRecord {
  const speed = hostSpeed(run.resources.filter((r): r is HostLine => r.type === 'host'));
  const ended = Math.max(0, ...run.timeline.map((l) => l.t + 1));
  const s = runSamples(run.timeline, {
    windowSeconds: c.compare.windowSeconds, skipSeconds: c.compare.skipSeconds, slowSeconds: speed.slow,
    lastSecond: run.meta.plannedSeconds > 0 ? Math.min(ended, Math.ceil(run.meta.plannedSeconds)) : ended,
  });
  return GateRecord.parse({
    schema: GATE_SCHEMA, runId: run.meta.id, scenario: run.meta.scenario.name, profile: run.meta.profile, startedAt: run.meta.startedAt,
    recordedAt: new Date().toISOString(), label, windowSeconds: c.compare.windowSeconds, slowWindows: s.slowWindows,
    hostUnitMs: speed.baselineMs, samples: s.samples,
  });
}

function readHistory(dir: string): GateRecord[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new UsageError(`--history ${dir} is not a directory`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const path = join(dir, f);
      let v: unknown;
      try {
        v = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new UsageError(`history file ${path} is not JSON: ${(e as Error).message}`, 'remove or restore it; the gate writes these with --record');
      }
      const r = GateRecord.safeParse(v);
      if (!r.success) throw new UsageError(`history file ${path} is not a gate record: ${zodWhere(r.error)}`);
      return r.data;
    })
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

function readRunDir(dir: string, flag: string): RunFiles {
  if (!existsSync(join(dir, 'run.json'))) throw new UsageError(`${flag} ${dir} is not a run directory (no run.json)`, 'give a directory written by `loadlab run` or `loadlab import k6`');
  return readRun(dir);
}

/** `loadlab gate`: did this run regress against a baseline run or the nightly history? Exit 0 pass, 1 regression. */
export async function gateCommand(o: GateOptions): Promise<void> {
  if ((o.baseline === undefined) === (o.history === undefined)) {
    throw new UsageError('give exactly one of --baseline RUN_DIR and --history DIR', 'a baseline run for an A/B comparison, or the folder --record keeps for nightly runs');
  }
  if (o.record && o.history === undefined) throw new UsageError('--record needs --history DIR (the folder the run is recorded into)');
  const config = readConfig(o.thresholds, o);
  const run = readRunDir(o.current, '--current');
  const label = o.label ?? process.env.GITHUB_SHA ?? null;
  const current = recordOf(run, config, label);
  const notes: string[] = [];
  if (run.meta.status !== 'complete') notes.push(`the current run is ${run.meta.status}, not complete`);
  if (current.slowWindows > 0) notes.push(`${current.slowWindows} window(s) of the current run left out: the machine ran slow in them`);

  let rows: VerdictRow[];
  let against: string;
  let history: GateRecord[] = [];
  if (o.baseline !== undefined) {
    const base = recordOf(readRunDir(o.baseline, '--baseline'), config, null);
    against = `baseline ${base.runId}`;
    if (base.scenario !== current.scenario || base.profile !== current.profile) {
      notes.push(`the baseline ran ${base.scenario}/${base.profile}, the current run ${current.scenario}/${current.profile}`);
    }
    if (base.slowWindows > 0) notes.push(`${base.slowWindows} window(s) of the baseline left out: the machine ran slow in them`);
    noteHostSpeed(notes, [base], current);
    rows = compareWithRun(current, base, config.compare);
  } else {
    const all = readHistory(o.history!);
    history = all.filter((r) => r.scenario === current.scenario && r.profile === current.profile && r.runId !== current.runId);
    const other = all.length - history.length;
    if (other > 0) notes.push(`${other} history record(s) of other scenarios/profiles (or this run) ignored`);
    const mixed = history.filter((r) => r.windowSeconds !== current.windowSeconds).length;
    if (mixed > 0) notes.push(`${mixed} history record(s) used ${history.find((r) => r.windowSeconds !== current.windowSeconds)!.windowSeconds} s windows, this run ${current.windowSeconds} s`);
    against = `history ${o.history} (${history.length} runs)`;
    if (history.length === 0) notes.push('no history yet: only the absolute thresholds and infrastructure limits decide');
    noteHostSpeed(notes, history.slice(-config.compare.historyRuns), current);
    rows = compareWithHistory(current, history, config.compare).rows;
  }
  const thresholds = o.thresholds !== undefined && Object.keys(config.thresholds).length > 0 ? parseThresholds(config.thresholds) : null;
  if (thresholds) rows.push(...thresholdRows(thresholds, run.timeline, run.summary));
  else rows.push(...scenarioThresholdRows(run.summary));
  rows.push(...infrastructureRows(config.infrastructure, run.summary, run.resources, run.meta.host.cpus || 1));

  const decision = decide(rows);
  const report: GateReport = { current: current.runId, against, rows, decision, notes };
  console.log(renderText(report));
  if (o.junit) writeOut(o.junit, renderJUnit(report), 'JUnit');
  if (o.markdown) writeOut(o.markdown, renderMarkdown(report), 'Markdown');
  if (o.record) {
    mkdirSync(o.history!, { recursive: true });
    const file = join(o.history!, `${current.startedAt.replace(/[:.]/g, '-')}-${basename(current.runId)}.json`);
    writeFileSync(file, `${JSON.stringify(current)}\n`);
    console.log(`recorded ${current.runId} in ${file}`);
  }
  process.exitCode = decision.exitCode;
}

function noteHostSpeed(notes: string[], baseline: GateRecord[], current: GateRecord): void {
  const units = baseline.map((b) => b.hostUnitMs).filter((u): u is number => u !== null);
  if (current.hostUnitMs === null || units.length === 0) return;
  const usual = units.sort((a, b) => a - b)[units.length >> 1]!;
  const ratio = current.hostUnitMs / usual;
  if (ratio > SLOW_FACTOR || ratio < 1 / SLOW_FACTOR) {
    notes.push(`this machine ran ${ratio.toFixed(1)}× ${ratio > 1 ? 'slower' : 'faster'} than during the baseline (probe unit ${current.hostUnitMs.toFixed(2)} ms vs ${usual.toFixed(2)} ms): a different or busier runner; treat the comparison with care`);
  }
}

function writeOut(path: string, text: string, what: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`cannot write the ${what} file ${path}: ${(e as Error).message}`);
  }
  console.log(`${what}: ${path}`);
}
