import { expect } from 'chai';
import fc from 'fast-check';
import {
  InvalidPlateError,
  PLATE_ALPHABET,
  SERIES_LETTERS,
  fixPlateOcrConfusions,
  normalizePlate,
  parsePlate,
  printedRows,
  type InvalidPlateReason,
  type VehicleKind,
} from '../../../src/domain/plates/index.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { NATIONAL, PROVINCES, provinceForPlateCode } from '../../../src/domain/provinces/index.ts';
import { plateClassMask } from '../../../src/workers/inference/recognition.ts';

function refusal(input: string, hint?: VehicleKind): InvalidPlateError {
  try {
    parsePlate(input, hint);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidPlateError);
    return error as InvalidPlateError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('plates', () => {
  describe('parsePlate: valid plates', () => {
    it('parses a car plate into its parts and the issuing province', () => {
      expect(parsePlate('30A-123.45')).to.deep.equal({
        text: '30A-123.45',
        compact: '30A12345',
        kind: 'car',
        localityCode: '30',
        series: 'A',
        serial: '12345',
        provinceCode: '01',
      });
    });

    it('parses an old 4-digit car plate', () => {
      const plate = parsePlate('30A-1234');
      expect(plate).to.include({ text: '30A-1234', compact: '30A1234', kind: 'car', serial: '1234' });
    });

    it('parses a two-letter motorbike plate (TT 24/2023)', () => {
      expect(parsePlate('29-HA 002.33')).to.deep.equal({
        text: '29-HA 002.33',
        compact: '29HA00233',
        kind: 'motorbike',
        localityCode: '29',
        series: 'HA',
        serial: '00233',
        provinceCode: '01',
      });
    });

    it('parses a letter+digit motorbike plate, 5 and 4 digits', () => {
      expect(parsePlate('29-B1 123.45')).to.include({
        text: '29-B1 123.45',
        compact: '29B112345',
        kind: 'motorbike',
        series: 'B1',
      });
      expect(parsePlate('29-B1 1234')).to.include({
        text: '29-B1 1234',
        compact: '29B11234',
        kind: 'motorbike',
        serial: '1234',
      });
    });

    it('maps merged-province plate codes to the new province', () => {
      expect(parsePlate('61A-123.45').provinceCode).to.equal('79'); // Bình Dương → TP. Hồ Chí Minh
      expect(parsePlate('34A-123.45').provinceCode).to.equal('31'); // Hải Dương → Hải Phòng
      expect(parsePlate('63A-123.45').provinceCode).to.equal('82'); // Tiền Giang → Đồng Tháp
      expect(parsePlate('75A-123.45').provinceCode).to.equal('46'); // plate 75 is Huế, not Đồng Nai (admin 75)
    });

    it('recognises special series', () => {
      expect(parsePlate('51LD-123.45')).to.include({
        kind: 'car',
        series: 'LD',
        special: 'LD',
        text: '51LD-123.45',
      });
      expect(parsePlate('29KT-123.45')).to.include({ special: 'KT', kind: 'car' });
      expect(parsePlate('30DA-123.45')).to.include({ special: 'DA' });
      expect(parsePlate('29CD-123.45')).to.include({ special: 'CD' });
      expect(parsePlate('29R-123.45')).to.include({ special: 'R', kind: 'car', text: '29R-123.45' });
      expect(parsePlate('29NG-123.45')).to.include({ special: 'NG' });
      expect(parsePlate('29QT-123.45')).to.include({ special: 'QT' });
      expect(parsePlate('29NN-123.45')).to.include({ special: 'NN' });
      expect(parsePlate('29-NG 123.45', 'motorbike')).to.include({
        special: 'NG',
        kind: 'motorbike',
        text: '29-NG 123.45',
      });
    });

    it('recognises electric motorbike plates written with Đ or D', () => {
      const expected = {
        text: '29-MĐ1 123.45',
        compact: '29MD112345',
        series: 'MĐ1',
        special: 'MĐ',
        kind: 'motorbike',
      };
      expect(parsePlate('29MĐ1-123.45')).to.include(expected);
      expect(parsePlate('29-mđ1 123.45')).to.include(expected);
      expect(parsePlate('29MD112345')).to.include(expected);
    });

    it('accepts locality code 80 (central agencies, registered by C08) as the national issuer', () => {
      expect(parsePlate('80A-123.45')).to.deep.equal({
        text: '80A-123.45',
        compact: '80A12345',
        kind: 'car',
        localityCode: '80',
        series: 'A',
        serial: '12345',
        provinceCode: NATIONAL,
      });
      expect(parsePlate('80B-012.34').provinceCode).to.equal(NATIONAL);
      expect(parsePlate('80NG-123.45')).to.include({ special: 'NG', provinceCode: NATIONAL });
    });

    it('parses semi-trailer RM plates and trailer R plates', () => {
      expect(parsePlate('51RM-012.34')).to.deep.equal({
        text: '51RM-012.34',
        compact: '51RM01234',
        kind: 'car',
        localityCode: '51',
        series: 'RM',
        serial: '01234',
        provinceCode: provinceForPlateCode('51')!.code,
        special: 'RM',
      });
      expect(parsePlate('51 rm 01234')).to.include({ text: '51RM-012.34' });
      expect(parsePlate('51R-012.34')).to.include({ special: 'R', series: 'R' });
    });

    it('parses the foreign layout: locality, country number, NG/QT/CV/NN, order number', () => {
      expect(parsePlate('41-291-NG-01')).to.deep.equal({
        text: '41-291-NG-01',
        compact: '41291NG01',
        kind: 'car',
        localityCode: '41',
        series: 'NG',
        serial: '01',
        provinceCode: provinceForPlateCode('41')!.code,
        special: 'NG',
        country: '291',
      });
      for (const series of ['QT', 'CV', 'NN'])
        expect(parsePlate(`80 011 ${series} 123`)).to.include({
          text: `80-011-${series}-123`,
          special: series,
          provinceCode: NATIONAL,
        });
      expect(parsePlate('41291NG01', 'motorbike').kind).to.equal('motorbike');
    });

    it('parses temporary registration plates with a leading T', () => {
      expect(parsePlate('T30-123.45')).to.deep.equal({
        text: 'T30-123.45',
        compact: 'T3012345',
        kind: 'car',
        localityCode: '30',
        series: 'T',
        serial: '12345',
        provinceCode: '01',
        special: 'T',
      });
      expect(parsePlate('t 30 a 12345')).to.include({ text: 'T30A-123.45', series: 'TA', special: 'T' });
    });

    it('the recognition alphabet reads every series letter the rules allow, R, Q and Đ included', () => {
      for (const ch of `${SERIES_LETTERS}RQĐ0123456789-.`) expect(PLATE_ALPHABET).to.include(ch);
      const mask = plateClassMask(['R', 'Ｑ', 'Đ', 'I', 'O', 'W', '中'], PLATE_ALPHABET);
      expect(mask.characters).to.deep.equal(['', 'R', 'Q', 'Đ']);
    });

    it('special plates round-trip text → compact → parse (property)', () => {
      const localities = [...PROVINCES.flatMap((p) => p.plateCodes), '80'];
      const serial5 = fc.integer({ min: 1, max: 99999 }).map((n) => String(n).padStart(5, '0'));
      const input = fc.oneof(
        fc
          .tuple(
            fc.constantFrom(...localities),
            fc.constantFrom('RM', 'R', 'KT', 'LD', 'DA', 'CD', 'NG', 'QT', 'NN', 'CV'),
            serial5,
          )
          .map(([l, s, n]) => `${l}${s}-${n.slice(0, 3)}.${n.slice(3)}`),
        fc
          .tuple(
            fc.constantFrom(...localities),
            fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')),
            fc.constantFrom('NG', 'QT', 'CV', 'NN'),
            fc.integer({ min: 1, max: 99 }).map((n) => String(n).padStart(2, '0')),
          )
          .map(([l, c, s, n]) => `${l}-${c}-${s}-${n}`),
        fc
          .tuple(fc.constantFrom(...localities), fc.constantFrom('', ...SERIES_LETTERS.split('')), serial5)
          .map(([l, s, n]) => `T${l}${s}-${n.slice(0, 3)}.${n.slice(3)}`),
      );
      fc.assert(
        fc.property(input, (text) => {
          const plate = parsePlate(text);
          expect(plate.text).to.equal(text);
          expect(plate.special).to.be.a('string');
          expect(parsePlate(plate.compact, plate.kind)).to.deep.equal(plate);
          expect(plate.compact).to.match(/^[0-9A-Z]+$/);
          for (const ch of plate.compact) expect(PLATE_ALPHABET).to.include(ch);
        }),
        { numRuns: 500 },
      );
    });

    it('has no special field on ordinary plates', () => {
      expect(parsePlate('30A-123.45')).to.not.have.property('special');
    });
  });

  describe('printedRows', () => {
    it('gives one row for a car and the two printed rows for a motorbike, in every layout', () => {
      expect(printedRows(parsePlate('30A-123.45', 'car'))).to.deep.equal(['30A-123.45']);
      expect(printedRows(parsePlate('29-HA 002.33', 'motorbike'))).to.deep.equal(['29-HA', '002.33']);
      expect(printedRows(parsePlate('29-MĐ1 123.45', 'motorbike'))).to.deep.equal(['29-MĐ1', '123.45']);
      expect(printedRows(parsePlate('T30A-123.45', 'motorbike'))).to.deep.equal(['T30A', '123.45']);
      expect(printedRows(parsePlate('T30-1234', 'motorbike'))).to.deep.equal(['T30', '1234']);
      expect(printedRows(parsePlate('41-291-NG-01', 'motorbike'))).to.deep.equal(['41-291', 'NG-01']);
      expect(printedRows(parsePlate('41-291-NG-01', 'car'))).to.deep.equal(['41-291-NG-01']);
    });
  });

  describe('parsePlate: normalisation', () => {
    const spellings = [
      '30A-123.45',
      '30a-123.45',
      '30A12345',
      '30 A 123 45',
      '30A 12345',
      ' 30A-12345 ',
      '30A–123·45',
      '30A_123.45',
    ];
    for (const spelling of spellings) {
      it(`reads ${JSON.stringify(spelling)} as 30A12345`, () => {
        expect(normalizePlate(spelling)).to.equal('30A12345');
        expect(parsePlate(spelling).text).to.equal('30A-123.45');
      });
    }

    it('folds full-width characters', () => {
      expect(parsePlate('３０Ａ－１２３．４５').compact).to.equal('30A12345');
      expect(parsePlate('２９－ｈａ　００２．３３').text).to.equal('29-HA 002.33');
    });

    it('uses separators to settle the letter+digit reading', () => {
      expect(parsePlate('29B1-1234').kind).to.equal('motorbike');
      expect(parsePlate('29B-112.34').kind).to.equal('car');
      // Without separators the 5-digit reading wins; a hint settles it.
      expect(parsePlate('29B11234').kind).to.equal('car');
      expect(parsePlate('29B11234', 'motorbike').text).to.equal('29-B1 1234');
    });

    it('reads a two-letter series as a car when the hint or the layout says so', () => {
      expect(parsePlate('30HA-123.45', 'car').text).to.equal('30HA-123.45');
      expect(parsePlate('30HA-123.45').kind).to.equal('car');
      expect(parsePlate('30-HA 123.45').kind).to.equal('motorbike');
    });

    it('round-trips text → compact → parse for generated plates', () => {
      const localities = PROVINCES.flatMap((p) => p.plateCodes);
      const letter = fc.constantFrom(...SERIES_LETTERS.split(''));
      const serial = fc.integer({ min: 1, max: 99999 }).map((n) => String(n).padStart(5, '0'));
      const plateInput = fc.oneof(
        fc
          .tuple(fc.constantFrom(...localities), letter, serial)
          .map(([l, s, n]) => ({ input: `${l}${s}-${n.slice(0, 3)}.${n.slice(3)}`, kind: 'car' as const })),
        fc
          .tuple(fc.constantFrom(...localities), letter, fc.integer({ min: 1, max: 9 }), serial)
          .map(([l, s, d, n]) => ({
            input: `${l}-${s}${d} ${n.slice(0, 3)}.${n.slice(3)}`,
            kind: 'motorbike' as const,
          })),
        fc.tuple(fc.constantFrom(...localities), letter, letter, serial).map(([l, a, b, n]) => ({
          input: `${l}-${a}${b} ${n.slice(0, 3)}.${n.slice(3)}`,
          kind: 'motorbike' as const,
        })),
      );
      fc.assert(
        fc.property(plateInput, ({ input, kind }) => {
          const plate = parsePlate(input);
          expect(plate.kind).to.equal(kind);
          expect(plate.text).to.equal(input);
          expect(parsePlate(plate.text)).to.deep.equal(plate);
          expect(parsePlate(plate.compact, plate.kind)).to.deep.equal(plate);
          expect(plate.compact).to.match(/^[0-9A-Z]+$/);
          for (const ch of plate.compact) expect(PLATE_ALPHABET).to.include(ch);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('parsePlate: refusals', () => {
    const cases: Array<[string, InvalidPlateReason, VehicleKind?]> = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['-.-', 'empty'],
      ['41-291-AB-01', 'bad-series'], // the foreign layout carries NG, QT, CV or NN only
      ['41-291-NG-00', 'bad-serial'],
      ['T30-000.00', 'bad-serial'],
      ['T30Q-123.45', 'bad-series'],
      ['T13-123.45', 'unknown-locality'],
      ['30-RA 123.45', 'bad-series'], // R only as R or RM
      ['13A-123.45', 'unknown-locality'], // retired code
      ['00A-123.45', 'unknown-locality'],
      ['30I-123.45', 'bad-series'], // I is not one of the 20 letters
      ['30O-123.45', 'bad-series'],
      ['30W-123.45', 'bad-series'],
      ['30-QA 123.45', 'bad-series'],
      ['30ABC-123.45', 'bad-series'],
      ['30A-00000', 'bad-serial'],
      ['30A-0000', 'bad-serial'],
      ['30A-123', 'bad-serial'],
      ['30A-123456', 'bad-serial'],
      ['30A', 'bad-serial'],
      ['30A-123.45', 'bad-series', 'motorbike'],
      ['hello', 'unrecognised-format'],
      ['3A-123.45', 'unrecognised-format'],
      ['A30-123.45', 'unrecognised-format'],
      ['30A-123.45X', 'unrecognised-format'],
      ['30A-123.45; DROP TABLE', 'unrecognised-format'],
      ['30A<script>', 'unrecognised-format'],
      ['30A-123.45'.repeat(10), 'unrecognised-format'],
      ['30Ä-123.45', 'unrecognised-format'],
      ['30ß-123.45', 'unrecognised-format'], // would be "SS" under a whole-string toUpperCase
      ['30ı-123.45', 'unrecognised-format'],
    ];
    for (const [input, reason, hint] of cases) {
      it(`refuses ${JSON.stringify(input.slice(0, 30))}${hint ? ` as a ${hint}` : ''}: ${reason}`, () => {
        const error = refusal(input, hint);
        expect(error.reason).to.equal(reason);
        expect(error).to.be.instanceOf(ValidationError);
        expect(error.category).to.equal('validation');
        expect(error.code).to.equal(`invalid-plate-${reason}`);
      });
    }

    it('refuses non-string input with a typed error', () => {
      expect(refusal(undefined as unknown as string).reason).to.equal('unrecognised-format');
      expect(refusal(12345 as unknown as string).reason).to.equal('unrecognised-format');
    });

    it('never echoes the input in the error', () => {
      const error = refusal('99Q-SECRET');
      expect(error.message).to.not.include('SECRET');
      expect(JSON.stringify(error.details)).to.not.include('SECRET');
    });

    it('never throws anything but InvalidPlateError, whatever the input', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 60 }), (input) => {
          try {
            const plate = parsePlate(input);
            expect(plate.compact).to.match(/^\d{2}[A-Z]{1,2}\d?\d{4,5}$/);
          } catch (error) {
            expect(error).to.be.instanceOf(InvalidPlateError);
          }
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('fixPlateOcrConfusions', () => {
    const cases: Array<[string, string]> = [
      ['3OA-I23.4S', '30A-123.45'], // O→0 in the locality, I→1 and S→5 in the serial
      ['SOA12345', '50A12345'],
      ['308-123.45', '30B-123.45'], // a digit where the series letter must be
      ['302-123.45', '30Z-123.45'],
      ['300-123.45', '30D-123.45'],
      ['29-8I 123.45', '29-B1 123.45'], // I cannot be a series letter → 1
      ['Z9-HA OO2.33', '29-HA 002.33'],
      ['30AI234', '30A1234'], // 7 characters: position 3 is a digit
      ['29MDI12345', '29MD112345'], // 10 characters: position 4 onward are digits
      ['29M0112345', '29MD112345'], // 10 characters: position 3 is a letter
      ['30A-BSZG6', '30A-85266'],
    ];
    for (const [raw, fixed] of cases) {
      it(`turns ${raw} into ${fixed}`, () => {
        expect(fixPlateOcrConfusions(raw)).to.equal(fixed);
      });
    }

    it('leaves a correct plate unchanged, including ambiguous position 3 letters', () => {
      for (const plate of ['30A-123.45', '29-HA 002.33', '29-B1 123.45', '51LD-123.45', '29-SB 123.45']) {
        expect(fixPlateOcrConfusions(plate)).to.equal(plate);
      }
    });

    it('produces a parseable plate from a typical misread', () => {
      expect(parsePlate(fixPlateOcrConfusions('5IG-O12.34')).text).to.equal('51G-012.34');
    });

    it('keeps separators and does not throw on junk', () => {
      expect(fixPlateOcrConfusions('')).to.equal('');
      expect(fixPlateOcrConfusions('--')).to.equal('--');
      expect(() => fixPlateOcrConfusions('x'.repeat(10_000))).to.not.throw();
    });
  });
});
