/** Narrow accessors for loosely shaped REST bodies, so probes never need `any`. */
export function get(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(k)];
  }
  return cur;
}

export function str(v: unknown, ...path: (string | number)[]): string | undefined {
  const x = get(v, ...path);
  return typeof x === 'string' ? x : undefined;
}

export function list(v: unknown, ...path: (string | number)[]): unknown[] {
  const x = get(v, ...path);
  return Array.isArray(x) ? x : [];
}

export const uuids = (v: unknown): string[] =>
  list(v, 'results').map((r) => str(r, 'uuid')).filter((u): u is string => u !== undefined);

export const errorText = (e: unknown): string => {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? `${err.code} ` : '';
  return `${code}${typeof err?.message === 'string' ? err.message : String(e)}`;
};
