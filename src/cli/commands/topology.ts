import { UsageError } from '../../core/errors.ts';
import { down } from '../../infra/down.ts';
import { applyFault, type FaultAction } from '../../infra/fault.ts';
import { readState } from '../../infra/state.ts';
import { topologyStatus } from '../../infra/status.ts';
import { describeTopology, parseTopology, type UpArgs } from '../../infra/topology-spec.ts';
import { up } from '../../infra/up.ts';

const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

export async function upCommand(args: UpArgs): Promise<void> {
  const spec = parseTopology(args);
  const t0 = performance.now();
  console.error(`starting ${describeTopology(spec)} …`);
  const state = await up(spec, { onStep: (line) => console.error(`  [${secondsSince(t0)} s] ${line}`) });
  console.log(`up in ${secondsSince(t0)} s: ${describeTopology(spec)}`);
  if (spec.db.kind === 'aurora') console.log('  (aurora = a local stand-in: one MariaDB writer with asynchronous GTID readers)');
  console.log(`target: ${state.targetUrl}   (loadlab status · loadlab down)`);
}

export async function statusCommand(opts: { json?: boolean }): Promise<void> {
  const state = readState();
  if (!state) {
    if (opts.json) console.log(JSON.stringify({ up: false }));
    else console.log('no topology is up (start one with `loadlab up`)');
    process.exitCode = 1;
    return;
  }
  const s = await topologyStatus(state);
  if (opts.json) {
    console.log(JSON.stringify({ up: true, ...s }, null, 2));
  } else {
    console.log(`topology: ${s.topology}`);
    console.log(`target:   ${s.targetUrl}`);
    const rows = s.components.map((c) => [c.name, c.role, String(c.pid), String(c.port), c.healthy ? 'ok' : 'FAILING', c.detail]);
    const head = ['NAME', 'ROLE', 'PID', 'PORT', 'HEALTH', 'DETAIL'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) console.log(r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  '));
    for (const c of s.components.filter((x) => !x.healthy)) console.log(`  ${c.name}: see ${c.log}`);
    if (s.database.reachable !== undefined) console.log(`external database: ${s.database.reachable ? 'accepts queries' : 'UNREACHABLE'}`);
    console.log(`healthy: ${s.healthy ? 'yes' : 'no'}`);
  }
  if (!s.healthy) process.exitCode = 1;
}

export async function downCommand(): Promise<void> {
  const r = await down();
  if (!r.wasUp) console.log('no topology was up');
  else console.log(`down: stopped ${r.stopped.length ? r.stopped.join(', ') : 'nothing (all had already exited)'}`);
}

export async function faultCommand(action: string, ref: string): Promise<void> {
  if (action !== 'kill' && action !== 'stop' && action !== 'start') {
    throw new UsageError(`fault: '${action}' is not kill, stop or start`, 'e.g. loadlab fault kill replica:2');
  }
  const t0 = performance.now();
  console.log(`${await applyFault(action as FaultAction, ref)} (${secondsSince(t0)} s)`);
}
