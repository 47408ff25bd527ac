/**
 * `loadlab import k6`: k6 results → a loadlab run directory (run.json, timeline.ndjson, summary.json) that
 * report, gate and calibrate read like any run. The pods' NDJSON files are read side by side, oldest point
 * first, so that each second can be written once every pod has moved past it: memory stays bounded by a few
 * seconds of histograms however long the run was.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { RunMeta, Summary } from '../../core/run.ts';
import { statsMs } from '../../core/histogram.ts';
import { RunDirectory } from '../../engine/run-dir.ts';
import { buildSummary } from '../../engine/summary.ts';
import { evaluate } from '../../engine/thresholds.ts';
import type { Recorder } from '../../engine/recorder.ts';
import { Accumulator, newPod, type PodState } from './accumulate.ts';
import { parseK6Line, type K6Line } from './lines.ts';
import { newSeen, PodReader, type Seen } from './pod.ts';
import { openSource, type K6Source, type LineReader } from './source.ts';
import { readSummaryExport, type SummaryExport } from './summary-export.ts';
import { collectThresholds, verdictChanges } from './thresholds.ts';

/** A sample can reach the file this long after a later one (k6 flushes its JSON output every 200 ms). */
const SLACK_MS = 5_000;
/** Lines read ahead from each file to find the earliest point before anything is filed by second. */
const PRIME_MS = 3_000;
const PRIME_LINES = 20_000;
/** A pod reads this far ahead of the slowest one before another gets its turn. */
const STRIDE_MS = 1_000;

export interface ImportResult {
  dir: string;
  meta: RunMeta;
  summary: Summary;
  pods: { file: string; requests: number; p95ByStep: Record<string, number> }[];
  exports: string[];
  warnings: string[];
}

interface Input {
  pod: PodState;
  lines: LineReader;
  reader?: PodReader;
  buffer: { line: K6Line; lineNo: number }[];
}

