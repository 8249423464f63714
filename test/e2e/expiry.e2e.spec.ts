import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '#sigil';
import { JwksServer } from '../support/jwks-server.js';
import { client, startApp, type RunningApp } from '../support/test-app.js';

/** A clock the test moves, so expiry is tested without sleeping. */
class ManualClock extends Clock {
  constructor(private current = Date.now()) {
    super();
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

describe('Expiry', () => {
  const jwks = new JwksServer();
  const clock = new ManualClock();
  let running: RunningApp;

  beforeAll(async () => {
    await jwks.start();
    running = await startApp(jwks, {}, { overrides: [{ provide: Clock, useValue: clock }] });
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
  });

  it('verifies until expiresAt, then answers expired; revoked wins over expired', async () => {
    const call = client(running.url, jwks.token({ scope: 'sigil:read sigil:write sigil:revoke' }));
    const expiresAt = new Date(clock.now() + 60_000).toISOString();
    const sigil = (await call('POST', '/api/v1/sigils', { data: { ticket: 1 }, expiresAt })).body;
    const other = (await call('POST', '/api/v1/sigils', { data: { ticket: 2 }, expiresAt })).body;
    expect(sigil.expiresAt).toBe(expiresAt);
    expect((await call('POST', '/api/v1/sigils/verify', { id: sigil.id })).body.reason).toBe('ok');

    clock.advance(60_000);
    const expired = await call('POST', '/api/v1/sigils/verify', { id: sigil.id });
    expect(expired.body).toMatchObject({
      valid: false,
      reason: 'expired',
      checkedAt: new Date(clock.now()).toISOString(),
    });

    await call('POST', `/api/v1/sigils/${other.id}/revoke`, {});
    expect((await call('POST', '/api/v1/sigils/verify', { id: other.id })).body.reason).toBe('revoked');
  });

  it('refuses an expiresAt that is not in the future by the service clock', async () => {
    const call = client(running.url, jwks.token({ scope: 'sigil:write' }));
    const res = await call('POST', '/api/v1/sigils', {
      data: { a: 1 },
      expiresAt: new Date(clock.now()).toISOString(),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'expiresAt', message: 'must be an ISO-8601 time in the future' },
    ]);
  });
});
