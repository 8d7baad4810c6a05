import { expect } from 'chai';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { RecordTooLargeError, expected } from '../../../src/ports/eventstore.ts';
import { resolveReappend } from '../../../src/adapters/eventstore/idempotency.ts';
import { chainRecords, prepareEvents, spliceRecord } from '../../../src/adapters/eventstore/record-builder.ts';
import { canonicalize } from '../../../src/domain/integrity/canonical.ts';
import { recordHash } from '../../../src/domain/integrity/hash.ts';
import { GENESIS_PREV, type JsonObject, type NewEvent } from '../../../src/domain/record.ts';
import { AppError, ValidationError } from '../../../src/domain/shared/errors.ts';
import { DuplicateEventIdError } from '../../../src/ports/eventstore.ts';

const meta = { actor: { kind: 'system' as const, id: 'unit' }, province: '01', recordedAt: '2026-11-24T09:00:00.123Z' };
const event = (data: JsonObject = { a: 1 }, type = 'Happened', id = randomUUID()): NewEvent => ({ id, type, data, meta });

const jsonObject = fc.dictionary(
  fc.string(),
  fc.jsonValue({ depthSize: 'small' }).map((v) => JSON.parse(JSON.stringify(v)) as JsonObject[string]),
);

describe('record builder', function () {
  it('splices prev and revision into exactly the canonical text of the whole record', function () {
    fc.assert(
      fc.property(jsonObject, fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.startsWith('$') && !/[\u0000-\u001f\u007f]/.test(s) && !/[\uD800-\uDFFF]/.test(s)), fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }), (data, stream, revision) => {
        let prepared;
        try {
          prepared = prepareEvents(stream, [event(data as JsonObject)], 1 << 24)[0]!;
        } catch (error) {
          // Lone surrogates in keys or strings are refused by the canonicalizer: a typed error, never a bad record.
          expect(error).to.be.instanceOf(AppError);
          return;
        }
        const prev = 'ab'.repeat(32);
        const text = spliceRecord(prepared, prev, revision);
        const record = { v: 1, id: prepared.id, stream, revision: Number(revision), type: 'Happened', data, meta, prev };
        expect(text).to.equal(canonicalize(record));
      }),
      { numRuns: 300 },
    );
  });

  it('chains hashes: prev of each record is the hash of the one before, genesis at 0', function () {
    const prepared = prepareEvents('s-1', [event(), event(), event()], 1 << 20);
    const chain = chainRecords(prepared, 0n, GENESIS_PREV);
    chain.forEach((c, i) => {
      const record = JSON.parse(c.canonical) as { prev: string; revision: number };
      expect(record.revision).to.equal(i);
      expect(record.prev).to.equal(i === 0 ? GENESIS_PREV : chain[i - 1]!.hash);
      expect(recordHash(record)).to.equal(c.hash);
    });
  });

  it('drops undefined optional meta fields but refuses undefined in data', function () {
    const withUndefined = { ...event(), meta: { ...meta, causationId: undefined } } as unknown as NewEvent;
    const [prepared] = prepareEvents('s-1', [withUndefined], 1 << 20);
    expect(prepared!.head).to.not.contain('causationId');
    expect(() => prepareEvents('s-1', [event({ a: undefined } as unknown as JsonObject)], 1 << 20)).to.throw(AppError);
  });

  it('refuses a record above the limit, counting the widest revision', function () {
    const small = prepareEvents('s-1', [event({ x: 'y' })], 1 << 20)[0]!;
    const exact = Buffer.byteLength(spliceRecord(small, GENESIS_PREV, 0n));
    expect(() => prepareEvents('s-1', [event({ x: 'y' })], exact)).to.throw(RecordTooLargeError);
    expect(() => prepareEvents('s-1', [event({ x: 'y' })], exact + 18)).to.not.throw();
  });

  it('refuses hostile names and shapes with ValidationError', function () {
    const bad: [string, NewEvent[]][] = [
      ['', [event()]],
      ['$all', [event()]],
      ['a\nb', [event()]],
      ['x'.repeat(201), [event()]],
      ['s', [event({}, '$>')]],
      ['s', [event({}, 'Bad\u0000Type')]],
      ['s', [{ ...event(), id: randomUUID().toUpperCase() }]],
      ['s', [{ ...event(), meta: { ...meta, recordedAt: '2026-11-24 09:00' } }]],
      ['s', [{ ...event(), meta: { ...meta, province: '' } }]],
      ['s', [{ ...event(), meta: { ...meta, recordedAt: '2026-02-30T09:00:00Z' } }]],
      ['s', [{ ...event(), meta: { ...meta, recordedAt: '2026-11-24T24:00:00Z' } }]],
      ['s', [{ ...event(), data: [] as unknown as JsonObject }]],
    ];
    for (const [stream, events] of bad) {
      expect(() => prepareEvents(stream, events, 1 << 20), `${JSON.stringify(stream)}`).to.throw(ValidationError);
    }
  });
});

describe('idempotent re-append resolution', function () {
  const prepared = prepareEvents('s-1', [event({ a: 1 }), event({ a: 2 })], 1 << 20);
  const chain = chainRecords(prepared, 0n, GENESIS_PREV);
  const rows = chain.map((c, i) => ({ eventId: prepared[i]!.id, stream: 's-1', revision: c.revision, canonical: c.canonical }));

  it('accepts the same events at the positions the expected revision implies', function () {
    expect(resolveReappend('s-1', prepared, expected.noStream, [...rows].reverse()).map((r) => r.revision)).to.deep.equal([0n, 1n]);
    expect(resolveReappend('s-1', prepared, expected.any, rows)).to.have.length(2);
  });

  it('refuses other positions, other streams, other content and partial batches', function () {
    expect(() => resolveReappend('s-1', prepared, expected.exact(3n), rows)).to.throw(DuplicateEventIdError);
    expect(() => resolveReappend('s-2', prepared, expected.any, rows)).to.throw(DuplicateEventIdError);
    expect(() => resolveReappend('s-1', prepared, expected.any, rows.slice(0, 1))).to.throw(DuplicateEventIdError);
    const changed = prepareEvents('s-1', [{ ...event({ a: 9 }), id: prepared[0]!.id }, { ...event({ a: 2 }), id: prepared[1]!.id }], 1 << 20);
    expect(() => resolveReappend('s-1', changed, expected.any, rows)).to.throw(DuplicateEventIdError);
  });
});
