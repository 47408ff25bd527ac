/**
 * The machine's speed, measured each second: the CPU time one fixed unit of arithmetic takes. On a shared or
 * burstable VM the same work can cost ten times the CPU for tens of seconds (observed here: 5 ms → 50 ms for
 * 40-second stretches), and every process's CPU seconds and latencies inflate with it. Calibration and validation
 * need to know which seconds were slow; a gate needs to know its baseline ran on a slow machine.
 */

/** A unit that takes about a millisecond at full speed: small enough to run every second beside the load. */
const UNIT_ITERATIONS = 400_000;

/** Holds the loop's result, so the optimiser cannot drop the loop. */
let _sink = 0;

function unit(): void {
  let x = 0;
  for (let i = 0; i < UNIT_ITERATIONS; i++) x += Math.sqrt(i) * 1.0000001;
  _sink += x;
}

/** CPU milliseconds (this thread, user + system) and wall milliseconds of one unit. */
export function measureUnit(): { cpuMs: number; wallMs: number } {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  unit();
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - wall0 };
}

/** Warms the JIT so the first measured units are not slow for that reason. */
export function warmUp(): void {
  for (let i = 0; i < 5; i++) unit();
}
