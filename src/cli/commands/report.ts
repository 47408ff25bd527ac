import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { CostEstimate } from '../../core/cost.ts';
import { UsageError } from '../../core/errors.ts';
import { Model, Projection } from '../../core/model.ts';
import { readRun } from '../../engine/run-dir.ts';
import { extractReport } from '../../report/extract.ts';
import { renderReport } from '../../report/render.ts';

interface ReportOptions {
  compare?: string;
  model?: string;
  projections?: string[];
  cost?: string[];
  out?: string;
}

/** A file holding one document of `schema` or an array of them (simulate writes one projection; a demo may write several). */
function readDocs<T>(file: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, what: string): T[] {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`, `give an existing ${what} file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const docs = Array.isArray(json) ? json : [json];
  return docs.map((doc, i) => {
    const parsed = schema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`${file}${docs.length > 1 ? ` item ${i + 1}` : ''} is not a valid ${what}: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`);
    }
    return parsed.data;
  });
}

/** Files in the run directory named like `prefix*.json` (projections.json, projections-galera.json …). */
const besideRun = (dir: string, prefix: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));

/** Chart.js's UMD build: a plain script that defines window.Chart, to inline into the report. */
function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  const umd = join(dirname(main), 'chart.umd.min.js');
  if (!existsSync(umd)) throw new UsageError(`Chart.js's browser build is missing (${umd})`, 'run npm ci');
  return readFileSync(umd, 'utf8');
}

export async function reportCommand(runDir: string, opts: ReportOptions): Promise<void> {
  const run = readRun(runDir);
  const baseline = opts.compare ? readRun(opts.compare) : undefined;
  const modelFile = opts.model ?? (existsSync(join(runDir, 'model.json')) ? join(runDir, 'model.json') : undefined);
  const model = modelFile ? readDocs(modelFile, Model, 'model (from loadlab calibrate)')[0] : undefined;
  const projectionFiles = opts.projections ?? besideRun(runDir, 'projections');
  const costFiles = opts.cost ?? besideRun(runDir, 'cost');
  const projections = projectionFiles.flatMap((f) => readDocs(f, Projection, 'projection (from loadlab simulate --out)'));
  const costs = costFiles.flatMap((f) => readDocs(f, CostEstimate, 'cost estimate (from loadlab cost)'));
  const data = extractReport({ run, baseline, model, projections, costs });
  const out = resolve(opts.out ?? join(runDir, 'report.html'));
  writeFileSync(out, renderReport(data, chartJsSource(), new Date().toISOString()));
  const used = [modelFile && 'model', projections.length && `${projections.length} projection(s)`, costs.length && `${costs.length} cost estimate(s)`, baseline && `baseline ${baseline.meta.id}`].filter(Boolean);
  console.log(`report of ${run.meta.id}${used.length ? ` with ${used.join(', ')}` : ''} → ${out}`);
}
