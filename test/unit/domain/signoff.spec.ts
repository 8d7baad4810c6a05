import { expect } from 'chai';
import nacl from 'tweetnacl';
import { canonicalize } from '../../../src/domain/integrity/canonical.ts';
import { keyId as kernelKeyId } from '../../../src/domain/integrity/ed25519.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import {
  buildDecisionSignoff,
  buildDetectionPayload,
  buildReviewSignoff,
  decodeBase64,
  keyIdOf,
  keyPairFromLabel,
  signDetection,
  signingBytes,
  signSignoff,
  sortedDigests,
  verifyDetection,
  verifySignoff,
  withSignature,
} from '../../../src/domain/signoff/index.ts';
import { detectionInput } from './case-fixtures.ts';

const officer = keyPairFromLabel('signoff-spec-officer');
const reviewInput = {
  caseId: '94335e5f-0695-541a-8402-f0ff39f38709',
  caseRevision: 3,
  decision: 'confirm' as const,
  violationCode: '168.6.9.b',
  plate: '30A-123.45',
  evidence: [`sha256:${'b'.repeat(64)}`, `sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`],
  signedAt: '2026-03-11T02:00:00.000Z',
};

describe('signoff payloads, signing and verification', () => {
  it('sorts and de-duplicates the signed evidence digests', () => {
    expect(sortedDigests(reviewInput.evidence)).to.deep.equal([
      `sha256:${'a'.repeat(64)}`,
      `sha256:${'b'.repeat(64)}`,
    ]);
    expect(buildReviewSignoff(reviewInput).evidence).to.deep.equal([
      `sha256:${'a'.repeat(64)}`,
      `sha256:${'b'.repeat(64)}`,
    ]);
  });

  it('signs with tweetnacl and verifies with node:crypto; any change to the payload breaks it', () => {
    const signed = signSignoff(buildReviewSignoff(reviewInput), officer.secretKey);
    expect(signed.keyId).to.equal(officer.keyId);
    expect(verifySignoff(signed.signoff, signed.signature, officer.publicKey)).to.equal(true);
    expect(
      verifySignoff({ ...signed.signoff, caseRevision: 4 }, signed.signature, officer.publicKey),
    ).to.equal(false);
    expect(verifySignoff(signed.signoff, signed.signature, keyPairFromLabel('other').publicKey)).to.equal(
      false,
    );
    expect(verifySignoff(signed.signoff, 'not base64', officer.publicKey)).to.equal(false);
    expect(verifySignoff({ bad: undefined }, signed.signature, officer.publicKey)).to.equal(false);
  });

  it('signs exactly JCS(payload): a browser signing signingBytes() with tweetnacl gets the same signature', () => {
    const signoff = buildReviewSignoff(reviewInput);
    expect(Buffer.from(signingBytes(signoff)).toString('utf8')).to.equal(canonicalize(signoff));
    const browserSignature = Buffer.from(
      nacl.sign.detached(signingBytes(signoff), officer.secretKey),
    ).toString('base64');
    expect(withSignature(signoff, browserSignature, officer.keyId)).to.deep.equal(
      signSignoff(signoff, officer.secretKey),
    );
  });

  it('separates signature domains by purpose: a review signature does not verify a decision', () => {
    const review = signSignoff(buildReviewSignoff(reviewInput), officer.secretKey);
    const decision = buildDecisionSignoff({
      ...reviewInput,
      fineVnd: 18_000_000,
      points: 4,
      legalBasis: { decree: '168/2024/NĐ-CP', article: 6, clause: 9, point: 'b' },
      offender: { kind: 'individual', ref: 'owner-1' },
    });
    expect(verifySignoff(decision, review.signature, officer.publicKey)).to.equal(false);
  });

  it('computes key ids as the integrity kernel does, and decodes only canonical base64 of the right length', () => {
    expect(keyIdOf(officer.publicKey)).to.equal(kernelKeyId(decodeBase64(officer.publicKey, 32)!));
    expect(decodeBase64(officer.publicKey, 31)).to.equal(undefined);
    expect(decodeBase64(officer.publicKey.replace('=', ''), 32)).to.equal(undefined);
    expect(() => keyIdOf('AAAA')).to.throw(RangeError);
  });

  it('builds detections with integers only and no unknown fields', () => {
    const camera = keyPairFromLabel('cam');
    const signed = signDetection(buildDetectionPayload(detectionInput()), camera.secretKey);
    expect(verifyDetection(signed.detection, signed.signature, camera.publicKey)).to.equal(true);
    expect(() => buildDetectionPayload(detectionInput({ measurements: { speedKmh: 72.5 } }))).to.throw(
      ValidationError,
    );
    expect(() => buildDetectionPayload({ ...detectionInput(), extra: 1 } as never)).to.throw(ValidationError);
    expect(() => buildDetectionPayload(detectionInput({ observedAt: '2026-03-10T08:00:00+07:00' }))).to.throw(
      ValidationError,
    );
    expect(() => buildDetectionPayload(detectionInput({ evidence: [] }))).to.throw(ValidationError);
  });
});
