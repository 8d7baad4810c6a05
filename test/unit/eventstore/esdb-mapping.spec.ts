import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  EsdbRecordIntegrityError,
  comparePositions,
  formatEsdbCheckpoint,
  fromClientCurrentRevision,
  fromClientExpectedRevision,
  isSystemEvent,
  mapClientError,
  parseEsdbCheckpoint,
  resolvedToStored,
  toClientCurrentRevision,
  toClientExpectedRevision,
} from '../../../src/adapters/eventstore/esdb/mapping.ts';
import { EsdbEventStore } from '../../../src/adapters/eventstore/esdb/esdb-event-store.ts';
import { formatPgCheckpoint, parsePgCheckpoint } from '../../../src/adapters/eventstore/postgres/checkpoint.ts';
import {
  RecordTooLargeError,
  StoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  expected,
} from '../../../src/ports/eventstore.ts';
import { chainRecords, prepareEvents } from '../../../src/adapters/eventstore/record-builder.ts';
import { GENESIS_PREV } from '../../../src/domain/record.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { closedPort } from '../../integration/eventstore/support.ts';
import { ANY, NO_STREAM, STREAM_EXISTS, WrongExpectedVersionError, StreamNotFoundError as ClientStreamNotFoundError, UnavailableError } from '@eventstore/db-client';

