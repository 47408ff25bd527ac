/**
 * `loadlab k6 export SCENARIO` and `loadlab k6 operator SCENARIO --parallelism N`: a scenario as a
 * script stock k6 runs, and as manifests for the k6-operator. Output of either is imported back with
 * `loadlab import k6`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { exportScenario, LOADLAB_VERSION } from '../../k6/export/index.ts';
import { PROFILES } from '../../k6/export/options.ts';
import { k8sName, operatorManifests } from '../../k6/operator.ts';

export interface K6ExportOptions {
  out?: string;
  profile?: string;
  seed?: string;
}

export interface K6OperatorOptions {
  parallelism?: string;
  namespace?: string;
  name?: string;
  profile?: string;
  out?: string;
  target?: string;
  seed?: string;
}

const DEFAULT_DIR = 'reports/k6';
/** The cluster-side default: a Service named openmrs in the TestRun's namespace. */
const CLUSTER_TARGET = 'http://openmrs:8080/openmrs';

function checkProfile(p: string | undefined): void {
  if (p !== undefined && !(PROFILES as readonly string[]).includes(p)) throw new UsageError(`--profile: unknown profile '${p}'`, `use one of: ${PROFILES.join(', ')}`);
}

function seedOf(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s)) throw new UsageError(`--seed: '${s}' is not a whole number`, 'e.g. --seed 7');
  return Number(s);
}

const shown = (file: string) => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
};

export async function k6ExportCommand(scenario: string, opts: K6ExportOptions): Promise<void> {
  checkProfile(opts.profile);
  const seed = seedOf(opts.seed);
  const name = basename(scenario).replace(/\.[cm]?[jt]s$/, '');
  const out = resolve(opts.out ?? join(DEFAULT_DIR, `${name}.k6.js`));
  const r = await exportScenario({ scenario, profile: opts.profile, out, seed });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, r.script);
  for (const w of r.warnings) console.error(`warning: ${w}`);
  console.log(`k6 script for ${r.scenario.name} (profile ${r.profile}, ${Object.values(r.options.scenarios)[0]?.executor}) → ${shown(out)} (${Buffer.byteLength(r.script).toLocaleString('en')} bytes)`);
  if (r.csv.length) console.log(`  it opens ${r.csv.map((c) => c.path).join(', ')} (relative to the script)`);
  console.log(`run:    LOADLAB_TARGET=http://127.0.0.1:8080 OPENMRS_USERNAME=admin OPENMRS_PASSWORD=… k6 run --out json=out.json.gz ${shown(out)}`);
  console.log('import: loadlab import k6 out.json.gz --out reports/runs/<id>');
}

export async function k6OperatorCommand(scenario: string, opts: K6OperatorOptions): Promise<void> {
  checkProfile(opts.profile);
  const parallelism = Number(opts.parallelism);
  if (opts.parallelism === undefined || !/^\d+$/.test(String(opts.parallelism).trim()) || !(parallelism >= 1)) {
    throw new UsageError(`--parallelism: '${opts.parallelism ?? ''}' is not a whole number of runner pods ≥ 1`, 'e.g. --parallelism 4');
  }
  const r = await exportScenario({ scenario, profile: opts.profile, csvBeside: true, seed: seedOf(opts.seed) });
  for (const w of r.warnings) console.error(`warning: ${w}`);
  const name = opts.name ?? k8sName(r.scenario.name);
  const namespace = opts.namespace ?? 'default';
  const files: Record<string, string> = {};
  for (const c of r.csv) {
    const key = basename(c.source);
    if (files[key] !== undefined || key === `${name}.js`) throw new UsageError(`two files would both be ${key} in the ConfigMap`, 'give the CSV feeders distinct file names');
    files[key] = readFileSync(c.source, 'utf8');
  }
  const m = operatorManifests({
    name, namespace, parallelism, target: opts.target ?? CLUSTER_TARGET, script: r.script, files,
    scenario: r.scenario.name, profile: r.profile, version: LOADLAB_VERSION,
  });
  const dir = resolve(opts.out ?? DEFAULT_DIR);
  mkdirSync(dir, { recursive: true });
  const configMap = join(dir, `${name}-configmap.yaml`);
  const testRun = join(dir, `${name}-testrun.yaml`);
  writeFileSync(configMap, m.configMap);
  writeFileSync(testRun, m.testRun);
  console.log(`k6-operator manifests for ${r.scenario.name} (profile ${r.profile}, ${parallelism} runner pod(s), namespace ${namespace}):`);
  console.log(`  ${shown(configMap)}  ConfigMap ${name}: ${m.files.join(', ')} (${m.bytes.toLocaleString('en')} bytes)`);
  console.log(`  ${shown(testRun)}  TestRun ${name} (LOADLAB_TARGET=${opts.target ?? CLUSTER_TARGET})`);
  console.log('apply:');
  console.log(`  kubectl apply -f ${shown(configMap)}`);
  console.log(`  kubectl apply -f ${shown(testRun)}`);
  console.log(`then collect each runner pod's /tmp/out.json.gz and merge them: loadlab import k6 out-*.json.gz --out reports/runs/<id>`);
}
