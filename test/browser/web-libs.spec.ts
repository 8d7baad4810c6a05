/**
 * The browser's pure libraries, run in Node against the server's own definitions: the sign-off payloads the
 * review UI builds are exactly what the server's builders build and pass its strict schemas, their signatures
 * verify with the server's verifier, key files from `tec keygen` import (tampered ones do not), tokens parse,
 * and the SLA badges follow the notice and limitation rules. No browser needed.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { buildReview, buildDecision, buildRecord, signPayload, type SignoffBasis } from '../../web/src/lib/signoff.ts';
import { parseKeyFile, KeyFileError } from '../../web/src/lib/keystore.ts';
import { parseToken } from '../../web/src/lib/session.ts';
import { badgesFromSla, slaBadges } from '../../web/src/lib/queue.ts';
import { formatTime, parseVnd, tValue, provinceName } from '../../web/src/lib/i18n.ts';
import { buildDecisionSignoff, buildRecordSignoff, buildReviewSignoff } from '../../src/domain/signoff/builders.ts';
import { DecisionSignoffSchema, RecordSignoffSchema, ReviewSignoffSchema } from '../../src/domain/signoff/payloads.ts';
import { verifySignoff } from '../../src/domain/signoff/signing.ts';
import { keyPairFromLabel } from '../../src/domain/signoff/keys.ts';
import { newKeyFile } from '../../src/cli/commands/keygen.ts';
import { DevIssuer } from '../../src/adapters/auth/tokens.ts';

const DIGESTS = [`sha256:${'b'.repeat(64)}`, `sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];
const BASIS: SignoffBasis = { caseId: '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60', caseRevision: 3, evidence: DIGESTS, violationCode: '168.6.9.b', plate: '30A-123.45' };
const SIGNED_AT = '2026-11-24T09:00:00.123Z';

describe('web UI libraries (Node)', () => {
  it('a confirmation with a correction equals the server builder output and passes its strict schema', () => {
    const web = buildReview({ basis: BASIS, decision: 'confirm', plate: ' 30A-123.46 ', violationCode: '168.6.9.b', signedAt: SIGNED_AT, correction: 'Sửa biển số theo ảnh', overrideReason: '' });
    const server = buildReviewSignoff({ caseId: BASIS.caseId, caseRevision: 3, decision: 'confirm', violationCode: '168.6.9.b', plate: '30A-123.46', evidence: DIGESTS, signedAt: SIGNED_AT, correction: 'Sửa biển số theo ảnh' });
    expect(web).to.deep.equal(server);
    expect(ReviewSignoffSchema.safeParse(web).success).to.equal(true);
    expect(web.evidence).to.deep.equal([`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`]);
  });

  it('a rejection carries its reason and no correction fields', () => {
    const web = buildReview({ basis: BASIS, decision: 'reject', plate: '30A-123.45', violationCode: '168.6.9.b', signedAt: SIGNED_AT, rejectReason: 'plate-unreadable', rejectNote: '' });
    expect(web).to.deep.equal(
      buildReviewSignoff({ caseId: BASIS.caseId, caseRevision: 3, decision: 'reject', violationCode: '168.6.9.b', plate: '30A-123.45', evidence: DIGESTS, signedAt: SIGNED_AT, rejectReason: 'plate-unreadable' }),
    );
  });

  it('a decision equals the server builder output and its browser signature verifies on the server', () => {
    const input = { plate: '30A-123.45', violationCode: '168.6.9.b', signedAt: SIGNED_AT, fineVnd: 18_000_000, points: 0, legalBasis: { decree: '168/2024/NĐ-CP', article: 6, clause: 9, point: 'b' }, offender: { kind: 'individual' as const, ref: 'own-0001' } };
    const web = buildDecision({ basis: BASIS, ...input });
    expect(web).to.deep.equal(buildDecisionSignoff({ caseId: BASIS.caseId, caseRevision: 3, evidence: DIGESTS, ...input }));
    expect(DecisionSignoffSchema.safeParse(web).success).to.equal(true);
    const pair = keyPairFromLabel('web-libs-officer');
    const signed = signPayload(web, { subject: 'o', publicKey: pair.publicKey, keyId: pair.keyId, secretKey: pair.secretKey });
    expect(signed.keyId).to.equal(pair.keyId);
    expect(verifySignoff(signed.signoff, signed.signature, pair.publicKey)).to.equal(true);
    expect(verifySignoff({ ...signed.signoff, fineVnd: 18_000_001 }, signed.signature, pair.publicKey)).to.equal(false);
  });

  it('a violation record equals the server builder output, carries the explanation verbatim or none, and its browser signature verifies', () => {
    const input = { plate: '30A-123.45', violationCode: '168.6.9.b', signedAt: SIGNED_AT, recordId: 'BB-0191f2b4', offender: { kind: 'organisation' as const, ref: 'own-0001' } };
    const server = { caseId: BASIS.caseId, caseRevision: 3, evidence: DIGESTS, ...input };
    const none = buildRecord({ basis: BASIS, ...input, explanation: '' });
    expect(none).to.deep.equal(buildRecordSignoff(server as Parameters<typeof buildRecordSignoff>[0]));
    expect(none).to.not.have.property('explanation');
    const statement = ' Người thân của chủ xe điều khiển phương tiện hôm đó. ';
    const explained = buildRecord({ basis: BASIS, ...input, explanation: statement });
    expect(explained).to.deep.equal(buildRecordSignoff({ ...server, explanation: statement } as Parameters<typeof buildRecordSignoff>[0]));
    expect(RecordSignoffSchema.safeParse(explained).success).to.equal(true);
    expect(explained.explanation, 'verbatim, not trimmed').to.equal(statement);
    const pair = keyPairFromLabel('web-libs-officer');
    const signed = signPayload(explained, { subject: 'o', publicKey: pair.publicKey, keyId: pair.keyId, secretKey: pair.secretKey });
    expect(verifySignoff(signed.signoff, signed.signature, pair.publicKey)).to.equal(true);
  });

  it('imports a tec keygen key file and refuses tampered or malformed ones', () => {
    const file = newKeyFile('officer-01-0001', new Uint8Array(randomBytes(32)));
    const parsed = parseKeyFile(JSON.stringify(file));
    expect(parsed.subject).to.equal('officer-01-0001');
    expect(parsed.keyId).to.equal(file.keyId);
    expect(parsed.publicKey).to.equal(file.publicKey);
    const other = newKeyFile('officer-01-0001');
    for (const bad of [
      JSON.stringify({ ...file, publicKey: other.publicKey }),
      JSON.stringify({ ...file, keyId: other.keyId }),
      JSON.stringify({ ...file, seed: 'AAAA' }),
      JSON.stringify({ ...file, kind: 'pem' }),
      '{"subject": 1}',
      'not json',
    ]) {
      expect(() => parseKeyFile(bad), bad).to.throw(KeyFileError);
    }
  });

  it('reads a development token and refuses expired or malformed ones', async () => {
    const issuer = new DevIssuer(new Uint8Array(randomBytes(32)), 'tec-dev-issuer', 'tec-api');
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.mint({ subject: 'officer-01-reviewer', role: 'officer', province: '01' }, now);
    expect(parseToken(`  ${token}\n`)).to.include({ subject: 'officer-01-reviewer', role: 'officer', province: '01' });
    expect(parseToken(token, (now + 901) * 1000)).to.equal(undefined);
    expect(parseToken('a.b.c')).to.equal(undefined);
    expect(parseToken('<script>.x.y')).to.equal(undefined);
  });

  it('SLA badges: on time, notice due soon, notice overdue, limitation approaching and passed', () => {
    const observed = '2026-01-10T03:00:00.000Z';
    const at = (days: number) => Date.parse(observed) + days * 86_400_000;
    expect(slaBadges(observed, at(1))).to.deep.equal(['slaOk']);
    expect(slaBadges(observed, at(8))).to.deep.equal(['slaNoticeDue']);
    expect(slaBadges(observed, at(11))).to.deep.equal(['slaNoticeOverdue']);
    expect(slaBadges(observed, at(340))).to.deep.equal(['slaLimitation', 'slaNoticeOverdue']);
    expect(slaBadges(observed, at(366))).to.deep.equal(['slaLimitationPassed', 'slaNoticeOverdue']);
    expect(slaBadges('not a time', at(1))).to.deep.equal([]);
  });

  it("the server's SLA flags give the same badges as the local rule", () => {
    const none = { noticeDueSoon: false, noticeOverdue: false, limitationApproaching: false, limitationPassed: false };
    expect(badgesFromSla(none)).to.deep.equal(['slaOk']);
    expect(badgesFromSla({ ...none, noticeDueSoon: true })).to.deep.equal(['slaNoticeDue']);
    expect(badgesFromSla({ ...none, noticeOverdue: true })).to.deep.equal(['slaNoticeOverdue']);
    expect(badgesFromSla({ ...none, noticeOverdue: true, limitationApproaching: true })).to.deep.equal(['slaLimitation', 'slaNoticeOverdue']);
    expect(badgesFromSla({ ...none, noticeOverdue: true, limitationPassed: true })).to.deep.equal(['slaLimitationPassed', 'slaNoticeOverdue']);
  });

  describe('i18n: values a person reads', () => {
    it('parses a fine typed the Vietnamese or English way, and nothing ambiguous', () => {
      expect(parseVnd('900.000', 'vi')).to.equal(900_000);
      expect(parseVnd('18.000.000 ₫', 'vi')).to.equal(18_000_000);
      expect(parseVnd('900000', 'vi')).to.equal(900_000);
      expect(parseVnd('900,000', 'en')).to.equal(900_000);
      expect(parseVnd('900,000', 'vi')).to.equal(undefined);
      expect(parseVnd('90.00', 'vi')).to.equal(undefined);
      expect(parseVnd('-900', 'vi')).to.equal(undefined);
    });

    it('writes dates with four-digit years in Vietnamese and English', () => {
      expect(formatTime('2026-11-24T03:04:05Z', 'vi')).to.contain('24/11/2026').and.contain('10:04:05');
      expect(formatTime('2026-11-24T03:04:05Z', 'en')).to.contain('24/11/2026');
    });

    it('labels server values and provinces in the language, never as raw keys', () => {
      expect(tValue('status', 'unresolved', 'vi')).to.equal('Chưa xử lý xong');
      expect(tValue('vehicle', 'car', 'vi')).to.equal('Ô tô');
      expect(tValue('road', 'expressway', 'vi')).to.equal('đường cao tốc');
      expect(tValue('role', 'officer', 'vi')).to.equal('Cán bộ');
      expect(tValue('delivery', 'delivered', 'vi')).to.equal('đã nhận');
      expect(tValue('status', 'something-new', 'vi')).to.equal('something-new');
      expect(provinceName('01', 'vi')).to.equal('Hà Nội');
      expect(provinceName('00', 'vi')).to.equal('Toàn quốc');
    });
  });
});
