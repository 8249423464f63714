// What the soak sends: realistic payloads, the sigils it seeds first, the vegeta targets file, and
// what each kind of request must answer. Every request is classified back from its method and URL,
// so the targets file and the checks cannot drift apart.
import { writeFile } from 'node:fs/promises';
import { request } from '../bench/http.mjs';

export const SIGILS = '/api/v1/sigils';

/** Default share of each kind in the soak's mix, in percent (must sum to 100). */
export const DEFAULT_MIX = { encode: 30, verify: 35, decode: 15, list: 12, match: 8 };

/**
 * What counts as a correct answer, per kind. `body` sees at most vegeta's -max-body bytes of the
 * response, enough for the fields checked here.
 */
export const EXPECT = {
  encode: { status: 201, body: (text) => text.includes('"id":"sigil_') },
  verify: { status: 200, body: (text) => text.includes('"valid":true') },
  decode: { status: 200, body: (text) => text.includes('"id":"sigil_') },
  list: { status: 200, body: (text) => text.startsWith('{"items":[') },
  match: { status: 200, body: (text) => text.startsWith('{"matches":[') },
  // The bare node:http floor (rate mode): it answers every JSON body alike.
  bare: { status: 200, body: (text) => text.startsWith('{"valid":true') },
};

/** The kind of a request from its method and URL (the inverse of the builders below). */
export function kindOf(method, url) {
  const { pathname } = new URL(url);
  if (pathname === '/') return 'bare';
  if (method === 'GET') return pathname === SIGILS ? 'list' : 'decode';
  if (pathname === `${SIGILS}/verify`) return 'verify';
  if (pathname === `${SIGILS}/match`) return 'match';
  return 'encode';
}

/** Parses "encode=30,verify=40,…" into a mix; kinds left out get 0. */
export function parseMix(text) {
  const mix = Object.fromEntries(Object.keys(DEFAULT_MIX).map((k) => [k, 0]));
  for (const part of text.split(',')) {
    const [kind, share] = part.split('=').map((s) => s.trim());
    if (!(kind in mix) || !/^\d+$/.test(share ?? '')) {
      throw new Error(`--mix: "${part}" is not kind=percent with kind one of ${Object.keys(mix).join(', ')}`);
    }
    mix[kind] = Number(share);
  }
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  if (total !== 100) throw new Error(`--mix: the shares add up to ${total}, not 100`);
  return mix;
}

/** A small deterministic PRNG (mulberry32), so a run's targets are reproducible. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

/**
 * An encode body the way clients send them: a few document shapes of 150–600 bytes, most with the
 * default consciousness state (a fifth with their own), half with metadata and tags.
 */
