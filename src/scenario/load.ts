import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.ts';
import type { Scenario } from './types.ts';
import { SCENARIO_HINT, validateScenario } from './validate.ts';

/** The repository's own workloads live in `<repo>/scenarios`, whatever the working directory. */
export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

function knownScenarios(): string {
  try {
    return readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).join(', ');
  } catch {
    return '';
  }
}

/** A path as given (relative to the working directory), else a bare name looked up in `<repo>/scenarios`. */
export function resolveScenarioPath(arg: string, cwd = process.cwd()): string | undefined {
  const direct = resolve(cwd, arg);
  if (existsSync(direct) && statSync(direct).isFile()) return direct;
  if (!/[\\/]/.test(arg)) {
    const named = join(SCENARIOS_DIR, /\.[cm]?[jt]s$/.test(arg) ? arg : `${arg}.ts`);
    if (existsSync(named)) return named;
  }
  return undefined;
}

/** How a file is named in messages: relative to the working directory when inside it. */
function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The first lines of an import failure (esbuild and Node put the useful part first). */
function firstLines(e: unknown, n = 6): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').filter((l) => l.trim()).slice(0, n).join('\n');
}

/**
 * Imports a scenario module (TypeScript runs under tsx), takes its default export and validates it.
 * Every failure — no such file, a syntax or import error, no default export, an invalid scenario —
 * is a UsageError naming the file.
 */
export async function loadScenario(arg: string, cwd = process.cwd()): Promise<Scenario> {
  const file = resolveScenarioPath(arg, cwd);
  if (!file) {
    const known = knownScenarios();
    throw new UsageError(
      `scenario '${arg}' not found (no such file, and not a name in ${shown(SCENARIOS_DIR, cwd)})`,
      known ? `built-in scenarios: ${known}; or pass a path to a .ts file` : 'pass a path to a scenario .ts file',
    );
  }
  const name = shown(file, cwd);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    const message = firstLines(e);
    // A .ts file outside an ES-module package loads as CommonJS, which cannot import loadlab's ES modules.
    const hint = /require\(\)? ES Module|ERR_REQUIRE_ESM|in a cycle/.test(message)
      ? 'scenario files are ES modules: name the file .mts, or put a package.json with {"type": "module"} in its folder'
      : 'fix the error above (run `npx tsc --noEmit` for type errors)';
    throw new UsageError(`${name}: could not be loaded: ${message}`, hint);
  }
  if (mod.default === undefined) {
    throw new UsageError(`${name}: has no default export`, `end the file with \`export default scenario({...})\`. ${SCENARIO_HINT}`);
  }
  return validateScenario(mod.default, name);
}
