/**
 * `loadlab k6 export`: a scenario and one of its profiles as one k6 script. The scenario is loaded and
 * validated as `loadlab run` loads it, its profile becomes k6 options (options.ts), and the scenario
 * file is bundled with the runtime (bundle.ts) behind a header that says where it came from and how
 * to run it.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { loadScenario, resolveScenarioPath } from '../../scenario/load.ts';
import type { ProfileName, Scenario } from '../../scenario/types.ts';
import { DEFAULT_PASSWORD, DEFAULT_TARGET, DEFAULT_USERNAME, type ExportConfig } from '../runtime/config.ts';
import { bundle } from './bundle.ts';
import { k6Options, profileMaxVUs, resolveProfile, type K6Options } from './options.ts';

export const LOADLAB_VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface ExportRequest {
  scenario: string;
  profile?: string;
  /** Where the script will be written: CSV paths are made relative to it (k6's open() resolves from the script). */
  out?: string;
  /** CSV files sit beside the script under their base names (a k6-operator ConfigMap holds them as keys). */
  csvBeside?: boolean;
  cwd?: string;
  seed?: number;
}

export interface CsvFile {
  feeder: string;
  /** The file on this machine. */
  source: string;
  /** The path the script opens. */
  path: string;
}

export interface ExportResult {
  script: string;
  scenario: Scenario;
  scenarioFile: string;
  profile: ProfileName;
  options: K6Options;
  csv: CsvFile[];
  warnings: string[];
}

const posix = (p: string) => p.split('\\').join('/');

function header(s: Scenario, file: string, profile: string, csv: CsvFile[], renamed: string[]): string {
  const lines = [
    `loadlab k6 export: scenario '${s.name}' (${file}), profile '${profile}', loadlab ${LOADLAB_VERSION}.`,
    s.description,
    '',
    'Run it with stock k6 (0.45 or later; ES2015, no Node.js):',
    '  LOADLAB_TARGET=http://openmrs.example:8080 k6 run --out json=out.json.gz script.js',
    '  then: loadlab import k6 out.json.gz --out reports/runs/<id>',
    'Environment:',
    `  LOADLAB_TARGET     the OpenMRS server (default ${DEFAULT_TARGET}; the scenario's base path ${s.basePath ?? '/openmrs'} is added when missing)`,
    `  OPENMRS_USERNAME   login user (or LOADLAB_USER; default ${DEFAULT_USERNAME})`,
    `  OPENMRS_PASSWORD   its password (or LOADLAB_PASSWORD; default: loadlab's default ${DEFAULT_PASSWORD}). Never written into this file.`,
    '  LOADLAB_SEED       seed of the VUs\' journey picks, think times and data (default 1, as loadlab run)',
    'Requests are tagged name and step (the step), request (the request within it) and journey;',
    'custom metrics: loadlab_think_time (Trend, ms) and loadlab_iteration_ok (Rate), tagged journey.',
    "setup() reads the target's seed parameters for seeded-patients feeders (k6 allows no HTTP in the init context).",
  ];
  if (csv.length) lines.push(`Files opened: ${csv.map((c) => `${c.path} (feeder '${c.feeder}')`).join(', ')}.`);
  if (renamed.length) lines.push(`Thresholds renamed for k6 (k6 has no http_req_service; its http_req_duration is measured from the send): ${renamed.join('; ')}.`);
  return lines.map((l) => (l ? `// ${l}` : '//')).join('\n');
}

/**
 * The entry module: polyfills first (before the scenario's module code runs), then the scenario and the
 * runtime. esbuild drops its comments; what a reader of the script needs is in the header.
 */
function entry(scenarioFile: string, options: K6Options, config: ExportConfig): string {
  return [
    "import './polyfills.ts';",
    `import scenario from ${JSON.stringify(posix(scenarioFile))};`,
    "import { createRuntime } from './index.ts';",
    '',
    `export const options = ${JSON.stringify(options, null, 2)};`,
    '',
    `const runtime = createRuntime(scenario, ${JSON.stringify(config)});`,
    '',
    'export function setup() {',
    '  return runtime.setup();',
    '}',
    '',
    'export default function (data) {',
    '  runtime.iteration(data);',
    '}',
    '',
  ].join('\n');
}

export async function exportScenario(req: ExportRequest): Promise<ExportResult> {
  const cwd = req.cwd ?? process.cwd();
  const scenario = await loadScenario(req.scenario, cwd);
  const scenarioFile = resolveScenarioPath(req.scenario, cwd)!;
  const { name: profile, config: load } = resolveProfile(scenario, req.profile);
  const { options, renamed } = k6Options(scenario, load);
  const outDir = req.out ? dirname(resolve(cwd, req.out)) : cwd;
  const csv: CsvFile[] = Object.entries(scenario.feeders ?? {}).flatMap(([feeder, spec]) => {
    if (spec.kind !== 'csv') return [];
    // The engine reads CSV paths from the working directory; k6 from the script's folder.
    const source = resolve(cwd, spec.path);
    const rel = posix(relative(outDir, source));
    const path = req.csvBeside ? `./${basename(source)}` : isAbsolute(rel) || rel.startsWith('../') ? rel : `./${rel}`;
    return [{ feeder, source, path }];
  });
  const config: ExportConfig = {
    scenario: scenario.name,
    profile,
    loadlab: LOADLAB_VERSION,
    seed: req.seed ?? 1,
    spread: profileMaxVUs(load),
    csv: Object.fromEntries(csv.map((c) => [c.feeder, c.path])),
  };
  const shownFile = posix(relative(cwd, scenarioFile).startsWith('..') ? scenarioFile : relative(cwd, scenarioFile));
  const { code, warnings } = await bundle({
    entry: entry(scenarioFile, options, config),
    banner: header(scenario, shownFile, profile, csv, renamed),
    cwd,
  });
  return { script: code, scenario, scenarioFile, profile, options, csv, warnings };
}