describe('EventStoreDB mapping', function () {
  it('maps expected revisions to the client constants and back', function () {
    expect(toClientExpectedRevision(expected.any)).to.equal(ANY);
    expect(toClientExpectedRevision(expected.noStream)).to.equal(NO_STREAM);
    expect(toClientExpectedRevision(expected.streamExists)).to.equal(STREAM_EXISTS);
    expect(toClientExpectedRevision(expected.exact(2n ** 60n))).to.equal(2n ** 60n);
    for (const e of [expected.any, expected.noStream, expected.streamExists, expected.exact(7n)]) {
      expect(fromClientExpectedRevision(toClientExpectedRevision(e))).to.deep.equal(e);
    }
    expect(fromClientCurrentRevision(NO_STREAM)).to.equal(-1n);
    expect(fromClientCurrentRevision(4n)).to.equal(4n);
    expect(toClientCurrentRevision(-1n)).to.equal(NO_STREAM);
    expect(toClientCurrentRevision(4n)).to.equal(4n);
  });

  it('round-trips checkpoints and positions, and refuses malformed ones', function () {
    const position = { commit: 2n ** 63n + 5n, prepare: 2n ** 63n + 3n };
    expect(parseEsdbCheckpoint(formatEsdbCheckpoint(position))).to.deep.equal(position);
    expect(formatEsdbCheckpoint({ commit: 10n, prepare: 9n })).to.equal('10:9');
    for (const bad of ['', '1', '1:', ':1', '-1:2', '1:2:3', ' 1:2', '1:2\n', '99999999999999999999:1', 'a:b']) {
      expect(() => parseEsdbCheckpoint(bad), bad).to.throw(ValidationError);
    }
    expect(comparePositions({ commit: 1n, prepare: 1n }, { commit: 1n, prepare: 2n })).to.equal(-1);
    expect(comparePositions({ commit: 2n, prepare: 0n }, { commit: 1n, prepare: 9n })).to.equal(1);
    expect(parsePgCheckpoint(formatPgCheckpoint({ transactionId: 2n ** 64n - 1n, globalPosition: 7n }))).to.deep.equal({
      transactionId: 2n ** 64n - 1n,
      globalPosition: 7n,
    });
    expect(() => parsePgCheckpoint('1:9223372036854775808')).to.throw(ValidationError);
  });

  it('maps client errors to the port errors', function () {
    const wrong = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 3n });
    const mapped = mapClientError(wrong, { stream: 's', expected: expected.exact(0n) });
    expect(mapped).to.be.instanceOf(WrongExpectedRevisionError);
    expect((mapped as WrongExpectedRevisionError).actualRevision).to.equal(3n);
    const none = mapClientError(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: NO_STREAM }), { stream: 's' });
    expect((none as WrongExpectedRevisionError).actualRevision).to.equal(-1n);
    expect(mapClientError(new ClientStreamNotFoundError(undefined, 's'), { stream: 's' })).to.be.instanceOf(StreamNotFoundError);
    expect(mapClientError(new UnavailableError())).to.be.instanceOf(StoreUnavailableError);
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    expect(mapClientError(grpc)).to.be.instanceOf(StoreUnavailableError);
    expect(mapClientError(new Error('14 UNAVAILABLE: failed to connect'))).to.be.instanceOf(StoreUnavailableError);
    expect(mapClientError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).to.be.instanceOf(StoreUnavailableError);
    expect(mapClientError({ type: 'maximum-append-size-exceeded', maxAppendSize: 100, message: 'x' }, { eventId: 'e' })).to.be.instanceOf(RecordTooLargeError);
    const other = new Error('something else');
    expect(mapClientError(other)).to.equal(other);
  });

  describe('resolved event → StoredRecord', function () {
    const id = randomUUID();
    const meta = { actor: { kind: 'system' as const, id: 'u' }, province: '01', recordedAt: '2026-11-24T09:00:00.000Z' };
    const [prepared] = prepareEvents('case-1', [{ id, type: 'Opened', data: { '10': 'ten', b: 'Hà Nội' }, meta }], 1 << 20);
    const [chained] = chainRecords([prepared!], 0n, GENESIS_PREV);
    const resolved = (overrides: Record<string, unknown> = {}) => ({
      event: {
        streamId: 'case-1',
        id,
        type: 'Opened',
        revision: 0n,
        isJson: true,
        // What the client hands back: JSON.parse of the stored bytes (integer-like keys reordered by JS).
        data: JSON.parse(JSON.stringify(JSON.parse(chained!.canonical))),
        metadata: { hash: chained!.hash },
        position: { commit: 100n, prepare: 90n },
        ...overrides,
      },
    });

    it('recomputes the exact canonical text and keeps the hash and position', function () {
      const stored = resolvedToStored(resolved())!;
      expect(stored.canonical).to.equal(chained!.canonical);
      expect(stored.hash).to.equal(chained!.hash);
      expect(stored.checkpoint).to.equal('100:90');
      expect(stored.record.id).to.equal(id);
    });

    it('skips system events and events without our metadata', function () {
      expect(resolvedToStored(resolved({ streamId: '$stats-1' }))).to.equal(undefined);
      expect(resolvedToStored(resolved({ type: '$metadata' }))).to.equal(undefined);
      expect(resolvedToStored(resolved({ metadata: undefined }))).to.equal(undefined);
      expect(resolvedToStored({})).to.equal(undefined);
      expect(isSystemEvent({ streamId: '$all', type: 'x' })).to.equal(true);
      expect(isSystemEvent({ streamId: 'case-1', type: 'Opened' })).to.equal(false);
    });

    it('refuses data that does not hash to the recorded hash, or sits at another position', function () {
      expect(() => resolvedToStored(resolved({ metadata: { hash: '0'.repeat(64) } }))).to.throw(EsdbRecordIntegrityError);
      expect(() => resolvedToStored(resolved({ revision: 1n }))).to.throw(EsdbRecordIntegrityError);
    });
  });

  it('a store pointed at a closed port fails with StoreUnavailableError', async function () {
    const store = new EsdbEventStore({ connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false&maxDiscoverAttempts=1&discoveryInterval=10` });
    try {
      const meta = { actor: { kind: 'system' as const, id: 'u' }, province: '01', recordedAt: '2026-11-24T09:00:00.000Z' };
      await store.append('s-1', [{ id: randomUUID(), type: 'X', data: {}, meta }], expected.any).then(
        () => expect.fail('append succeeded'),
        (error: unknown) => expect(error, String(error)).to.be.instanceOf(StoreUnavailableError),
      );
      await store.readAll().then(
        () => expect.fail('readAll succeeded'),
        (error: unknown) => expect(error, String(error)).to.be.instanceOf(StoreUnavailableError),
      );
      await store.readStream('s-1').then(
        () => expect.fail('readStream succeeded'),
        (error: unknown) => expect(error, String(error)).to.be.instanceOf(StoreUnavailableError),
      );
      const subscription = store.subscribeToAll({ onRecord: async () => undefined });
      await subscription.done.then(
        () => expect.fail('subscription ended without error'),
        (error: unknown) => expect(error, String(error)).to.be.instanceOf(StoreUnavailableError),
      );
    } finally {
      await store.close();
    }
  });
});