function checkOut(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} exists and is not a directory`);
  const entries = readdirSync(dir);
  if (entries.length && !entries.includes('run.json')) {
    throw new UsageError(`--out ${dir} is not empty and not a run directory`, 'give a new directory (or an earlier run directory to replace)');
  }
}

async function nextLine(input: Input): Promise<{ line: K6Line; lineNo: number } | null> {
  for (;;) {
    const l = await input.lines.next();
    if (!l) return null;
    const line = parseK6Line(l.text, input.lines.file, l.lineNo);
    if (line) return { line, lineNo: l.lineNo };
  }
}

/** Reads a pod's first seconds: the earliest point of the run is among them. */
async function prime(input: Input): Promise<void> {
  let first = Infinity;
  for (let n = 0; n < PRIME_LINES; n++) {
    const l = await nextLine(input);
    if (!l) {
      input.pod.exhausted = true;
      return;
    }
    input.buffer.push(l);
    if (l.line.type === 'Point') {
      first = Math.min(first, l.line.time);
      if (l.line.time - first > PRIME_MS) return;
    }
  }
}

const feed = (reader: PodReader, line: K6Line) => (line.type === 'Point' ? reader.point(line) : reader.metric(line));

async function stride(input: Input, until: number): Promise<void> {
  const reader = input.reader!;
  for (let n = 0; n < 5_000 && input.pod.clock <= until; n++) {
    const l = await nextLine(input);
    if (!l) {
      reader.commit();
      input.pod.exhausted = true;
      return;
    }
    feed(reader, l.line);
  }
}

export async function importK6(files: string[], outDir: string): Promise<ImportResult> {
  if (!files.length) throw new UsageError('no input files', 'give the k6 JSON outputs of every pod: loadlab import k6 pod-*.json --out DIR');
  const dir = resolve(outDir);
  checkOut(dir);
  const sources: K6Source[] = [];
  try {
    for (const f of files) sources.push(await openSource(f));
    const exports: SummaryExport[] = sources.flatMap((s) => (s.kind === 'summary' ? [readSummaryExport(s.file, s.data)] : []));
    const inputs: Input[] = sources.flatMap((s, i) => (s.kind === 'ndjson' ? [{ pod: newPod(i, s.file), lines: s.lines, buffer: [] }] : []));
    if (!inputs.length) {
      throw new UsageError(
        'only k6 summary exports were given: percentiles across pods cannot be computed from per-pod percentiles',
        'run k6 with --out json=FILE (k6-operator: add it to each pod\'s arguments) and import those files; summary exports may be added alongside',
      );
    }
    for (const input of inputs) await prime(input);
    const starts = inputs.map((i) => i.buffer.reduce((m, b) => (b.line.type === 'Point' ? Math.min(m, b.line.time) : m), Infinity));
    inputs.forEach((input, i) => {
      if (starts[i] === Infinity) throw new UsageError(`${input.lines.file} has no k6 points (only metric definitions)`, 'was the k6 run stopped before it measured anything?');
    });
    return await convert(inputs, exports, Math.min(...starts), files, dir);
  } finally {
    for (const s of sources) if (s.kind === 'ndjson') await s.lines.close();
  }
}

async function convert(inputs: Input[], exports: SummaryExport[], origin: number, files: string[], dir: string): Promise<ImportResult> {
  const id = basename(dir);
  const pods = inputs.map((i) => i.pod);
  const base: RunMeta = {
    schema: 1, id, scenario: { name: 'k6', file: files.join(' '), description: 'imported from k6' }, profile: 'k6', load: {}, target: 'unknown',
    topology: null, versions: { loadlab: '0.1.0', node: process.version }, host: { cpus: 0, memoryGiB: 0, hostname: 'k6' }, seed: 0,
    plannedSeconds: 0, startedAt: new Date(origin).toISOString(), endedAt: null, status: 'running', pid: process.pid, error: null, faults: [],
  };
  const runDir = RunDirectory.create(dir, base);
  try {
    const seen = newSeen();
    const acc = new Accumulator(origin, pods, (lines) => runDir.appendTimeline(lines));
    for (const input of inputs) {
      input.reader = new PodReader(input.pod, acc, seen);
      for (const b of input.buffer.splice(0)) feed(input.reader, b.line);
      if (input.pod.exhausted) input.reader.commit();
    }
    for (;;) {
      const active = inputs.filter((i) => !i.pod.exhausted);
      if (!active.length) break;
      const slowest = active.reduce((a, b) => (b.pod.clock < a.pod.clock ? b : a));
      await stride(slowest, slowest.pod.clock + STRIDE_MS);
      const stillActive = inputs.filter((i) => !i.pod.exhausted);
      if (stillActive.length) acc.flushBefore(Math.min(...stillActive.map((i) => i.pod.clock)) - SLACK_MS);
    }
    acc.flushBefore(Infinity, true);
    return finish(runDir, base, acc, seen, inputs, exports, files);
  } catch (e) {
    runDir.update({ status: 'failed', error: (e as Error).message, endedAt: new Date().toISOString() });
    throw e;
  }
}

/** The summary exports' check counts, standing in for check points the NDJSON does not have. */
function addExportChecks(rec: Recorder, exports: SummaryExport[]): void {
  for (const e of exports) {
    for (const [name, c] of e.checks) {
      const total = rec.checks.get(name) ?? { passes: 0, fails: 0 };
      total.passes += c.passes;
      total.fails += c.fails;
      rec.checks.set(name, total);
      rec.totals.checksPassed += c.passes;
      rec.totals.checksFailed += c.fails;
    }
  }
}

function finish(runDir: RunDirectory, base: RunMeta, acc: Accumulator, seen: Seen, inputs: Input[], exports: SummaryExport[], files: string[]): ImportResult {
  const origin = acc.origin;
  const pods = inputs.map((i) => i.pod);
  const rec = acc.rec;
  const warnings: string[] = [];
  const end = Math.max(...pods.map((p) => p.last));
  const seconds = Math.max(0.001, (end - origin) / 1000);
  if (seen.checkPoints === 0 && exports.some((e) => e.checks.size)) {
    addExportChecks(rec, exports);
    warnings.push('checks come from the summary exports (the NDJSON has no check points)');
  }
  const requests = pods.reduce((s, p) => s + p.requests, 0);
  for (const p of pods) {
    if (p.httpReqs && p.httpReqs !== p.requests) warnings.push(`${p.file}: k6 counted ${p.httpReqs} http_reqs but wrote ${p.requests} http_req_duration points`);
  }
  if (exports.length) {
    const counted = exports.map((e) => e.httpReqs);
    if (exports.length === pods.length && counted.every((c): c is number => c !== null)) {
      const total = counted.reduce((a, b) => a + b, 0);
      if (total !== requests) warnings.push(`the summary exports count ${total} http_reqs, the NDJSON files ${requests}: are the files from the same run, and complete?`);
    } else {
      warnings.push(`${exports.length} summary export(s) for ${pods.length} NDJSON file(s): http_reqs counts not compared`);
    }
  }
  const thresholds = collectThresholds(seen.metrics.values(), exports);
  for (const s of thresholds.skipped) warnings.push(`threshold not re-evaluated: ${s}`);
  const results = evaluate(thresholds.parsed, rec, seconds);
  warnings.push(...verdictChanges(results, exports));
  rec.vusMax = acc.vusMax;
  const summary = buildSummary(rec, { status: 'complete', durationSeconds: seconds, thresholds: results, ledger: null, cpuSeconds: 0, errorMessages: rec.failures });
  // The generator's cost was k6's, on its own machines: unknown here.
  summary.generator = { cpuSeconds: 0, cpuMicrosPerRequest: null, loopDelayMs: null };
  runDir.writeSummary(summary);
  const origins = [...seen.origins].sort((a, b) => b[1] - a[1]);
  const scenarios = [...seen.scenarios].sort();
  const perPod = pods.map((p) => ({
    file: p.file, requests: p.requests, p95ByStep: Object.fromEntries([...p.latency].map(([step, h]) => [step, statsMs(h).p95])),
  }));
  const meta = {
    scenario: {
      name: scenarios.length === 1 ? scenarios[0]! : 'k6',
      file: files.join(' '),
      description:
        `imported from k6 (${pods.length} pod${pods.length === 1 ? '' : 's'}); latency is k6's http_req_duration, measured from sending ` +
        '(k6 knows no intended start), so latency and service time are the same',
    },
    load: {
      pods: pods.length, files: files.map((f) => basename(f)), scenarios, summaryExports: exports.map((e) => basename(e.file)),
      requestsPerPod: perPod.map((p) => p.requests), dataReceivedBytes: pods.reduce((s, p) => s + p.bytesIn, 0),
      dataSentBytes: pods.reduce((s, p) => s + p.bytesOut, 0), targets: origins.map(([o]) => o),
    },
    target: origins[0]?.[0] ?? 'unknown',
    plannedSeconds: Math.round(seconds * 1000) / 1000,
    startedAt: new Date(origin).toISOString(),
    endedAt: new Date(end).toISOString(),
    status: 'complete' as const,
  } satisfies Partial<RunMeta>;
  runDir.update(meta);
  for (const p of pods) for (const h of p.latency.values()) h.destroy();
  return { dir: runDir.dir, meta: { ...base, ...meta }, summary, pods: perPod, exports: exports.map((e) => e.file), warnings };
}
