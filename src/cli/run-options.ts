import { UsageError } from '../core/errors.ts';
import type { ExecutorConfig, ProfileName, Scenario } from '../scenario/types.ts';
import { parseDuration } from '../scenario/dsl.ts';

export interface RunArgs {
  target?: string;
  profile?: string;
  executor?: string;
  vus?: string;
  rate?: string;
  duration?: string;
  stages?: string;
  preAllocatedVus?: string;
  maxVus?: string;
  fault?: string[];
  out?: string;
  allowRemote?: boolean;
  user?: string;
  password?: string;
  seed?: string;
  dbUrl?: string;
}

const num = (v: string | undefined, option: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${option}: '${v}' is not a positive number`);
  return n;
};

/** `30s:10,1m:20` → [{duration: 30, target: 10}, {duration: 60, target: 20}]. */
export function parseStages(v: string): { duration: number; target: number }[] {
  return v.split(',').map((part) => {
    const [d, t] = part.split(':');
    const target = Number(t);
    if (!d || t === undefined || !Number.isFinite(target) || target < 0) {
      throw new UsageError(`--stages: '${part}' is not DURATION:TARGET`, 'e.g. --stages 30s:10,2m:10,30s:0');
    }
    return { duration: parseDuration(d), target };
  });
}

/** The load to apply: the profile's executor from the scenario, with command-line options over it. */
export function chooseLoad(scenario: Scenario, a: RunArgs): { profile: string; load: ExecutorConfig } {
  const profile = (a.profile ?? scenario.defaultProfile) as ProfileName;
  const base = scenario.profiles[profile];
  const executor = a.executor ?? base?.executor;
  if (!base && !a.executor) {
    throw new UsageError(`scenario '${scenario.name}' has no '${profile}' profile`, `its profiles: ${Object.keys(scenario.profiles).join(', ')}; or give --executor`);
  }
  const b = (base ?? {}) as Record<string, unknown>;
  const duration = a.duration !== undefined ? parseDuration(a.duration) : (b.duration as number | undefined);
  const stages = a.stages !== undefined ? parseStages(a.stages) : (b.stages as { duration: number; target: number }[] | undefined);
  const vus = num(a.vus, '--vus') ?? (b.vus as number | undefined);
  const rate = num(a.rate, '--rate') ?? (b.rate as number | undefined);
  const pre = num(a.preAllocatedVus, '--pre-allocated-vus') ?? (b.preAllocatedVUs as number | undefined);
  const max = num(a.maxVus, '--max-vus') ?? (b.maxVUs as number | undefined);
  const need = (v: unknown, what: string) => {
    if (v === undefined) throw new UsageError(`--executor ${executor} needs ${what}`);
    return v as never;
  };
  const custom = a.profile === undefined && (a.executor || a.vus || a.rate || a.duration || a.stages) ? 'custom' : profile;
  switch (executor) {
    case 'constant-vus':
      return { profile: custom, load: { executor, vus: need(vus, '--vus'), duration: need(duration, '--duration') } };
    case 'ramping-vus':
      return { profile: custom, load: { executor, startVUs: (b.startVUs as number | undefined) ?? 0, stages: need(stages, '--stages') } };
    case 'constant-arrival-rate':
      return {
        profile: custom,
        load: { executor, rate: need(rate, '--rate'), duration: need(duration, '--duration'), preAllocatedVUs: pre ?? Math.max(2, Math.ceil(rate ?? 1)), maxVUs: max },
      };
    case 'ramping-arrival-rate':
      return {
        profile: custom,
        load: { executor, startRate: (b.startRate as number | undefined) ?? 0, stages: need(stages, '--stages'), preAllocatedVUs: pre ?? 10, maxVUs: max },
      };
    default:
      throw new UsageError(`--executor: '${executor}' is not an executor`, 'use constant-vus, ramping-vus, constant-arrival-rate or ramping-arrival-rate');
  }
}

export interface FaultPlan {
  atSeconds: number;
  action: 'kill' | 'stop' | 'start';
  component: string;
}

/** `30s kill replica:2` → {atSeconds: 30, action: 'kill', component: 'replica:2'}. */
export function parseFault(v: string): FaultPlan {
  const m = /^\s*(\S+)\s+(kill|stop|start)\s+(\S+)\s*$/.exec(v);
  if (!m) throw new UsageError(`--fault: '${v}' is not "WHEN ACTION COMPONENT"`, 'e.g. --fault "30s kill replica:2"');
  return { atSeconds: parseDuration(m[1]!), action: m[2] as FaultPlan['action'], component: m[3]! };
}
