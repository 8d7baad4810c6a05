import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalize } from '../../../src/domain/integrity/index.ts';
import { scalarFields } from '../../../src/adapters/ledger/verify.ts';

// Data that tries to look like the record's own members: nested prev/meta/id keys and quote-laden strings.
const tricky = fc.oneof(fc.string(), fc.constantFrom('"prev":"', ',"meta":{', ',"id":"', '\\"', '}', 'ü\u2028'));
const data = fc.dictionary(fc.oneof(fc.constantFrom('prev', 'meta', 'id', 'v', 'stream'), fc.string()), fc.oneof(tricky, fc.integer(), fc.dictionary(fc.constantFrom('prev', 'meta', 'id'), tricky)));

describe('ledger verify: scalar fields from the end of a canonical record', () => {
  it('reads exactly what a full parse reads, or declines', () => {
    fc.assert(
      fc.property(
        data,
        fc.uuid().map((u) => u.toLowerCase()),
        fc.oneof(fc.string(), fc.constantFrom('case-1', 'a"b', 'x\\y', 'ô')),
        fc.oneof(fc.string(), fc.constantFrom('NoteAdded', 'q"t')),
        fc.nat({ max: 2 ** 40 }),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        (payload, id, stream, type, revision, prev) => {
          const record = {
            v: 1,
            id,
            stream,
            revision,
            type,
            data: payload,
            meta: { actor: { kind: 'system', id: 'x' }, province: '01', recordedAt: '2026-11-24T09:00:00.000Z' },
            prev,
          };
          const fields = scalarFields(canonicalize(record));
          if (fields === undefined) return;
          expect(fields).to.deep.equal({ v: 1, id, prev, revision, stream, type });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads a plain record without a full parse', () => {
    const id = '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60';
    const text = canonicalize({
      v: 1,
      id,
      stream: `case-${id}`,
      revision: 3,
      type: 'ReviewConfirmed',
      data: { prev: 'x', meta: { id: 'y' } },
      meta: { actor: { kind: 'officer', id: 'o-1' }, province: '01', recordedAt: '2026-11-24T09:00:00.000Z' },
      prev: 'a'.repeat(64),
    });
    expect(scalarFields(text)).to.deep.equal({ v: 1, id, prev: 'a'.repeat(64), revision: 3, stream: `case-${id}`, type: 'ReviewConfirmed' });
  });

  it('declines text of another shape', () => {
    expect(scalarFields('{}')).to.equal(undefined);
    expect(scalarFields('{"prev":"00","revision":-1,"stream":"s","type":"t","v":1}')).to.equal(undefined);
  });
});
