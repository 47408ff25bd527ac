/** Executors by name (k6's registry): each knows its planned duration, its VU ceiling and how to run. */
import type { ExecutorConfig } from '../../scenario/types.ts';
import type { ExecutorEnv, ExecutorSpec } from './base.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';

export type { ExecutorEnv, ExecutorSpec } from './base.ts';

type Registry = { [E in ExecutorConfig['executor']]: ExecutorSpec<Extract<ExecutorConfig, { executor: E }>> };

export const executors: Registry = {
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
};

function spec(c: ExecutorConfig): ExecutorSpec<ExecutorConfig> {
  const s = executors[c.executor] as ExecutorSpec<ExecutorConfig> | undefined;
  if (!s) throw new Error(`unknown executor '${String(c.executor)}' (known: ${Object.keys(executors).join(', ')})`);
  return s;
}

export function plannedSeconds(c: ExecutorConfig): number {
  return spec(c).plannedSeconds(c);
}

export function maxVUs(c: ExecutorConfig): number {
  return spec(c).maxVUs(c);
}

export function runExecutor(c: ExecutorConfig, env: ExecutorEnv): Promise<void> {
  return spec(c).run(c, env);
}
