/** The shim's `k6` module: check, group, sleep (instant, but recorded) and fail. */
import { shim } from './state.ts';

export function check<T>(val: T, sets: Record<string, (v: T) => unknown>, tags: Record<string, string> = {}): boolean {
  let all = true;
  for (const name of Object.keys(sets)) {
    let ok: boolean;
    try {
      ok = Boolean(sets[name]!(val));
    } catch {
      ok = false;
    }
    shim.checks.push({ vu: shim.vu, iter: shim.iter, name, ok, tags: { ...tags } });
    all &&= ok;
  }
  return all;
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

/** k6 blocks the VU; the shim records the seconds asked for and returns at once (tests assert no timing). */
export function sleep(seconds: number): void {
  shim.sleeps.push({ vu: shim.vu, iter: shim.iter, seconds });
}

export function fail(message?: string): never {
  throw new Error(message ?? 'fail()');
}

export default { check, group, sleep, fail };
