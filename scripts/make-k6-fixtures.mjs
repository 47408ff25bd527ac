#!/usr/bin/env node
// Writes fixtures/k6/: what two k6-operator pods would leave behind after a 30 s run of an OpenMRS clinic
// script — each pod's `k6 run --out json=…` NDJSON (pod 1 plain, pod 2 gzipped, as k6 does for a .gz name)
// and each pod's end-of-test summary (pod 1 as handleSummary's data, pod 2 in the legacy --summary-export
// shape). Deterministic: same bytes every time. Pod 2 is slower than pod 1, so that averaging the pods'
// percentiles visibly differs from the percentiles of their combined samples.
//
//   node scripts/make-k6-fixtures.mjs [OUT_DIR]
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const OUT = process.argv[2] ?? new URL('../fixtures/k6/', import.meta.url).pathname;
const START = Date.UTC(2025, 2, 14, 9, 0, 0);
const BASE = 'http://openmrs.example.org:8080/openmrs/ws/rest/v1';
const THRESHOLDS = {
  http_req_duration: ['p(95)<800', { threshold: 'p(99)<1500', abortOnFail: true, delayAbortEval: '10s' }],
  'http_req_duration{name:login}': ['p(95)<300'],
  http_req_failed: ['rate<0.05'],
  checks: ['rate>0.95'],
};
const PODS = [
  { n: 1, file: 'pod-1.json', gzip: false, tz: 60, delayMs: 0, seed: 11, slow: 1, sigma: 0.3, fail: { openChart: 0.05 } },
  { n: 2, file: 'pod-2.json.gz', gzip: true, tz: 0, delayMs: 420, seed: 23, slow: 2.4, sigma: 0.5, fail: { searchPatient: 0.08 }, timeoutAt: 20, userinfo: true },
];
const MEDIAN_MS = { login: 60, searchPatient: 110, openChart: 180 };

/** mulberry32: small, seedable, the same everywhere. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (r) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const round6 = (x) => Math.round(x * 1e6) / 1e6;

/** Go's time.Time JSON (RFC 3339, nanoseconds, trailing zeros trimmed) in a zone `tz` minutes east of UTC. */
function goTime(epochMs, tz) {
  const ns = Math.round(epochMs * 1e6);
  const local = new Date(Math.floor(ns / 1e6) + tz * 60_000).toISOString().slice(0, 19);
  const frac = String(ns % 1e9).padStart(9, '0').replace(/0+$/, '');
  const zone = tz === 0 ? 'Z' : `${tz > 0 ? '+' : '-'}${String(Math.floor(Math.abs(tz) / 60)).padStart(2, '0')}:${String(Math.abs(tz) % 60).padStart(2, '0')}`;
  return `${local}${frac ? '.' + frac : ''}${zone}`;
}

const sortTags = (tags) => Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)));
const METRICS = {
  http_reqs: ['counter', 'default'], http_req_duration: ['trend', 'time'], http_req_blocked: ['trend', 'time'], http_req_connecting: ['trend', 'time'],
  http_req_tls_handshaking: ['trend', 'time'], http_req_sending: ['trend', 'time'], http_req_waiting: ['trend', 'time'], http_req_receiving: ['trend', 'time'],
  http_req_failed: ['rate', 'default'], checks: ['rate', 'default'], iterations: ['counter', 'default'], iteration_duration: ['trend', 'time'],
  dropped_iterations: ['counter', 'default'], vus: ['gauge', 'default'], vus_max: ['gauge', 'default'], data_sent: ['counter', 'data'], data_received: ['counter', 'data'],
};
function submetrics(name) {
  if (name !== 'http_req_duration') return null;
  return [
    { name: 'http_req_duration{name:login}', suffix: 'name:login', tags: { name: 'login' } },
    { name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } },
  ];
}

