/** The simulator's public surface: calibrate → model.json, project → projections.json (see reference/modeling.md). */
export { calibrate, estimateDemands, type CalibrationInput, type CalibrationWindow, type ClassFacts } from './calibrate.ts';
export { asymptoticBounds, bottleneck, kneeUsers } from './laws.ts';
export { fitUsl, uslThroughput, type UslFit, type UslPoint } from './usl.ts';
export { buildNetwork, describeTopology, topologyVcpus, TOPOLOGY_DEFAULTS } from './topology.ts';
export { project, smallestTopology, P95_METHOD, type Load, type ProjectOptions, type Slo, type TopologyVerdict } from './solve.ts';
