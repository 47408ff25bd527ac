/** Statuses and network errors of k6 responses in loadlab's terms (pure: the tests import it without k6). */

/** k6's network error codes (1xxx) as the engine's error classes (src/engine/http-exchange.ts). */
export function errorClass(code: number): string {
  if (code === 1050 || code === 1211) return 'timeout';
  if ((code >= 1100 && code < 1200) || code === 1210 || code === 1212 || code === 1213) return 'connect';
  if (code === 1201 || code === 1220) return 'reset';
  return 'other';
}

/** Status ranges where `ok` holds, for http.expectedStatuses (k6 takes statuses, not a predicate). */
export function statusRanges(ok: (status: number) => boolean): { min: number; max: number }[] {
  const out: { min: number; max: number }[] = [];
  for (let s = 100; s <= 599; s++) {
    let pass = false;
    try {
      pass = ok(s);
    } catch {
      pass = false;
    }
    if (!pass) continue;
    const last = out[out.length - 1];
    if (last && last.max === s - 1) last.max = s;
    else out.push({ min: s, max: s });
  }
  return out;
}
