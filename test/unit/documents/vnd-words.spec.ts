import { expect } from 'chai';
import { formatVnd, numberInWords, vndInWords } from '../../../src/domain/documents/vnd-words.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

describe('documents: amounts in Vietnamese words', () => {
  const cases: [number, string][] = [
    [0, 'không'],
    [5, 'năm'],
    [10, 'mười'],
    [11, 'mười một'],
    [15, 'mười lăm'],
    [21, 'hai mươi mốt'],
    [25, 'hai mươi lăm'],
    [105, 'một trăm linh năm'],
    [115, 'một trăm mười lăm'],
    [800_000, 'tám trăm nghìn'],
    [1_000_000, 'một triệu'],
    [1_005_000, 'một triệu không trăm linh năm nghìn'],
    [1_050_000, 'một triệu không trăm năm mươi nghìn'],
    [1_500_000, 'một triệu năm trăm nghìn'],
    [18_000_000, 'mười tám triệu'],
    [20_500_000, 'hai mươi triệu năm trăm nghìn'],
    [37_500_000, 'ba mươi bảy triệu năm trăm nghìn'],
    [1_000_000_005, 'một tỷ không trăm linh năm'],
    [2_000_000_000_000, 'hai nghìn tỷ'],
    [5_000_000_000_000_000, 'năm triệu tỷ'],
  ];
  for (const [n, words] of cases) {
    it(`${n} reads "${words}"`, () => expect(numberInWords(n)).to.equal(words));
  }

  it('writes an amount as a form does: capitalised, in đồng', () => {
    expect(vndInWords(18_000_000)).to.equal('Mười tám triệu đồng');
    expect(vndInWords(0)).to.equal('Không đồng');
  });

  it('groups digits with dots', () => {
    expect(formatVnd(18_000_000)).to.equal('18.000.000');
    expect(formatVnd(800)).to.equal('800');
    expect(formatVnd(1_234_567_890)).to.equal('1.234.567.890');
  });

  it('refuses fractions, negatives and unsafe integers', () => {
    for (const bad of [1.5, -1, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expect(() => numberInWords(bad)).to.throw(ValidationError);
      expect(() => formatVnd(bad)).to.throw(ValidationError);
    }
  });
});
