import { expect } from 'chai';
import { crc16Ccitt, parseVietQr, vietQrPayload, VietQrError } from '../../../src/domain/documents/vietqr.ts';

describe('documents: VietQR payload (EMVCo, NAPAS)', () => {
  // Published example (github.com/subiz/vietqr README): 120,000 VND to 0011001932418 at BIN 970415.
  const published =
    '00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C';

  it('builds the published example byte for byte', () => {
    expect(
      vietQrPayload({ bankBin: '970415', accountNumber: '0011001932418', amountVnd: 120_000, reference: 'ung ho lu lut' }),
    ).to.equal(published);
  });

  it('computes CRC-16/CCITT-FALSE (check value of "123456789" is 29B1)', () => {
    expect(crc16Ccitt('123456789')).to.equal('29B1');
  });

  it('reads a payload back: bank, account, amount and reference', () => {
    const read = parseVietQr(published);
    expect(read).to.include({ bankBin: '970415', accountNumber: '0011001932418', amountVnd: 120_000, reference: 'ung ho lu lut' });
    expect(read.fields.get('53')).to.equal('704');
    expect(read.fields.get('58')).to.equal('VN');
  });

  it('makes a static QR without an amount', () => {
    const payload = vietQrPayload({ bankBin: '970415', accountNumber: '123' });
    expect(payload.startsWith('000201010211')).to.equal(true);
    expect(parseVietQr(payload).amountVnd).to.equal(undefined);
  });

  it('refuses a payload whose CRC does not match', () => {
    const tampered = published.replace('540612', '540613');
    expect(() => parseVietQr(tampered)).to.throw(VietQrError);
  });

  it('refuses what it cannot encode', () => {
    const ok = { bankBin: '970415', accountNumber: '123' };
    expect(() => vietQrPayload({ ...ok, bankBin: '97041' })).to.throw(VietQrError);
    expect(() => vietQrPayload({ ...ok, accountNumber: '12 3' })).to.throw(VietQrError);
    expect(() => vietQrPayload({ ...ok, amountVnd: 0 })).to.throw(VietQrError);
    expect(() => vietQrPayload({ ...ok, amountVnd: 1.5 })).to.throw(VietQrError);
    expect(() => vietQrPayload({ ...ok, reference: 'Quyết định' })).to.throw(VietQrError);
    expect(() => vietQrPayload({ ...ok, reference: 'x'.repeat(26) })).to.throw(VietQrError);
  });
});
