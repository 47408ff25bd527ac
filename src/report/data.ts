import type { CostEstimate } from '../core/cost.ts';
import type { LedgerAudit, ThresholdResult } from '../core/run.ts';

/**
 * Everything the report shows, as plain numbers and strings: extraction (src/report/extract.ts) makes it from the
 * run directory's files, rendering (src/report/render.ts) turns it into HTML. Times are run-clock seconds.
 */
export interface ReportData {
  run: RunSummary;
  steps: StepRow[];
  thresholds: ThresholdResult[];
  timeline: TimelineSeries;
  replicas: ReplicaSplit;
  database: DatabasePanel | null;
  processes: ProcessPanel | null;
  bottleneck: Bottleneck | null;
  projections: ProjectionView[];
  costs: CostEstimate[];
  comparison: Comparison | null;
  faults: { planned: { atSeconds: number; action: string }[]; events: { t: number; label: string }[] };
  ledger: LedgerAudit | null;
  /** Things the reader should know about what is missing or doubtful. */
  notes: string[];
}

export interface RunSummary {
  id: string;
  scenario: string;
  scenarioDescription: string;
  profile: string;
  target: string;
  topology: string | null;
  startedAt: string;
  endedAt: string | null;
  status: string;
  error: string | null;
  durationSeconds: number | null;
  requests: number;
  ratePerSecond: number | null;
  failed: number;
  vusMax: number | null;
  host: string;
}

export interface StepRow {
  step: string;
  count: number;
  ratePerSecond: number;
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  serviceP95: number;
}

/** One value per second of `t`; null where the second had nothing to measure (no requests: no percentile). */
export interface TimelineSeries {
  t: number[];
  requests: number[];
  errors: number[];
  vus: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

/** Requests served by each replica (X-Served-By), per step. */
export interface ReplicaSplit {
  replicas: string[];
  byStep: { step: string; counts: number[] }[];
}

export interface NodeSeries {
  name: string;
  values: (number | null)[];
}

export interface DbMetric {
  title: string;
  unit: string;
  nodes: NodeSeries[];
}

export interface Statement {
  node: string;
  text: string;
  count: number;
  seconds: number;
  rowsExamined: number;
}

export interface DatabasePanel {
  t: number[];
  metrics: DbMetric[];
  statements: Statement[];
  /** Where the statements come from: the run's own share, or totals since the server started. */
  statementsScope: string;
  unavailable: string[];
}

export interface ProcessPanel {
  t: number[];
  /** Busy cores per role (1 = one core fully busy), summed over the role's processes. */
  roles: NodeSeries[];
  means: { role: string; processes: number; meanCores: number; peakCores: number; peakRssMiB: number }[];
}

export interface Bottleneck {
  /** The station with the largest demand per server at the run's mix. */
  station: string;
  role: string;
  stations: { name: string; role: string; servers: number; demandMs: number; demandPerServerMs: number }[];
  fitR2: Record<string, number>;
  warnings: string[];
}

export interface ProjectionView {
  description: string;
  load: 'closed' | 'open';
  points: { load: number; throughput: number; meanMs: number | null; worstP95Ms: number | null; bottleneck: string }[];
  bottleneck: string;
  maxThroughput: number;
  kneeUsers: number | null;
  slo: { p95Ms: number; withinSlo: number | null; bound: string } | null;
}

export interface Comparison {
  baselineId: string;
  rows: { step: string; baseP95: number | null; p95: number | null; p95Change: number | null; baseRate: number | null; rate: number | null; rateChange: number | null }[];
}
