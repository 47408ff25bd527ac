import type { CostEstimate } from '../core/cost.ts';
import type { Model, Projection } from '../core/model.ts';
import type { RunFiles } from '../core/run.ts';
import type { Comparison, ProjectionView, ReportData, StepRow } from './data.ts';
import { bottleneckOf, databasePanel, processPanel } from './resources.ts';
import { replicaSplit, stepRows, timelineSeries } from './timeline.ts';

export interface ReportInputs {
  run: RunFiles;
  baseline?: RunFiles;
  model?: Model;
  projections?: Projection[];
  costs?: CostEstimate[];
}

const change = (base: number | null, now: number | null): number | null => (base === null || now === null || base === 0 ? null : ((now - base) / base) * 100);

/** Per-step p95 and rate against a baseline run; steps in either run appear once. */
export function compareSteps(baselineId: string, base: StepRow[], current: StepRow[]): Comparison {
  const names = [...new Set([...current.map((s) => s.step), ...base.map((s) => s.step)])];
  const find = (rows: StepRow[], n: string) => rows.find((r) => r.step === n) ?? null;
  return {
    baselineId,
    rows: names.map((step) => {
      const b = find(base, step);
      const c = find(current, step);
      const baseP95 = b?.p95 ?? null;
      const p95 = c?.p95 ?? null;
      const baseRate = b?.ratePerSecond ?? null;
      const rate = c?.ratePerSecond ?? null;
      return { step, baseP95, p95, p95Change: change(baseP95, p95), baseRate, rate, rateChange: change(baseRate, rate) };
    }),
  };
}

/** Response time as the users see it on average: per-class means weighted by the classes' throughputs. */
function projectionView(p: Projection): ProjectionView {
  const points = p.points.map((pt) => {
    let weighted = 0;
    let weight = 0;
    for (const [c, x] of Object.entries(pt.throughput.perClass)) {
      const r = pt.responseTimeMean[c];
      if (r === null || r === undefined) continue;
      weighted += x * r;
      weight += x;
    }
    const p95s = Object.values(pt.p95).filter((v): v is number => v !== null);
    return {
      load: (pt.users ?? pt.rate)!,
      throughput: pt.throughput.total,
      meanMs: weight > 0 ? (weighted / weight) * 1000 : null,
      worstP95Ms: p95s.length ? Math.max(...p95s) * 1000 : null,
      bottleneck: pt.bottleneck,
    };
  });
  return {
    description: p.topology.label ? `${p.topology.label}: ${p.description}` : p.description,
    load: p.load,
    points,
    bottleneck: p.bottleneck.station,
    maxThroughput: p.saturation.maxThroughput,
    kneeUsers: p.saturation.kneeUsers,
    slo: p.slo ? { p95Ms: p.slo.p95Seconds * 1000, withinSlo: p.slo.withinSlo, bound: p.slo.bound } : null,
  };
}

/** Everything the report shows, from already-validated files (the CLI reads them). Pure. */
export function extractReport(inputs: ReportInputs): ReportData {
  const { meta, summary, timeline, resources, db } = inputs.run;
  const notes: string[] = [];
  if (!summary) notes.push('The run has no summary.json (it was interrupted early): the step table is merged from the timeline.');
  if (meta.status !== 'complete') notes.push(`The run is ${meta.status}: its figures cover only what was measured.`);
  const steps = stepRows(summary, timeline);
  const events = timeline.flatMap((l) => (l.type === 'event' ? [{ t: l.t, label: l.label }] : []));
  const database = databasePanel(resources, db);
  if (!database) notes.push('No database samples: the run was not made against a local topology with probes.');
  if (inputs.model && inputs.model.source.runId !== meta.id) notes.push(`model.json was calibrated on run ${inputs.model.source.runId}, not this one.`);
  return {
    run: {
      id: meta.id,
      scenario: meta.scenario.name,
      scenarioDescription: meta.scenario.description,
      profile: meta.profile,
      target: meta.target,
      topology: meta.topology?.description ?? null,
      startedAt: meta.startedAt,
      endedAt: meta.endedAt,
      status: meta.status,
      error: meta.error,
      durationSeconds: summary?.durationSeconds ?? null,
      requests: summary?.requests.count ?? steps.reduce((a, s) => a + s.count, 0),
      ratePerSecond: summary?.requests.ratePerSecond ?? null,
      failed: summary?.requests.failed ?? steps.reduce((a, s) => a + s.failed, 0),
      vusMax: summary?.vusMax ?? null,
      host: `${meta.host.hostname} (${meta.host.cpus} CPUs, ${meta.host.memoryGiB} GiB)`,
    },
    steps,
    thresholds: summary?.thresholds ?? [],
    timeline: timelineSeries(timeline),
    replicas: replicaSplit(timeline),
    database,
    processes: processPanel(resources),
    bottleneck: inputs.model ? bottleneckOf(inputs.model) : null,
    projections: (inputs.projections ?? []).map(projectionView),
    costs: inputs.costs ?? [],
    comparison: inputs.baseline ? compareSteps(inputs.baseline.meta.id, stepRows(inputs.baseline.summary, inputs.baseline.timeline), steps) : null,
    faults: { planned: meta.faults, events },
    ledger: summary?.ledger ?? null,
    notes,
  };
}
