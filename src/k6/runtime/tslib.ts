/**
 * The `tslib` the k6 bundle sees (the bundler resolves `tslib` here, and `tslib` inside this file to
 * the real one). TypeScript lowers every async function to `__awaiter(this, args, P, body)` around a
 * `__generator` state machine; this __awaiter drives that machine to its end at once instead of
 * over microtasks, because in k6 every awaited value is already there: a Settled from the k6 HTTP
 * wrapper or from a nested async function, or a plain value. A real Promise cannot settle while the
 * step runs synchronously, so awaiting one is thrown into the step with a message saying why.
 * Everything else (`__generator`, `__values`, `__spreadArray`, …) is the real tslib's.
 */
import { Settled, isThenable, realPromiseError, rejected, resolved } from './settled.ts';

export * from 'tslib';

interface StateMachine {
  next(v?: unknown): IteratorResult<unknown>;
  throw(e: unknown): IteratorResult<unknown>;
}

export function __awaiter(thisArg: unknown, args: unknown, _P: unknown, body: (...a: unknown[]) => StateMachine): Settled {
  try {
    const machine = body.apply(thisArg, (args as unknown[] | undefined) || []);
    let r = machine.next();
    while (!r.done) {
      const v = r.value;
      if (v instanceof Settled) r = v.ok ? machine.next(v.value) : machine.throw(v.error);
      else if (isThenable(v)) r = machine.throw(realPromiseError());
      else r = machine.next(v);
    }
    // `return other()` inside an async function hands back that function's Settled: flatten it.
    const out = r.value;
    if (out instanceof Settled) return out;
    return isThenable(out) ? rejected(realPromiseError()) : resolved(out);
  } catch (e) {
    // An async function never throws at its call: its failure is a rejected result.
    return rejected(e);
  }
}
