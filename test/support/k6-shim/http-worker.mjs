// The shim's HTTP worker: does the requests the main thread asks for with undici and wakes it
// (the main thread blocks in Atomics.wait, as a k6 VU blocks in a request). Plain JavaScript:
// worker threads run outside the test runner's TypeScript loader.
import { workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';

const { flag, port } = workerData;
const signal = new Int32Array(flag);
const agent = new Agent({ connections: 12, headersTimeout: 30_000, bodyTimeout: 30_000 });

async function one(r) {
  try {
    const res = await request(r.url, { method: r.method, headers: r.headers, body: r.body ?? undefined, dispatcher: agent });
    const body = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body };
  } catch (e) {
    const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
    // k6's codes: 1212 connection refused, 1050 timeout, 1000 anything else.
    const error_code = code === 'ECONNREFUSED' ? 1212 : /TIMEOUT/.test(code) ? 1050 : 1000;
    return { status: 0, headers: {}, body: null, error: String(e && e.message), error_code };
  }
}

port.on('message', async (msg) => {
  const results = await Promise.all(msg.requests.map(one));
  port.postMessage({ id: msg.id, results });
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
