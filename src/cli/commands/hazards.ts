import { isLoopbackHost } from '../../core/loopback.ts';
import { UsageError } from '../../core/errors.ts';
import { applyFault } from '../../infra/fault.ts';
import { readState } from '../../infra/state.ts';
import { hazardTable, runHazards } from '../../probe/hazards/index.ts';

export interface HazardsOptions {
  target?: string;
  user?: string;
  password?: string;
  allowRemote?: boolean;
}

/**
 * `loadlab hazards`: the clustering-hazard probes. Against the local topology (the default target)
 * the session-survival probe may kill a replica and start it again; against any other URL it cannot.
 */
export async function hazardsCommand(o: HazardsOptions): Promise<void> {
  const state = readState();
  const target = o.target ?? state?.targetUrl;
  if (!target) throw new UsageError('no --target given and no topology is up', 'pass --target http://host:port/openmrs or run `loadlab up` first');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`--target: '${target}' is not a URL`, 'e.g. --target http://127.0.0.1:8080/openmrs');
  }
  if (!isLoopbackHost(url.hostname) && !o.allowRemote) {
    throw new UsageError(`--target ${url.hostname} is not on this machine`, 'pass --allow-remote to probe a remote OpenMRS');
  }
  const local = state !== undefined && state.targetUrl === target.replace(/\/$/, '');
  const replicaRef = (name: string) => `replica:${name.replace(/^replica-/, '')}`;
  const results = await runHazards({
    target: target.replace(/\/$/, ''),
    username: o.user ?? 'admin',
    password: o.password ?? process.env.LOADLAB_PASSWORD ?? 'Admin123',
    killReplica: local ? async (name) => void (await applyFault('kill', replicaRef(name))) : undefined,
    restoreReplica: local ? async (name) => void (await applyFault('start', replicaRef(name))) : undefined,
    onStep: (line) => console.error(`  ${line}`),
  });
  console.log(hazardTable(results));
  if (results.some((r) => r.verdict === 'hazard')) process.exitCode = 1;
}
