/* global __ENV, __VU, __ITER */
// Sigil-DNA soak test for k6 (https://k6.io): a steady mix of encode, verify and list against a running
// service, failing when the runbook's budgets are missed (RUNBOOK_SIGIL_DNA.md — Performance Baselines):
// encode P95 < 500 ms and P99 < 1 s, verify P95 < 100 ms and P99 < 200 ms, error rate < 0.1 %.
//
//   SIGIL_URL=https://sigil.example.com SIGIL_TOKEN=<JWT with sigil:write> k6 run monitoring/k6/soak.js
//
// Environment: SIGIL_TOKEN (required; scope sigil:write, which implies read), SIGIL_URL (default
// http://127.0.0.1:3000), SIGIL_SOAK_RATE (requests/s, default 15), SIGIL_SOAK_DURATION (default 30m),
// SIGIL_SOAK_VUS (pre-allocated virtual users, default 20). One token is one rate-limit principal:
// the default SIGIL_RATE_LIMIT=200 per SIGIL_RATE_WINDOW=10 s allows 20 requests/s, so raise the
// limit on the target (or keep SIGIL_SOAK_RATE under it) or the 429s fail the error-rate threshold.
// This project's own CI soaks the local build with vegeta (npm run test:soak, docs/operations.md#soak);
// k6 is for users who run it against their deployment.
import { check, fail } from 'k6';
import http from 'k6/http';
import { Counter } from 'k6/metrics';

const BASE_URL = (__ENV.SIGIL_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const TOKEN = __ENV.SIGIL_TOKEN;
const RATE = Number(__ENV.SIGIL_SOAK_RATE || 15);
const DURATION = __ENV.SIGIL_SOAK_DURATION || '30m';
const VUS = Number(__ENV.SIGIL_SOAK_VUS || 20);

/** Share of iterations per operation; the rest are lists. */
const ENCODE_SHARE = 0.3;
const VERIFY_SHARE = 0.5;
const SEED_SIGILS = 20;

const rateLimited = new Counter('sigil_rate_limited');

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: VUS,
      maxVUs: VUS * 5,
    },
  },
  thresholds: {
    // Runbook budgets, per operation (requests are tagged with `op`).
    'http_req_duration{op:encode}': ['p(95)<500', 'p(99)<1000'],
    'http_req_duration{op:verify}': ['p(95)<100', 'p(99)<200'],
    'http_req_duration{op:list}': ['p(95)<500'],
    // Error rate < 0.1 %: any non-2xx answer (429s included) counts as failed.
    http_req_failed: ['rate<0.001'],
    checks: ['rate>0.999'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
};

function headers() {
  return { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
}

function payload(seq) {
  return {
    data: { invoice: `SOAK-${__VU}-${seq}-${Date.now()}`, amount: Math.round(Math.random() * 100000) / 100 },
    metadata: { source: 'k6-soak', tags: ['soak'] },
  };
}

function encode(seq) {
  const body = payload(seq);
  const res = http.post(`${BASE_URL}/api/v1/sigils`, JSON.stringify(body), {
    headers: headers(),
    tags: { op: 'encode', name: 'POST /api/v1/sigils' },
  });
  if (res.status === 429) rateLimited.add(1);
  const ok = check(res, {
    'encode: 201': (r) => r.status === 201,
    'encode: has an id': (r) => r.status === 201 && typeof r.json('id') === 'string',
  });
  return ok ? { id: res.json('id'), data: body.data } : null;
}

function verify(sigil) {
  const res = http.post(
    `${BASE_URL}/api/v1/sigils/verify`,
    JSON.stringify({ id: sigil.id, data: sigil.data }),
    {
      headers: headers(),
      tags: { op: 'verify', name: 'POST /api/v1/sigils/verify' },
    },
  );
  if (res.status === 429) rateLimited.add(1);
  check(res, {
    'verify: 200': (r) => r.status === 200,
    'verify: valid': (r) => r.status === 200 && r.json('valid') === true && r.json('reason') === 'ok',
  });
}

function list() {
  const res = http.get(`${BASE_URL}/api/v1/sigils?limit=20&tag=soak`, {
    headers: headers(),
    tags: { op: 'list', name: 'GET /api/v1/sigils' },
  });
  if (res.status === 429) rateLimited.add(1);
  check(res, {
    'list: 200': (r) => r.status === 200,
    'list: has items': (r) => r.status === 200 && Array.isArray(r.json('items')),
  });
}

/** Checks the target is ready and the token works, then mints the sigils the verify calls use. */
export function setup() {
  if (!TOKEN) fail('SIGIL_TOKEN is not set: export a JWT with scope sigil:write for the target service');
  const ready = http.get(`${BASE_URL}/readyz`, { tags: { op: 'setup' } });
  if (ready.status !== 200) fail(`${BASE_URL}/readyz answered ${ready.status}: ${ready.body}`);
  const seeds = [];
  for (let i = 0; i < SEED_SIGILS; i++) {
    const body = payload(`seed-${i}`);
    const res = http.post(`${BASE_URL}/api/v1/sigils`, JSON.stringify(body), {
      headers: headers(),
      tags: { op: 'setup' },
    });
    if (res.status !== 201) fail(`setup encode answered ${res.status}: ${res.body}`);
    seeds.push({ id: res.json('id'), data: body.data });
  }
  return { seeds };
}

export default function soak(data) {
  const roll = Math.random();
  if (roll < ENCODE_SHARE) {
    encode(__ITER);
  } else if (roll < ENCODE_SHARE + VERIFY_SHARE) {
    verify(data.seeds[Math.floor(Math.random() * data.seeds.length)]);
  } else {
    list();
  }
}
