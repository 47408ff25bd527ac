import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { TopologyState } from '../core/topology.ts';

/** Where `up` keeps its processes' files and the state that `status`, `fault` and `down` read. */
export const loadlabDir = (cwd = process.cwd()) => resolve(cwd, '.loadlab');
export const statePath = (cwd?: string) => join(loadlabDir(cwd), 'state.json');

export function readState(cwd?: string): TopologyState | undefined {
  const path = statePath(cwd);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UsageError(`${path} is not valid JSON`, 'run `loadlab down --force` to clear it (it stops nothing it cannot read)');
  }
  const parsed = TopologyState.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`${path} does not describe a topology: ${parsed.error.issues[0]?.message}`, 'run `loadlab down --force` to clear it');
  }
  return parsed.data;
}

/** Written atomically and readable by the owner only: it holds database passwords. */
export function writeState(state: TopologyState, cwd?: string): void {
  const path = statePath(cwd);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeState(cwd?: string): void {
  rmSync(statePath(cwd), { force: true });
}