export function encodeBody(rnd, n) {
  const shapes = [
    () => ({
      invoice: `INV-${String(n).padStart(8, '0')}`,
      customer: `cust-${Math.floor(rnd() * 100_000)}`,
      amount: Math.round(rnd() * 10_000_000) / 100,
      currency: pick(rnd, ['EUR', 'USD', 'GBP', 'CHF']),
      issuedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 3e10)).toISOString(),
      lines: Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => ({
        sku: `SKU-${i}-${Math.floor(rnd() * 1000)}`,
        qty: 1 + Math.floor(rnd() * 9),
      })),
    }),
    () => ({
      event: pick(rnd, ['login', 'payment.settled', 'document.signed', 'order.shipped']),
      actor: `user-${Math.floor(rnd() * 5000)}@example.com`,
      at: new Date(Date.UTC(2026, 10, 1) + Math.floor(rnd() * 2.6e9)).toISOString(),
      ip: `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
      seq: n,
    }),
    () => ({
      contract: `C-${n}`,
      parties: ['Acme GmbH', pick(rnd, ['Globex Ltd', 'Initech SA', 'Umbrella BV'])],
      clauses: Array.from(
        { length: 2 + Math.floor(rnd() * 3) },
        (_, i) => `clause ${i + 1}: ${'x'.repeat(20 + Math.floor(rnd() * 60))}`,
      ),
      signedAt: '2026-11-30T12:00:00.000Z',
    }),
  ];
  const body = { data: pick(rnd, shapes)() };
  if (rnd() < 0.2) {
    body.consciousnessState = {
      phi: Math.round(rnd() * 10_000) / 1000,
      coherence: Math.round(rnd() * 1000) / 1000,
      awareness: Math.round(rnd() * 1000) / 1000,
    };
  }
  if (rnd() < 0.5) {
    body.metadata = {
      source: pick(rnd, ['billing', 'audit', 'contracts']),
      tags: [pick(rnd, ['soak', 'eu', 'us'])],
    };
  }
  return body;
}

/**
 * Mints `perTenant` sigils in each seeder's tenant through the API (bounded concurrency) and returns
 * them by tenant, with the data verify sends back and the pattern match asks for.
 */
export async function seed(url, seeders, perTenant, rnd, concurrency = 8) {
  const byTenant = new Map();
  const jobs = [];
  for (const user of seeders) {
    byTenant.set(user.tenant, []);
    for (let i = 0; i < perTenant; i++) jobs.push({ user, body: encodeBody(rnd, i) });
  }
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { user, body } = jobs[next++];
      const res = await request(`${url}${SIGILS}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`seeding: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      const sigil = JSON.parse(res.text);
      byTenant.get(user.tenant).push({ id: sigil.id, data: body.data, pattern: sigil.dna.resonancePattern });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return byTenant;
}

/** `count` bare-server targets: the encode bodies, posted to its `/`. */
export async function writeBareTargets(file, { url, count, rnd }) {
  const line = (n) =>
    JSON.stringify({
      method: 'POST',
      url: `${url}/`,
      header: { 'Content-Type': ['application/json'] },
      body: Buffer.from(JSON.stringify(encodeBody(rnd, n))).toString('base64'),
    });
  await writeFile(file, `${Array.from({ length: count }, (_, n) => line(n)).join('\n')}\n`);
}

/** One request of a kind, for a user, as a vegeta JSON target. */
function target(kind, { url, user, seeded, rnd, n }) {
  const sigil = pick(rnd, seeded.get(user.tenant));
  const header = { Authorization: [`Bearer ${user.token}`] };
  const json = (method, path, body) => ({
    method,
    url: `${url}${path}`,
    header: { ...header, 'Content-Type': ['application/json'] },
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
  });
  switch (kind) {
    case 'encode':
      return json('POST', SIGILS, encodeBody(rnd, n));
    case 'verify':
      return json('POST', `${SIGILS}/verify`, { id: sigil.id, data: sigil.data });
    case 'match':
      return json(
        'POST',
        `${SIGILS}/match`,
        rnd() < 0.5
          ? { sigilId: sigil.id, topN: 10, threshold: 0.9 }
          : { dnaPattern: sigil.pattern, topN: 5 },
      );
    case 'decode':
      return { method: 'GET', url: `${url}${SIGILS}/${sigil.id}`, header };
    case 'list': {
      const query = rnd() < 0.3 ? '?limit=20&tag=soak' : `?limit=${pick(rnd, [10, 20, 50])}`;
      return { method: 'GET', url: `${url}${SIGILS}${query}`, header };
    }
  }
  throw new Error(`unknown kind ${kind}`);
}

/**
 * Writes `count` targets in the mix's proportions, interleaved (a weighted round robin, so every
 * stretch of the file has the mix, not only the whole) and spread over the users. vegeta loops over
 * the file, so it only has to be long enough that repeats are far apart.
 */
export async function writeTargets(file, { url, users, seeded, mix, count, rnd }) {
  const kinds = Object.entries(mix).filter(([, share]) => share > 0);
  const credit = Object.fromEntries(kinds.map(([kind]) => [kind, 0]));
  const lines = [];
  for (let n = 0; n < count; n++) {
    for (const [kind, share] of kinds) credit[kind] += share;
    const [kind] = kinds.reduce((best, k) => (credit[k[0]] > credit[best[0]] ? k : best));
    credit[kind] -= 100;
    lines.push(JSON.stringify(target(kind, { url, user: users[n % users.length], seeded, rnd, n })));
  }
  await writeFile(file, `${lines.join('\n')}\n`);
}
