/**
 * What the k6 shim records, and the VU it is running for. k6 runs each VU in its own JavaScript
 * runtime; the shim runs VUs one after another in one Node process (everything blocks, as in k6),
 * so "the current VU" is a field the harness sets before calling into the script. The state lives on
 * globalThis so that every copy of the shim modules the test runner may load shares it.
 */
export interface SentRequest {
  vu: number;
  iter: number;
  method: string;
  url: string;
  status: number;
  /** Per the request's responseCallback (k6's expected_response tag). */
  expected: boolean;
  tags: Record<string, string>;
  /** The Cookie header sent, '' for none. */
  cookie: string;
  /** Whether an Authorization header went out. */
  auth: boolean;
  body: string | null;
  responseBody: string;
  batch: boolean;
}

export interface CheckRecord {
  vu: number;
  iter: number;
  name: string;
  ok: boolean;
  tags: Record<string, string>;
}

export interface MetricSample {
  vu: number;
  metric: string;
  value: number;
  tags: Record<string, string>;
}

export interface ShimState {
  vu: number;
  iter: number;
  env: Record<string, string>;
  /** Folder open() resolves relative paths from (the script's). */
  scriptDir: string;
  requests: SentRequest[];
  checks: CheckRecord[];
  sleeps: { vu: number; iter: number; seconds: number }[];
  metrics: MetricSample[];
  opened: string[];
}

const KEY = '__loadlabK6Shim';
const g = globalThis as unknown as Record<string, ShimState | undefined>;

export const shim: ShimState = (g[KEY] ??= {
  vu: 0, iter: 0, env: {}, scriptDir: process.cwd(), requests: [], checks: [], sleeps: [], metrics: [], opened: [],
});

export function resetShim(): void {
  Object.assign(shim, { vu: 0, iter: 0, env: {}, requests: [], checks: [], sleeps: [], metrics: [], opened: [] });
}
