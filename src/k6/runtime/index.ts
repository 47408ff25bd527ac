/**
 * The interpreter an exported script runs: `createRuntime(scenario, config)` in the init context,
 * then `setup()` once and `iteration(data)` for every k6 iteration. Module state is per VU in k6
 * (each VU evaluates the script), so the VU context below is this VU's alone.
 */
import { check, sleep } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import type { Scenario } from '../../scenario/types.ts';
import { DEFAULT_PASSWORD, DEFAULT_TARGET, DEFAULT_USERNAME, type ExportConfig } from './config.ts';
import { initFeeders, seededFeeders, setupFeeders, type SeededData } from './feeders.ts';
import { K6VuHttp } from './http.ts';
import { journeyPicker } from '../../scenario/sampling.ts';
import type { FeederRecord } from '../../scenario/records.ts';
import { parseTarget } from './target.ts';
import { K6Vu } from './vu.ts';

export interface SetupData {
  feeders: SeededData;
}

const env = (name: string): string | undefined => {
  const v = __ENV[name];
  return v === undefined || v === '' ? undefined : v;
};

/** OPENMRS_USERNAME / OPENMRS_PASSWORD, or loadlab's own LOADLAB_USER / LOADLAB_PASSWORD, else loadlab's defaults. */
const credentials = () => ({
  username: env('OPENMRS_USERNAME') || env('LOADLAB_USER') || DEFAULT_USERNAME,
  password: env('OPENMRS_PASSWORD') || env('LOADLAB_PASSWORD') || DEFAULT_PASSWORD,
});

export function createRuntime(scenario: Scenario, config: ExportConfig) {
  const basePath = scenario.basePath === undefined ? '/openmrs' : scenario.basePath;
  const target = parseTarget(env('LOADLAB_TARGET') || DEFAULT_TARGET, basePath);
  const seedText = env('LOADLAB_SEED');
  const seed = seedText !== undefined && /^-?\d+$/.test(seedText) ? Number(seedText) : config.seed;
  const pick = journeyPicker(scenario.journeys, seed);
  const specs = scenario.feeders || {};
  // Custom metrics are declared in the init context, as k6 requires.
  const thinkTime = new Trend('loadlab_think_time', true);
  const iterationOk = new Rate('loadlab_iteration_ok');
  const fixed = initFeeders(specs, config.csv);
  let feeders: Record<string, FeederRecord[]> | undefined;
  let vu: K6Vu | undefined;

  return {
    setup(): SetupData {
      return { feeders: setupFeeders(specs, target, credentials()) };
    },

    iteration(data: SetupData | undefined): void {
      if (!vu) {
        feeders = Object.assign({}, fixed, seededFeeders(data ? data.feeders : undefined));
        const all = feeders;
        vu = new K6Vu(__VU, seed, new K6VuHttp(target, credentials), () => all, config.spread, credentials, basePath, {
          check: (name, ok, step) => check(ok, { [name]: (v) => v === true }, step ? { step } : {}),
          sleep: (s) => sleep(s),
          think: (s, journey) => thinkTime.add(s * 1000, { journey }),
          iteration: (journey, ok) => iterationOk.add(ok, { journey }),
          warn: (m) => console.warn(`loadlab: ${m}`),
        });
      }
      // Seeded per VU like the engine's closed loop: (VU, its iteration number).
      vu.runIteration(pick(vu.vu, vu.iteration + 1));
    },
  };
}
