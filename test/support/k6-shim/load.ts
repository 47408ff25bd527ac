/**
 * Runs an exported k6 script in Node on the shim: the script's `from 'k6…'` imports are rewritten to
 * the shim's files, k6's globals (__ENV, __VU, __ITER, open) are installed, and each VU gets its own
 * copy of the module — k6 evaluates the script once per VU, and the runtime keeps per-VU state in it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { shim } from './state.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MODULES: Record<string, string> = { k6: 'k6.ts', 'k6/http': 'http.ts', 'k6/metrics': 'metrics.ts', 'k6/data': 'data.ts', 'k6/encoding': 'encoding.ts' };

export interface K6Script {
  options: Record<string, any>;
  setup?: () => unknown;
  default: (data: unknown) => void;
}

/** The script with its k6 imports pointing at the shim; throws on a k6 module the shim lacks. */
export function rewriteImports(code: string): string {
  return code.replace(/\bfrom\s*(["'])(k6(?:\/[\w-]+)*)\1/g, (_, _q: string, spec: string) => {
    const file = MODULES[spec];
    if (!file) throw new Error(`the k6 shim has no module '${spec}'`);
    return `from ${JSON.stringify(pathToFileURL(join(HERE, file)).href)}`;
  });
}

function installGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  g.__ENV = shim.env;
  Object.defineProperty(g, '__VU', { get: () => shim.vu, configurable: true });
  Object.defineProperty(g, '__ITER', { get: () => shim.iter, configurable: true });
  g.open = (path: string) => {
    const file = resolve(shim.scriptDir, path);
    shim.opened.push(file);
    return readFileSync(file, 'utf8');
  };
}

/**
 * One VU's instance of the script (vu 0: the instance that runs setup, as in k6). `dir` holds the
 * rewritten copies; open() reads relative to it, as k6 reads relative to the script.
 */
export async function loadForVu(code: string, dir: string, vu: number): Promise<K6Script> {
  installGlobals();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `vu-${vu}.mjs`);
  writeFileSync(file, rewriteImports(code));
  shim.scriptDir = dir;
  shim.vu = vu;
  shim.iter = 0;
  return (await import(pathToFileURL(file).href)) as K6Script;
}

/** Runs `iterations` iterations of one VU's instance, as k6 would: one after another, __ITER counting. */
const done = new Map<number, number>();
export function runIterations(script: K6Script, vu: number, iterations: number, data: unknown): void {
  for (let i = 0; i < iterations; i++) {
    shim.vu = vu;
    shim.iter = done.get(vu) ?? 0;
    done.set(vu, shim.iter + 1);
    script.default(data);
  }
}

/** Forgets iteration counts (a new test run). */
export function resetIterations(): void {
  done.clear();
}
