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
