import { expect } from 'chai';
import fc from 'fast-check';
import { AppError } from '../../../src/domain/shared/errors.ts';
import {
  canonicalize,
  canonicalBytes,
  CanonicalizationError,
  recordHash,
  sha256Hex,
} from '../../../src/domain/integrity/index.ts';

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('integrity: RFC 8785 canonical JSON', () => {
  // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
  const numberVectors: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [bits, text] of numberVectors) {
    it(`formats 0x${bits} as ${text}`, () => {
      expect(canonicalize(fromBits(bits))).to.equal(text);
    });
  }

  it('formats the edge cases named in the design (1e21, 1e-7, -0)', () => {
    expect(canonicalize(1e21)).to.equal('1e+21');
    expect(canonicalize(1e20)).to.equal('100000000000000000000');
    expect(canonicalize(1e-7)).to.equal('1e-7');
    expect(canonicalize(-0)).to.equal('0');
    expect(canonicalize([-0, 0.000001])).to.equal('[0,0.000001]');
  });

  it('rejects NaN and Infinity (Appendix B 0x7fffffffffffffff, 0x7ff0000000000000)', () => {
    expect(() => canonicalize(fromBits('7fffffffffffffff'))).to.throw(CanonicalizationError);
    expect(() => canonicalize(fromBits('7ff0000000000000'))).to.throw(CanonicalizationError);
    expect(() => canonicalize({ a: [1, -Infinity] })).to.throw(CanonicalizationError, /\$\.a\[1\]/);
  });

  it('rejects undefined, functions, symbols, BigInt, Dates, Maps and cycles with a typed error', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const bad of [
      undefined,
      () => 1,
      Symbol('s'),
      1n,
      new Date(0),
      new Map(),
      { x: undefined },
      [1, undefined],
      cyclic,
    ]) {
      let error: unknown;
      try {
        canonicalize(bad);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(CanonicalizationError);
      expect(error).to.be.instanceOf(AppError);
      expect((error as AppError).category).to.equal('validation');
    }
  });

  it('allows shared (non-cyclic) references', () => {
    const shared = { z: 1 };
    expect(canonicalize({ a: shared, b: shared })).to.equal('{"a":{"z":1},"b":{"z":1}}');
  });

  it('rejects lone surrogates and absurd nesting', () => {
    expect(() => canonicalize('\ud800')).to.throw(CanonicalizationError);
    expect(() => canonicalize({ ['\udc00']: 1 })).to.throw(CanonicalizationError);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(() => canonicalize(deep)).to.throw(CanonicalizationError, /too deep/);
  });

  it('reproduces the §3.2.2 example (numbers, escaping, literals)', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        '"literals": [null, true, false]}',
    );
    expect(canonicalize(input)).to.equal(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts properties by UTF-16 code units as in §3.2.3', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
        ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    const values = Object.values(JSON.parse(canonicalize(input)) as Record<string, string>);
    // JSON.parse re-orders integer-like keys; check the raw text order instead.
    const order = [...canonicalize(input).matchAll(/":"([^"]+)"/g)].map((m) => m[1]);
    expect(order).to.deep.equal([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(values).to.have.length(7);
  });

  it('hashes the UTF-8 bytes of the canonical form (§3.2.4 style: "€" is 3 bytes)', () => {
    expect([...canonicalBytes('€')]).to.deep.equal([0x22, 0xe2, 0x82, 0xac, 0x22]);
    expect(recordHash({ b: 1, a: 'x' })).to.equal(sha256Hex('{"a":"x","b":1}'));
  });

  it('is stable under a JSON round-trip and key re-ordering (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalize(value);
        expect(canonicalize(JSON.parse(text))).to.equal(text);
        expect(JSON.parse(text)).to.deep.equal(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
