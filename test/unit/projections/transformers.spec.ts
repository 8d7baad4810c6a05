import { expect } from 'chai';
import fc from 'fast-check';
import { bigintToJson, bigintTransformer, vndTransformer } from '../../../src/projections/read-models/transformers.ts';

describe('read-model column converters', () => {
  it('bigint columns round-trip every 64-bit value exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(bigintTransformer.from(bigintTransformer.to(n))).to.equal(n);
      }),
    );
  });

  it('VND amounts round-trip as safe integers and are refused, not rounded, beyond them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(vndTransformer.from(vndTransformer.to(n))).to.equal(n);
      }),
    );
    expect(() => vndTransformer.from('9007199254740993')).to.throw(RangeError);
    expect(() => vndTransformer.to(1.5)).to.throw(RangeError);
    expect(vndTransformer.from(null)).to.equal(null);
  });

  it('bigints become JSON numbers only when safe', () => {
    expect(bigintToJson(42n)).to.equal(42);
    expect(bigintToJson(2n ** 60n)).to.equal('1152921504606846976');
    expect(bigintToJson(null)).to.equal(null);
  });
});