/** One pod's samples, as containers (k6 writes a container's samples together). */
function simulate(pod) {
  const r = rng(pod.seed);
  const t0 = START + pod.delayMs;
  const containers = [];
  const vuFreeAt = [0, 0, 0];
  const busy = [];
  const scenario = 'clinic';
  const request = (vu, at, step, method, path, stepTag, opts = {}) => {
    const timedOut = opts.timeout;
    const failed = !timedOut && r() < (pod.fail[step] ?? 0);
    const status = timedOut ? 0 : failed ? (step === 'openChart' ? 404 : 500) : 200;
    const blocked = round6(0.002 + r() * 0.01);
    const sending = round6(0.02 + r() * 0.03);
    const receiving = round6(0.05 + r() * 0.4);
    const duration = timedOut ? 2000 : round6(MEDIAN_MS[step] * pod.slow * Math.exp(pod.sigma * normal(r)));
    const waiting = round6(duration - sending - receiving);
    const end = at + blocked + duration;
    const url = `${pod.userinfo && step === 'login' ? BASE.replace('http://', 'http://admin:****@') : BASE}${path}`;
    const tags = sortTags({
      expected_response: String(!timedOut && !failed), group: '', method, name: step, proto: timedOut ? undefined : 'HTTP/1.1', scenario,
      status: String(status), ...(stepTag ? { step } : {}), url,
      ...(status >= 400 ? { error_code: String(1000 + status) } : {}), ...(timedOut ? { error: 'request timeout', error_code: '1050' } : {}),
    });
    for (const k of Object.keys(tags)) if (tags[k] === undefined) delete tags[k];
    const samples = [
      ['http_reqs', 1], ['http_req_duration', duration], ['http_req_blocked', blocked], ['http_req_connecting', 0], ['http_req_tls_handshaking', 0],
      ['http_req_sending', sending], ['http_req_waiting', timedOut ? duration - sending : waiting], ['http_req_receiving', timedOut ? 0 : receiving],
      ['http_req_failed', timedOut || failed ? 1 : 0],
    ].map(([metric, value]) => ({ metric, value, tags }));
    containers.push({ time: end, vu, samples });
    return { end, status };
  };
  const check = (vu, at, name, ok) => containers.push({ time: at, vu, samples: [{ metric: 'checks', value: ok ? 1 : 0, tags: { check: name, group: '', scenario } }] });
  let iteration = 0;
  for (let at = t0 + 5; at < t0 + 30_000; at += 600) {
    const vu = vuFreeAt.findIndex((f) => f <= at);
    if (vu < 0) {
      containers.push({ time: at, vu: 9, samples: [{ metric: 'dropped_iterations', value: 1, tags: { scenario } }] });
      continue;
    }
    iteration++;
    const start = at + r() * 2;
    const login = request(vu, start, 'login', 'POST', '/session', true);
    check(vu, login.end + 0.1, 'login succeeded', login.status === 200);
    const q = ['John', 'Mary', 'Amina', 'Joseph', 'Grace'][iteration % 5];
    const search = request(vu, login.end + 250 + r() * 100, 'searchPatient', 'GET', `/patient?q=${q}&v=default`, false);
    check(vu, search.end + 0.1, 'patient found', search.status === 200);
    const uuid = createHash('md5').update(`${pod.n}-${iteration}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const chart = request(vu, search.end + 250 + r() * 100, 'openChart', 'GET', `/encounter?patient=${uuid}&v=full`, true, { timeout: iteration === pod.timeoutAt });
    const end = chart.end + 1 + r() * 3;
    const duration = round6(end - start);
    containers.push({
      time: end, vu,
      samples: [
        { metric: 'data_sent', value: 1400 + Math.floor(r() * 200), tags: { group: '', scenario } },
        { metric: 'data_received', value: 12_000 + Math.floor(r() * 8000), tags: { group: '', scenario } },
        { metric: 'iteration_duration', value: duration, tags: { group: '', scenario } },
        { metric: 'iterations', value: 1, tags: { group: '', scenario } },
      ],
    });
    vuFreeAt[vu] = end;
    busy.push([start, end]);
  }
  for (let s = 0; s <= 30; s++) {
    const at = t0 + s * 1000 + 3 + r() * 5;
    const active = busy.filter(([a, b]) => a <= at && at < b).length;
    containers.push({ time: at, vu: -1, samples: [{ metric: 'vus', value: active, tags: null }, { metric: 'vus_max', value: 3, tags: null }] });
  }
  return containers;
}

/** k6's JSON output: containers as its 200 ms flushes write them (in push order, so not strictly by time). */
function ndjson(pod, containers) {
  const batches = new Map();
  for (const c of containers) {
    const b = Math.ceil((c.time - START) / 200);
    if (!batches.has(b)) batches.set(b, []);
    batches.get(b).push(c);
  }
  const seen = new Set();
  const lines = [];
  for (const b of [...batches.keys()].sort((x, y) => x - y)) {
    for (const c of batches.get(b).sort((x, y) => x.vu - y.vu || x.time - y.time)) {
      for (const s of c.samples) {
        if (!seen.has(s.metric)) {
          seen.add(s.metric);
          const [type, contains] = METRICS[s.metric];
          const data = { name: s.metric, type, contains, thresholds: THRESHOLDS[s.metric] ?? [], submetrics: submetrics(s.metric) };
          lines.push(JSON.stringify({ type: 'Metric', data, metric: s.metric }));
        }
        lines.push(JSON.stringify({ type: 'Point', data: { time: goTime(c.time, pod.tz), value: s.value, tags: s.tags }, metric: s.metric }));
      }
    }
  }
  return lines.join('\n') + '\n';
}

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  const i = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}
function trend(values) {
  const s = [...values].sort((a, b) => a - b);
  const avg = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { avg, min: s[0] ?? 0, med: percentile(s, 50), max: s[s.length - 1] ?? 0, 'p(90)': percentile(s, 90), 'p(95)': percentile(s, 95), 'p(99)': percentile(s, 99) };
}
const op = (expr, v) => {
  const [, agg, cmp, num] = /^(.*?)\s*(<=|>=|<|>)\s*([\d.]+)$/.exec(expr);
  const x = agg === 'rate' ? v.rate : v[agg];
  return cmp === '<' ? x < +num : cmp === '<=' ? x <= +num : cmp === '>' ? x > +num : x >= +num;
};

/** The pod's end-of-test summary as handleSummary receives it (`legacy`: as --summary-export writes it). */
function summary(containers, legacy) {
  const samples = containers.flatMap((c) => c.samples);
  const of = (m, pred = () => true) => samples.filter((s) => s.metric === m && pred(s)).map((s) => s.value);
  const times = containers.map((c) => c.time);
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
  const counter = (m) => ({ type: 'counter', contains: METRICS[m][1], values: { count: of(m).reduce((a, b) => a + b, 0), rate: of(m).reduce((a, b) => a + b, 0) / seconds } });
  const rate = (m) => {
    const v = of(m);
    const passes = v.filter((x) => x !== 0).length;
    return { type: 'rate', contains: 'default', values: { rate: passes / v.length, passes, fails: v.length - passes } };
  };
  const gauge = (m) => ({ type: 'gauge', contains: 'default', values: { value: of(m).at(-1), min: Math.min(...of(m)), max: Math.max(...of(m)) } });
  const metrics = {
    http_reqs: counter('http_reqs'), http_req_duration: { type: 'trend', contains: 'time', values: trend(of('http_req_duration')) },
    'http_req_duration{name:login}': { type: 'trend', contains: 'time', values: trend(of('http_req_duration', (s) => s.tags.name === 'login')) },
    'http_req_duration{expected_response:true}': { type: 'trend', contains: 'time', values: trend(of('http_req_duration', (s) => s.tags.expected_response === 'true')) },
    http_req_waiting: { type: 'trend', contains: 'time', values: trend(of('http_req_waiting')) }, http_req_failed: rate('http_req_failed'), checks: rate('checks'),
    iterations: counter('iterations'), iteration_duration: { type: 'trend', contains: 'time', values: trend(of('iteration_duration')) },
    dropped_iterations: counter('dropped_iterations'), vus: gauge('vus'), vus_max: gauge('vus_max'), data_sent: counter('data_sent'), data_received: counter('data_received'),
  };
  for (const [key, list] of Object.entries(THRESHOLDS)) {
    const m = metrics[key];
    m.thresholds = Object.fromEntries(list.map((t) => (typeof t === 'string' ? t : t.threshold)).map((src) => [src, { ok: op(src, m.values) }]));
  }
  const checkNames = [...new Set(samples.filter((s) => s.metric === 'checks').map((s) => s.tags.check))];
  const checks = checkNames.map((name) => {
    const v = of('checks', (s) => s.tags.check === name);
    const path = `::${name}`;
    return { name, path, id: createHash('md5').update(path).digest('hex'), passes: v.filter((x) => x).length, fails: v.filter((x) => !x).length };
  });
  const root = { name: '', path: '', id: createHash('md5').update('').digest('hex'), groups: [], checks };
  const state = { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: Math.round(seconds * 1000) };
  if (!legacy) return { root_group: root, options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: false }, state, metrics };
  // What k6's oldJSONSummary makes of the same data (js/summary.go).
  const old = {};
  for (const [k, m] of Object.entries(metrics)) {
    const v = { ...m.values };
    if (m.thresholds) v.thresholds = Object.fromEntries(Object.entries(m.thresholds).map(([src, t]) => [src, !t.ok]));
    if (m.type === 'rate') {
      v.value = v.rate;
      delete v.rate;
    }
    old[k] = v;
  }
  return { root_group: { ...root, groups: {}, checks: Object.fromEntries(checks.map((c) => [c.name, c])) }, state, metrics: old };
}

mkdirSync(OUT, { recursive: true });
for (const pod of PODS) {
  const containers = simulate(pod);
  const text = ndjson(pod, containers);
  writeFileSync(join(OUT, pod.file), pod.gzip ? gzipSync(text, { level: 9 }) : text);
  writeFileSync(join(OUT, `pod-${pod.n}-summary.json`), JSON.stringify(summary(containers, pod.n === 2), null, pod.n === 2 ? 4 : 2) + '\n');
  const reqs = containers.flatMap((c) => c.samples).filter((s) => s.metric === 'http_reqs').length;
  console.log(`${pod.file}: ${text.split('\n').length - 1} lines, ${reqs} requests`);
}
