// Realistic match data for the match and capacity benchmarks: payloads shaped like what tenants
// sign (invoices, documents, events, shipments, sensor readings), ~80 % minted with the default
// consciousness state and ~20 % with a custom one, run through the real built mint functions
// (canonical JSON, digest, resonance pattern). Patterns come from the first 16 canonical characters
// plus the state, so payload kinds whose canonical JSON shares a prefix share a pattern, as real
// tenants' do. Seeded, so every run (and both stores) see the same data set.

/** A small, fast, seeded PRNG (mulberry32): the same data set in every run. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENTS = [
  'login',
  'logout',
  'password.reset',
  'order.created',
  'order.paid',
  'order.shipped',
  'refund',
  'signup',
];
const CARRIERS = ['DHL', 'UPS', 'FedEx', 'GLS', 'DPD', 'USPS'];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'];

const hex = (rand, n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One payload; its kind decides how much its canonical prefix varies. */
function payload(rand, n) {
  const kind = rand();
  if (kind < 0.2) {
    // `{"amount":1234.5…`: the amount varies the prefix.
    return {
      amount: round(rand() * 5000, 2),
      currency: pick(rand, CURRENCIES),
      customer: `cus_${hex(rand, 10)}`,
      invoice: `INV-${String(n).padStart(8, '0')}`,
    };
  }
  if (kind < 0.45) {
    // `{"documentId":"d…`: every one shares its first 16 characters.
    return {
      documentId: `doc-${String(n).padStart(9, '0')}`,
      pages: 1 + Math.floor(rand() * 40),
      title: 'Contract',
    };
  }
  if (kind < 0.65) {
    // `{"event":"login"…`: a handful of prefixes.
    return {
      event: pick(rand, EVENTS),
      at: 1_700_000_000 + Math.floor(rand() * 1e8),
      user: `u${hex(rand, 8)}`,
    };
  }
  if (kind < 0.8) {
    // `{"carrier":"DHL"…`: a handful more.
    return {
      carrier: pick(rand, CARRIERS),
      tracking: hex(rand, 18).toUpperCase(),
      weightKg: round(rand() * 30, 1),
    };
  }
  // `{"id":"3f9c1a…`: random ids, a distinct prefix each.
  return {
    id: `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}`,
    reading: round(rand() * 100, 3),
    unit: 'C',
  };
}

/** A custom consciousness state, as a client would send one: a few decimals each. */
function customState(rand) {
  return { phi: round(rand() * 10, 3), coherence: round(rand(), 2), awareness: round(rand(), 2) };
}

/**
 * The n-th realistic sigil input of a data set: `data` and the consciousness state it is minted
 * with (the default for ~80 %). Deterministic in (seed, n) order when called for n = 0, 1, 2, …
 */
export function realisticInputs(seed = 14) {
  const rand = prng(seed);
  return (n) => ({ data: payload(rand, n), consciousnessState: rand() < 0.8 ? null : customState(rand) });
}

/** A pattern near `pattern`: a few components nudged by up to ±0.002, clamped and rounded. */
export function perturb(rand, pattern) {
  const out = [...pattern];
  for (let k = 0; k < 3; k++) {
    const i = Math.floor(rand() * out.length);
    out[i] = Math.round(Math.min(1, Math.max(0, out[i] + (rand() - 0.5) * 0.004)) * 1e6) / 1e6;
  }
  return out;
}

export function randomPattern(rand) {
  return Array.from({ length: 16 }, () => Math.round(rand() * 1e6) / 1e6);
}

/**
 * The query mix: 40 % a stored sigil's pattern nudged slightly (a client matching a near copy),
 * 30 % by `sigilId` (the stored pattern itself, the sigil excluded), 30 % random patterns.
 */
export function queryMaker(samples, seed) {
  const rand = prng(seed);
  return () => {
    const pick = rand();
    const sample = samples[Math.floor(rand() * samples.length)];
    if (pick < 0.4)
      return { kind: 'near', body: { dnaPattern: perturb(rand, sample.pattern), topN: 10, threshold: 0.5 } };
    if (pick < 0.7) return { kind: 'sigilId', body: { sigilId: sample.id, topN: 10, threshold: 0.5 } };
    return { kind: 'random', body: { dnaPattern: randomPattern(rand), topN: 10, threshold: 0.5 } };
  };
}
