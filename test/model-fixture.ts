import { Model, type TargetTopology } from '../src/core/model.ts';
import { Prng } from '../src/scenario/sampling.ts';

/**
 * A calibrated model shaped like an OpenMRS clinic day (made-up but plausible demands, seconds per request):
 * the app CPU is the largest demand per request, the database next. Shared by the model tests and the benchmark.
 */
export function clinicModel(overrides: Partial<Model> = {}): Model {
  return Model.parse({
    schema: 1,
    source: { runId: 'fixture' },
    stations: [
      { name: 'lb', kind: 'delay', servers: 1, role: 'lb' },
      { name: 'app', kind: 'queue', servers: 2, role: 'app', perReplica: true },
      { name: 'db-cpu', kind: 'queue', servers: 4, role: 'db-cpu' },
      { name: 'db-io', kind: 'queue', servers: 2, role: 'db-io' },
      { name: 'network', kind: 'delay', servers: 1, role: 'network' },
    ],
    classes: [
      { name: 'searchPatient', kind: 'read', thinkTimeSeconds: 5, mixShare: 0.4, demands: { lb: 0.0002, app: 0.012, 'db-cpu': 0.008, 'db-io': 0.001, network: 0.001 } },
      { name: 'openChart', kind: 'read', thinkTimeSeconds: 8, mixShare: 0.3, demands: { lb: 0.0002, app: 0.02, 'db-cpu': 0.006, 'db-io': 0.002, network: 0.002 } },
      { name: 'recordVitals', kind: 'write', thinkTimeSeconds: 10, mixShare: 0.2, demands: { lb: 0.0002, app: 0.015, 'db-cpu': 0.01, 'db-io': 0.004, network: 0.001 } },
      { name: 'registerPatient', kind: 'write', thinkTimeSeconds: 20, mixShare: 0.1, demands: { lb: 0.0002, app: 0.03, 'db-cpu': 0.02, 'db-io': 0.006, network: 0.001 } },
    ],
    background: { app: 0.05, 'db-cpu': 0.02 },
    measured: { replicas: 1, dbKind: 'single', dbNodes: 1, vcpusApp: 2, vcpusDb: 4 },
    fit: { windows: 600, windowSeconds: 1, r2: {}, rmsResidual: {}, conditionNumber: 5, loadVariation: 1.5, warnings: [] },
    tail: { p95OverMean: { searchPatient: 2.4, openChart: 2.1, recordVitals: 2.8, registerPatient: 3 } },
    ...overrides,
  });
}

export const oneBox: TargetTopology = { replicas: 1, vcpusApp: 2, db: { kind: 'single', vcpus: 4 } };

/** A seeded PRNG (the scenario's mulberry32), so synthetic noise is the same on every run. */
export function seededRandom(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

/** Standard normal draws from a uniform source (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The model restricted to some classes, their mix shares renormalised (a read-only or write-only workload). */
export function onlyClasses(model: Model, names: readonly string[]): Model {
  const kept = model.classes.filter((c) => names.includes(c.name));
  const total = kept.reduce((s, c) => s + c.mixShare, 0);
  return Model.parse({ ...model, classes: kept.map((c) => ({ ...c, mixShare: c.mixShare / total })) });
}
