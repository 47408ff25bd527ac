import { rmSync } from 'node:fs';
import { readState, removeState } from './state.ts';
import { stopAll } from './up.ts';

/**
 * Stops exactly the processes `up` recorded, newest first, tolerating ones that already died,
 * then removes their files and the state. Returns the names it stopped.
 */
export async function down(opts: { cwd?: string } = {}): Promise<{ stopped: string[]; wasUp: boolean }> {
  const state = readState(opts.cwd);
  if (!state) return { stopped: [], wasUp: false };
  const stopped = await stopAll(state.components);
  for (const d of [state.root, ...state.outsideDirs]) rmSync(d, { recursive: true, force: true });
  removeState(opts.cwd);
  return { stopped, wasUp: true };
}
