import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { DevIssuer, TokenVerifier, UnauthenticatedError } from '../../../src/adapters/auth/tokens.ts';
import { waitFor } from '../../support/env.ts';

/** A verified token's principal is reused for a short while (src/adapters/auth/tokens.ts), never past its `exp`. */
describe('TokenVerifier: reusing a verified token', () => {
  const issuer = new DevIssuer(randomBytes(32), 'test-issuer', 'tec-api');
  const verifier = () => new TokenVerifier({ issuer: 'test-issuer', audience: 'tec-api', keys: [issuer.publicKey] });

  it('answers the same principal again, as a copy the caller cannot change for the next request', async () => {
    const v = verifier();
    const token = await issuer.mint({ subject: 'national-mirror', role: 'auditor', province: '00' });
    const first = await v.verify(token);
    (first as { subject: string }).subject = 'someone-else';
    const second = await v.verify(token);
    expect(second).to.include({ subject: 'national-mirror', role: 'auditor', province: '00' });
  });

  it('refuses a remembered token once it expires', async () => {
    const v = verifier();
    const token = await issuer.mint({ subject: 'officer-1', role: 'officer', province: '01', ttlSeconds: 1 });
    expect((await v.verify(token)).subject).to.equal('officer-1');
    const refusal = await waitFor(
      () =>
        v.verify(token).then(
          () => undefined,
          (error: unknown) => error,
        ),
      { timeoutMs: 5000, intervalMs: 50, what: 'the token expiring' },
    );
    expect(refusal).to.be.instanceOf(UnauthenticatedError);
  });

  it('still refuses a forged token (nothing is remembered of a failed check)', async () => {
    const v = verifier();
    const other = new DevIssuer(randomBytes(32), 'test-issuer', 'tec-api');
    const forged = await other.mint({ subject: 'officer-1', role: 'officer', province: '01' });
    for (let i = 0; i < 2; i++) {
      const error = await v.verify(forged).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(UnauthenticatedError);
    }
  });
});
