/**
 * Synthetic nightly histories for the gate's self-test: each night's windows are
 * level · exp(σ_run·N(0,1)) · exp(σ_window·N(0,1)) — a night-to-night offset (another tenant on the runner)
 * on top of window-to-window noise. Seeded, so every rate is reproducible.
 */
import { GATE_SCHEMA, type GateRecord } from '../../src/core/gate.ts';
import { compareWithHistory, compareWithRun } from '../../src/gate/compare.ts';
import { GateConfig } from '../../src/core/gate.ts';
import { seededRandom } from '../model-fixture.ts';

export interface Noise {
  windowSigma: number;
  runSigma: number;
  windows: number;
}

export function normal(r: () => number): number {
  let u = 0;
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

const CHECK = 'latency-p95:searchPatient';

export function night(r: () => number, level: number, n: Noise, i: number): GateRecord {
  const offset = Math.exp(n.runSigma * normal(r));
  const values = Array.from({ length: n.windows }, () => level * offset * Math.exp(n.windowSigma * normal(r)));
  return {
    schema: GATE_SCHEMA, runId: `night-${i}`, scenario: 'search-heavy', profile: 'nightly',
    startedAt: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString(), recordedAt: '', label: null,
    windowSeconds: 10, slowWindows: 0, hostUnitMs: null, samples: { [CHECK]: values },
  };
}

export interface Rates {
  falseAlarm: number;
  detection: number;
}

export const settings = GateConfig.parse({}).compare;

/** False-alarm and detection rates of the history rule, and of the naive rule (last night only, ≥ minEffect). */
export function historyRates(noise: Noise, historyRuns: number, trials: number, seed = 7): { gate: Rates; naive: Rates } {
  const r = seededRandom(seed);
  let alarms = 0;
  let caught = 0;
  let naiveAlarms = 0;
  let naiveCaught = 0;
  const failing = (cur: GateRecord, hist: GateRecord[]) => compareWithHistory(cur, hist, settings).rows[0]!.status === 'regression';
  const naive = (cur: GateRecord, hist: GateRecord[]) => {
    const last = hist.at(-1)!;
    const med = (x: GateRecord) => [...x.samples[CHECK]!].sort((a, b) => a - b)[x.samples[CHECK]!.length >> 1]!;
    return med(cur) / med(last) - 1 >= settings.minEffect;
  };
  for (let t = 0; t < trials; t++) {
    const hist = Array.from({ length: historyRuns }, (_, i) => night(r, 200, noise, i));
    const same = night(r, 200, noise, historyRuns);
    const slower = night(r, 220, noise, historyRuns);
    if (failing(same, hist)) alarms++;
    if (failing(slower, hist)) caught++;
    if (naive(same, hist)) naiveAlarms++;
    if (naive(slower, hist)) naiveCaught++;
  }
  return {
    gate: { falseAlarm: alarms / trials, detection: caught / trials },
    naive: { falseAlarm: naiveAlarms / trials, detection: naiveCaught / trials },
  };
}

/** The A/B rule (one baseline run) under the same noise. */
export function baselineRates(noise: Noise, trials: number, seed = 11): Rates {
  const r = seededRandom(seed);
  let alarms = 0;
  let caught = 0;
  for (let t = 0; t < trials; t++) {
    const base = night(r, 200, noise, 0);
    if (compareWithRun(night(r, 200, noise, 1), base, settings)[0]!.status === 'regression') alarms++;
    if (compareWithRun(night(r, 220, noise, 1), base, settings)[0]!.status === 'regression') caught++;
  }
  return { falseAlarm: alarms / trials, detection: caught / trials };
}
