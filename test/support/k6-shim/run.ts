/** Helpers of the k6 export test: the ES2015 check of a bundle, and running an exported script's VUs on the shim. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'acorn';
import { expect } from 'vitest';
import { resetCookieJars } from './http.ts';
import { loadForVu, resetIterations, runIterations, type K6Script } from './load.ts';
import { resetShim, shim } from './state.ts';

/** Parses as ES2015 (acorn) and no function in it is async or a generator. */
export function assertEs2015(code: string): void {
  const ast = parse(code, { ecmaVersion: 2015, sourceType: 'module' });
  const bad: string[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const node = n as Record<string, unknown>;
    if (typeof node.type === 'string' && /Function/.test(node.type) && (node.async || node.generator)) bad.push(`${node.type} at ${String(node.start)}`);
    for (const k of Object.keys(node)) walk(node[k]);
  };
  walk(ast);
  expect(bad).toEqual([]);
}

/** Temporary folders the runs made (the test removes them). */
export const runDirs: string[] = [];

/** A fresh shim with `env`; then setup() on VU 0 and `iterations` iterations on each of VUs 1..vus, as k6 would. */
export async function runScript(code: string, env: Record<string, string>, vus: number, iterations: number): Promise<{ script: K6Script; data: unknown }> {
  resetShim();
  resetCookieJars();
  resetIterations();
  Object.assign(shim.env, env);
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-k6-'));
  runDirs.push(dir);
  const setupVu = await loadForVu(code, dir, 0);
  const data = setupVu.setup?.();
  let script = setupVu;
  for (let vu = 1; vu <= vus; vu++) {
    script = await loadForVu(code, dir, vu);
    runIterations(script, vu, iterations, data);
  }
  return { script, data };
}

/** The JSESSIONID a Cookie header carries. */
export const sessionOf = (cookie: string): string | undefined => /(?:^|; )JSESSIONID=([^;]+)/.exec(cookie)?.[1];
