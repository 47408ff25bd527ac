import type { Model } from '../core/model.ts';

export const WAIT_STATION = 'wait';

/**
 * The time a request spends outside the measured CPUs — network hops, the load balancer, lock and
 * I/O waits — as a delay station: per class, the measured mean response time minus the CPU demands
 * the regression found (never negative). At the light load of a calibration run queueing is small,
 * so this residual is mostly fixed delay; it keeps projected response times anchored to what was
 * measured instead of holding only CPU time.
 */
export function withResidualWait(model: Model, measuredMeanSeconds: Readonly<Record<string, number>>): Model {
  if (model.stations.some((s) => s.name === WAIT_STATION)) return model;
  return {
    ...model,
    stations: [...model.stations, { name: WAIT_STATION, kind: 'delay', servers: 1, role: 'network' }],
    classes: model.classes.map((c) => {
      const cpu = Object.values(c.demands).reduce((a, b) => a + b, 0);
      const residual = Math.max(0, (measuredMeanSeconds[c.name] ?? cpu) - cpu);
      return { ...c, demands: { ...c.demands, [WAIT_STATION]: residual } };
    }),
  };
}

/** One calibration window's completions and summed latency per class (seconds). */
export interface LatencyWindow {
  perClass: Record<string, { count: number; latencySeconds: number }>;
}

/** Share of windows, lightest first, whose latencies stand for "no queueing to speak of". */
export const LIGHT_SHARE = 1 / 3;

/**
 * Mean response time per class at light load: over the lightest third of the windows by total completions. A ramp
 * that ends near saturation would otherwise put its queueing into the residual, and the model would then count
 * that queueing twice — once as a fixed delay, once in its own queues. A class absent from the light windows gets
 * its mean over all windows.
 */
export function lightLoadMeans(windows: readonly LatencyWindow[]): Record<string, number> {
  const { sorted, light } = lightWindows(windows);
  const mean = (ws: readonly LatencyWindow[], c: string) => {
    let n = 0;
    let sum = 0;
    for (const w of ws) {
      n += w.perClass[c]?.count ?? 0;
      sum += w.perClass[c]?.latencySeconds ?? 0;
    }
    return n > 0 ? sum / n : undefined;
  };
  const classes = new Set(sorted.flatMap((w) => Object.keys(w.perClass)));
  const out: Record<string, number> = {};
  for (const c of classes) {
    const m = mean(light, c) ?? mean(sorted, c);
    if (m !== undefined) out[c] = m;
  }
  return out;
}

/** The mean over all requests in the same light windows as lightLoadMeans. */
export function lightLoadMean(windows: readonly LatencyWindow[]): number | undefined {
  const { light } = lightWindows(windows);
  let n = 0;
  let sum = 0;
  for (const w of light) {
    for (const c of Object.values(w.perClass)) {
      n += c.count;
      sum += c.latencySeconds;
    }
  }
  return n > 0 ? sum / n : undefined;
}

/** The windows with completions, lightest first, and the lightest LIGHT_SHARE of them. */
function lightWindows(windows: readonly LatencyWindow[]): { sorted: LatencyWindow[]; light: LatencyWindow[] } {
  const total = (w: LatencyWindow) => Object.values(w.perClass).reduce((s, c) => s + c.count, 0);
  const sorted = windows.filter((w) => total(w) > 0).sort((a, b) => total(a) - total(b));
  return { sorted, light: sorted.slice(0, Math.max(1, Math.ceil(sorted.length * LIGHT_SHARE))) };
}
