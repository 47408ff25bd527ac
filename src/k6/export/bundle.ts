/**
 * Bundles a scenario and the k6 runtime (src/k6/runtime) into one ES module that stock k6 runs,
 * old k6 included: goja before async support needs ES2015 without async functions or generators.
 * esbuild bundles; every JS/TS module is first lowered by TypeScript to ES5 (async functions become
 * __awaiter/__generator state machines) with helpers imported from `tslib`, which resolves to the
 * runtime's own tslib.ts: its __awaiter runs the state machine synchronously (k6 HTTP blocks).
 * Node built-ins cannot run in k6, so importing one fails the export and names the importer.
 */
import { readFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message, Plugin } from 'esbuild';
import type TS from 'typescript';
import { UsageError } from '../../core/errors.ts';

// TypeScript and esbuild take ~0.6 s to load: only `k6 export` pays for it, not every loadlab command.
type Typescript = typeof TS;
const RUNTIME_DIR = fileURLToPath(new URL('../runtime/', import.meta.url));
const RUNTIME_TSLIB = join(RUNTIME_DIR, 'tslib.ts');
const REAL_TSLIB = join(dirname(createRequire(import.meta.url).resolve('tslib')), 'tslib.es6.mjs');
const BUILTIN = new RegExp(`^(node:.*|(${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})(\\/.*)?)$`);

const lowerOptions = (ts: Typescript): TS.CompilerOptions => ({
  target: ts.ScriptTarget.ES5,
  module: ts.ModuleKind.ESNext,
  importHelpers: true,
  downlevelIteration: true,
  // Type-only imports go; value imports stay for esbuild to resolve (.ts extensions included).
  verbatimModuleSyntax: false,
  isolatedModules: true,
  esModuleInterop: false,
  sourceMap: false,
});

/** One module lowered to ES5 (ES module syntax kept for esbuild). */
function lowerToEs5(ts: Typescript, source: string, fileName: string): string {
  const out = ts.transpileModule(source, { compilerOptions: lowerOptions(ts), fileName, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const first = errors[0]!;
    const at = first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start) : undefined;
    throw new Error(`${fileName}${at ? `:${at.line + 1}:${at.character + 1}` : ''}: ${ts.flattenDiagnosticMessageText(first.messageText, '\n')}`);
  }
  return out.outputText;
}

function es5Plugin(ts: Typescript, cwd: string): Plugin {
  const shown = (p: string) => (p ? relative(cwd, p) || p : 'the entry');
  return {
    name: 'loadlab-k6',
    setup(b) {
      b.onResolve({ filter: /^tslib$/ }, (args) => ({ path: args.importer === RUNTIME_TSLIB ? REAL_TSLIB : RUNTIME_TSLIB }));
      b.onResolve({ filter: BUILTIN }, (args) => ({
        errors: [{
          text: `${shown(args.importer)} imports the Node.js built-in '${args.path}', which k6 does not have: a scenario for k6 may only use vu.http, vu.feed, vu.check, vu.vars and plain JavaScript`,
        }],
      }));
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        // The real tslib is ES5 already; everything else (scenario, library, packages) is lowered.
        if (args.path === REAL_TSLIB) return { contents: source, loader: 'js' };
        try {
          return { contents: lowerToEs5(ts, source, args.path), loader: 'js' };
        } catch (e) {
          return { errors: [{ text: (e as Error).message }] };
        }
      });
    },
  };
}

const describe = (m: Message): string => {
  const at = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : '';
  return `${at}${m.text}`;
};

export interface BundleInput {
  /** The entry module's source (JavaScript), resolved from the runtime folder. */
  entry: string;
  banner: string;
  cwd: string;
}

/** The bundle's text; esbuild's errors become a UsageError that lists them. */
export async function bundle(input: BundleInput): Promise<{ code: string; warnings: string[] }> {
  const [{ build }, { default: ts }] = await Promise.all([import('esbuild'), import('typescript')]);
  try {
    const result = await build({
      stdin: { contents: input.entry, resolveDir: RUNTIME_DIR, sourcefile: 'loadlab-k6-entry.js', loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2015',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      external: ['k6', 'k6/*'],
      banner: { js: input.banner },
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [es5Plugin(ts, input.cwd)],
    });
    // TypeScript's ES5 output reads the top-level `this` (undefined in a module), which esbuild mentions; harmless.
    const warnings = result.warnings.filter((w) => w.id !== 'this-is-undefined-in-esm').map(describe);
    return { code: result.outputFiles[0]!.text, warnings };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (!errors?.length) throw e;
    throw new UsageError(`k6 export failed:\n  ${errors.slice(0, 8).map(describe).join('\n  ')}`, 'fix the scenario so that it runs without Node.js (k6 has its own runtime)');
  }
}
