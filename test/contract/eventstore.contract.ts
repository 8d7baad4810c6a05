/**
 * The event store contract: every adapter runs this suite unchanged (see docs/eventstore.md).
 * `open()` gives a store on the adapter's backing service (the same data on every call, so a "restart" is
 * close + open); `openUnreachable()` gives one pointed at something that is not listening.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  DuplicateEventIdError,
  RecordTooLargeError,
  StoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  expected,
  type EventStore,
  type StoredRecord,
} from '../../src/ports/eventstore.ts';
import { canonicalize } from '../../src/domain/integrity/canonical.ts';
import { recordHash } from '../../src/domain/integrity/hash.ts';
import { GENESIS_PREV, type JsonObject, type NewEvent } from '../../src/domain/record.ts';
import { ValidationError } from '../../src/domain/shared/errors.ts';
import { waitFor } from '../support/env.ts';

export interface EventStoreContractFactory {
  open(): Promise<EventStore>;
  openUnreachable(): Promise<EventStore>;
  capabilities?: {
    /** False where the backend has no index by event id (EventStoreDB): an id reused in another stream is not detected. */
    uniqueEventIdsAcrossStreams?: boolean;
  };
}

export function newEvent(type = 'ThingHappened', data: JsonObject = { n: 1 }, id: string = randomUUID()): NewEvent {
  return {
    id,
    type,
    data,
    meta: { actor: { kind: 'system', id: 'contract' }, province: '01', recordedAt: '2026-11-24T09:00:00.123Z' },
  };
}

const freshStream = (prefix = 'contract') => `${prefix}-${randomUUID()}`;

async function expectRejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(type);
    return error as T;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}

/** Everything in the feed after `after`, paging until empty. */
async function drainFeed(store: EventStore, after: string | undefined): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let cursor = after;
  for (;;) {
    const page = await store.readAll(cursor === undefined ? { maxCount: 500 } : { after: cursor, maxCount: 500 });
    if (page.length === 0) return out;
    out.push(...page);
    cursor = page[page.length - 1]!.checkpoint;
  }
}

export function describeEventStoreContract(name: string, factory: EventStoreContractFactory): void {
  describe(`event store contract: ${name}`, function () {
    let store: EventStore;

    before(async function () {
      store = await factory.open();
    });
    after(async function () {
      await store?.close();
    });

    describe('append and read back', function () {
      it('assigns revisions from 0 and chains prev to the previous record hash', async function () {
        const stream = freshStream();
        const first = await store.append(stream, [newEvent('A'), newEvent('B')], expected.noStream);
        const second = await store.append(stream, [newEvent('C')], expected.exact(1n));
        expect(first.nextExpectedRevision).to.equal(1n);
        expect(second.nextExpectedRevision).to.equal(2n);
        expect(first.idempotent).to.equal(false);
        const records = await store.readStream(stream);
        expect(records.map((r) => r.record.type)).to.deep.equal(['A', 'B', 'C']);
        expect(records.map((r) => r.record.revision)).to.deep.equal([0, 1, 2]);
        expect(records[0]!.record.prev).to.equal(GENESIS_PREV);
        expect(records[1]!.record.prev).to.equal(records[0]!.hash);
        expect(records[2]!.record.prev).to.equal(records[1]!.hash);
        expect(records.map((r) => r.hash)).to.deep.equal([...first.records, ...second.records].map((r) => r.hash));
        for (const r of records) expect(r.record.stream).to.equal(stream);
      });

      it('reads back byte-exact: the canonical text re-canonicalizes to itself and hashes to the record hash', async function () {
        const stream = freshStream();
        const data: JsonObject = {
          zebra: 'Hà Nội — đường 1A 🚗',
          alpha: { nested: [1, -0, 1e21, 0.000001, 'tab\there', 'quote"\\', '\u0000\u001f'] },
          '\u00e9': true,
          e: null,
          big: 9007199254740991,
        };
        const event = newEvent('Unicode', data);
        event.meta = { ...event.meta, correlationId: 'c-1', causationId: undefined } as never;
        const { records } = await store.append(stream, [event], expected.any);
        const [read] = await store.readStream(stream);
        for (const r of [records[0]!, read!]) {
          expect(canonicalize(r.record)).to.equal(r.canonical);
          expect(recordHash(r.record)).to.equal(r.hash);
          expect(r.hash).to.match(/^[0-9a-f]{64}$/);
        }
        expect(read!.canonical).to.equal(records[0]!.canonical);
        expect(read!.record.data).to.deep.equal(JSON.parse(canonicalize(data)));
        expect(read!.record.meta).to.not.have.property('causationId');
      });

      it('reads backwards, from a revision, and with a maximum count', async function () {
        const stream = freshStream();
        await store.append(stream, ['0', '1', '2', '3', '4'].map((t) => newEvent(`E${t}`)), expected.noStream);
        const back = await store.readStream(stream, { direction: 'backwards' });
        expect(back.map((r) => r.record.revision)).to.deep.equal([4, 3, 2, 1, 0]);
        const middle = await store.readStream(stream, { direction: 'backwards', fromRevision: 3n, maxCount: 2 });
        expect(middle.map((r) => r.record.revision)).to.deep.equal([3, 2]);
        const forwards = await store.readStream(stream, { fromRevision: 2n, maxCount: 2 });
        expect(forwards.map((r) => r.record.revision)).to.deep.equal([2, 3]);
        expect(await store.readStream(stream, { fromRevision: 9n })).to.deep.equal([]);
      });

      it('throws StreamNotFoundError for a stream without records, in both directions', async function () {
        const stream = freshStream('missing');
        const error = await expectRejection(store.readStream(stream), StreamNotFoundError);
        expect(error.stream).to.equal(stream);
        expect(error.category).to.equal('not_found');
        await expectRejection(store.readStream(stream, { direction: 'backwards' }), StreamNotFoundError);
      });

      it('aggregateStream reads one stream forwards in pages, from a revision, to its end', async function () {
        const stream = freshStream();
        await store.append(stream, ['0', '1', '2', '3', '4'].map((t) => newEvent(`E${t}`)), expected.noStream);
        await store.append(freshStream(), [newEvent('Elsewhere')], expected.noStream);
        const pagesOf = async (options?: { fromRevision?: bigint; pageSize?: number }) => {
          const pages: number[][] = [];
          for await (const page of store.aggregateStream(stream, options)) pages.push(page.map((r) => r.record.revision));
          return pages;
        };
        expect(await pagesOf({ pageSize: 2 })).to.deep.equal([[0, 1], [2, 3], [4]]);
        expect(await pagesOf({ pageSize: 5 })).to.deep.equal([[0, 1, 2, 3, 4]]);
        expect(await pagesOf()).to.deep.equal([[0, 1, 2, 3, 4]]);
        expect(await pagesOf({ fromRevision: 3n, pageSize: 1 })).to.deep.equal([[3], [4]]);
        expect(await pagesOf({ fromRevision: 9n })).to.deep.equal([]);
        const whole: StoredRecord[] = [];
        for await (const page of store.aggregateStream(stream, { pageSize: 3 })) whole.push(...page);
        expect(whole).to.deep.equal(await store.readStream(stream));
      });

      it('aggregateStream throws StreamNotFoundError for a stream without records', async function () {
        const stream = freshStream('missing');
        const drain = async () => {
          for await (const page of store.aggregateStream(stream, { pageSize: 2 })) expect.fail(`unexpected page of ${page.length}`);
        };
        const error = await expectRejection(drain(), StreamNotFoundError);
        expect(error.stream).to.equal(stream);
      });

      it('refuses a record above the size limit with RecordTooLargeError and writes nothing', async function () {
        const stream = freshStream();
        const event = newEvent('Huge', { blob: 'x'.repeat(1024 * 1024 + 1) });
        const error = await expectRejection(store.append(stream, [event], expected.any), RecordTooLargeError);
        expect(error.eventId).to.equal(event.id);
        expect(error.category).to.equal('too_large');
        await expectRejection(store.readStream(stream), StreamNotFoundError);
      });

      it('refuses malformed input with a typed validation error', async function () {
        const stream = freshStream();
        await expectRejection(store.append(stream, [], expected.any), ValidationError);
        await expectRejection(store.append(stream, [newEvent('A', {}, 'NOT-A-UUID')], expected.any), ValidationError);
        const id = randomUUID();
        await expectRejection(store.append(stream, [newEvent('A', {}, id), newEvent('B', {}, id)], expected.any), ValidationError);
        await expectRejection(store.append('$system', [newEvent()], expected.any), ValidationError);
        await expectRejection(store.readAll({ after: 'not a checkpoint' }), ValidationError);
        await expectRejection(store.append(stream, [newEvent()], expected.exact(-1n)), ValidationError);
        await expectRejection(store.readStream(stream, { fromRevision: 2n ** 63n }), ValidationError);
        await expectRejection(store.readStream(stream), StreamNotFoundError);
      });
    });

    describe('expected revision', function () {
      it('no_stream fails on an existing stream, reporting the actual revision', async function () {
        const stream = freshStream();
        await store.append(stream, [newEvent(), newEvent()], expected.noStream);
        const error = await expectRejection(store.append(stream, [newEvent()], expected.noStream), WrongExpectedRevisionError);
        expect(error.actualRevision).to.equal(1n);
        expect(error.category).to.equal('precondition');
      });

      it('exact fails when stale or ahead; stream_exists fails on a missing stream with actual −1', async function () {
        const stream = freshStream();
        const stale = await expectRejection(store.append(stream, [newEvent()], expected.exact(0n)), WrongExpectedRevisionError);
        expect(stale.actualRevision).to.equal(-1n);
        const missing = await expectRejection(store.append(stream, [newEvent()], expected.streamExists), WrongExpectedRevisionError);
        expect(missing.actualRevision).to.equal(-1n);
        await store.append(stream, [newEvent(), newEvent(), newEvent()], expected.noStream);
        const behind = await expectRejection(store.append(stream, [newEvent()], expected.exact(1n)), WrongExpectedRevisionError);
        expect(behind.actualRevision).to.equal(2n);
        const ahead = await expectRejection(store.append(stream, [newEvent()], expected.exact(7n)), WrongExpectedRevisionError);
        expect(ahead.actualRevision).to.equal(2n);
        expect((await store.append(stream, [newEvent()], expected.streamExists)).nextExpectedRevision).to.equal(3n);
        expect((await store.append(stream, [newEvent()], expected.any)).nextExpectedRevision).to.equal(4n);
        expect((await store.readStream(stream)).length).to.equal(5);
      });

      it('two writers racing on one stream: exactly one wins, every time', async function () {
        for (let round = 0; round < 10; round++) {
          const stream = freshStream('race');
          await store.append(stream, [newEvent('Opened')], expected.noStream);
          const results = await Promise.allSettled([
            store.append(stream, [newEvent('Left')], expected.exact(0n)),
            store.append(stream, [newEvent('Right')], expected.exact(0n)),
          ]);
          const won = results.filter((r) => r.status === 'fulfilled');
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(won, `round ${round}`).to.have.length(1);
          expect(lost[0]!.reason).to.be.instanceOf(WrongExpectedRevisionError);
          expect((lost[0]!.reason as WrongExpectedRevisionError).actualRevision).to.equal(1n);
          const records = await store.readStream(stream);
          expect(records).to.have.length(2);
          expect(records[1]!.record.prev).to.equal(records[0]!.hash);
        }
      });

      it('many writers appending with any to one stream keep one unbroken chain', async function () {
        const stream = freshStream('any');
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(stream, [newEvent(`W${i}`)], expected.any)));
        const records = await store.readStream(stream);
        expect(records.map((r) => r.record.revision)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
        records.forEach((r, i) => expect(r.record.prev).to.equal(i === 0 ? GENESIS_PREV : records[i - 1]!.hash));
      });
    });

    describe('idempotent re-append', function () {
      it('re-appending the same ids at the same positions writes nothing and returns the stored records', async function () {
        const stream = freshStream();
        const events = [newEvent('A', { k: 1 }), newEvent('B', { k: 2 })];
        const head = await store.headCheckpoint();
        const first = await store.append(stream, events, expected.noStream);
        const again = await store.append(stream, events, expected.noStream);
        expect(again.idempotent).to.equal(true);
        expect(again.nextExpectedRevision).to.equal(1n);
        expect(again.records.map((r) => r.hash)).to.deep.equal(first.records.map((r) => r.hash));
        expect(again.records.map((r) => r.canonical)).to.deep.equal(first.records.map((r) => r.canonical));
        const withAny = await store.append(stream, events, expected.any);
        expect(withAny.idempotent).to.equal(true);
        const later = newEvent('C');
        await store.append(stream, [later], expected.exact(1n));
        expect((await store.append(stream, [later], expected.exact(1n))).idempotent).to.equal(true);
        expect(await store.readStream(stream)).to.have.length(3);
        const feed = await waitFor(async () => {
          const page = (await drainFeed(store, head)).filter((r) => r.record.stream === stream);
          return page.length >= 3 && page;
        }, { what: 'the three records in the feed' });
        expect(feed).to.have.length(3);
      });

      it('the same id with different content, in another stream, at other positions or partly new is refused', async function () {
        const stream = freshStream();
        const event = newEvent('A', { k: 1 });
        await store.append(stream, [event], expected.noStream);
        const changed = { ...event, data: { k: 2 } };
        const e1 = await expectRejection(store.append(stream, [changed], expected.noStream), DuplicateEventIdError);
        expect(e1.eventId).to.equal(event.id);
        expect(e1.category).to.equal('conflict');
        if (factory.capabilities?.uniqueEventIdsAcrossStreams !== false) {
          await expectRejection(store.append(freshStream(), [event], expected.any), DuplicateEventIdError);
        }
        await store.append(stream, [newEvent('B')], expected.exact(0n));
        await expectRejection(store.append(stream, [event], expected.exact(1n)), DuplicateEventIdError);
        await expectRejection(store.append(stream, [event, newEvent('New')], expected.noStream), DuplicateEventIdError);
        expect(await store.readStream(stream)).to.have.length(2);
      });
    });

    describe('global feed', function () {
      it('has no gaps, duplicates or reordering under concurrent appenders while a reader tails it', async function () {
        const start = await store.headCheckpoint();
        const writers = 16;
        const appendsPerWriter = 15;
        const shared = freshStream('shared');
        const streams = Array.from({ length: writers }, (_, i) => freshStream(`feed${i}`));
        const appended = new Set<string>();
        const delivered: StoredRecord[] = [];
        let writing = true;
        const tail = (async () => {
          let cursor = start;
          while (writing || delivered.filter((r) => appended.has(r.record.id)).length < appended.size) {
            const page = await store.readAll(cursor === undefined ? { maxCount: 100 } : { after: cursor, maxCount: 100 });
            delivered.push(...page);
            if (page.length > 0) cursor = page[page.length - 1]!.checkpoint;
            else await new Promise((r) => setImmediate(r));
          }
        })();
        await Promise.all(
          streams.map(async (stream, w) => {
            for (let i = 0; i < appendsPerWriter; i++) {
              const own = await store.append(stream, [newEvent('Tick', { w, i }), newEvent('Tock', { w, i })], expected.any);
              const mixed = await store.append(shared, [newEvent('Shared', { w, i })], expected.any);
              for (const r of [...own.records, ...mixed.records]) appended.add(r.record.id);
            }
          }),
        );
        writing = false;
        await tail;
        const ours = delivered.filter((r) => appended.has(r.record.id));
        expect(ours).to.have.length(writers * appendsPerWriter * 3);
        expect(new Set(delivered.map((r) => r.record.id)).size).to.equal(delivered.length);
        // What the tailer saw piecemeal is exactly what a reader sees now in one pass: nothing appeared
        // behind a checkpoint it had already passed.
        const now = await drainFeed(store, start);
        expect(now.map((r) => r.record.id).slice(0, delivered.length)).to.deep.equal(delivered.map((r) => r.record.id));
        expect(now.map((r) => r.checkpoint).slice(0, delivered.length)).to.deep.equal(delivered.map((r) => r.checkpoint));
        // Within each stream the feed follows revision order.
        const lastRevision = new Map<string, number>();
        for (const r of ours) {
          const previous = lastRevision.get(r.record.stream) ?? -1;
          expect(r.record.revision).to.equal(previous + 1);
          lastRevision.set(r.record.stream, r.record.revision);
        }
      });

      it('headCheckpoint names the last record of the feed and readAll(after: head) is empty', async function () {
        const stream = freshStream();
        const { records } = await store.append(stream, [newEvent()], expected.noStream);
        const head = await waitFor(async () => {
          const h = await store.headCheckpoint();
          const last = (await drainFeed(store, undefined)).pop();
          return h !== undefined && last?.record.id === records[0]!.record.id && h === last.checkpoint && h;
        }, { what: 'head checkpoint at the appended record' });
        expect(head).to.equal(records[0]!.checkpoint);
        expect(await store.readAll({ after: head })).to.deep.equal([]);
      });
    });

    describe('subscriptions', function () {
      it('catch up then go live, and resume after a restart without loss or duplication', async function () {
        const start = await store.headCheckpoint();
        const stream = freshStream('sub');
        const before = await store.append(stream, [newEvent('S0'), newEvent('S1')], expected.noStream);
        const seen: StoredRecord[] = [];
        let caughtUp = false;
        const sub = store.subscribeToAll({
          after: start,
          onRecord: async (r) => {
            if (r.record.stream === stream) seen.push(r);
          },
          onCaughtUp: () => {
            caughtUp = true;
          },
        });
        await waitFor(() => caughtUp && seen.length === 2, { what: 'catch-up' });
        const live = await store.append(stream, [newEvent('S2')], expected.exact(1n));
        await waitFor(() => seen.length === 3, { what: 'live delivery' });
        await sub.close();
        await sub.done;
        const resumeAt = seen[seen.length - 1]!.checkpoint;

        // Restart: the store goes away, records are appended meanwhile, a new store resumes from the checkpoint.
        await store.close();
        store = await factory.open();
        const meanwhile = await store.append(stream, [newEvent('S3'), newEvent('S4')], expected.exact(2n));
        const resumed: StoredRecord[] = [];
        const sub2 = store.subscribeToAll({
          after: resumeAt,
          onRecord: async (r) => {
            if (r.record.stream === stream) resumed.push(r);
          },
        });
        await waitFor(() => resumed.length === 2, { what: 'resumed catch-up' });
        const last = await store.append(stream, [newEvent('S5')], expected.exact(4n));
        await waitFor(() => resumed.length === 3, { what: 'resumed live delivery' });
        await sub2.close();
        const all = [...seen, ...resumed].map((r) => r.record.id);
        const appended = [...before.records, ...live.records, ...meanwhile.records, ...last.records].map((r) => r.record.id);
        expect(all).to.deep.equal(appended);
        expect([...seen, ...resumed].map((r) => r.record.revision)).to.deep.equal([0, 1, 2, 3, 4, 5]);
      });

      it('delivers in feed order, one at a time, under concurrent appenders', async function () {
        const start = await store.headCheckpoint();
        const ids = new Set<string>();
        const received: StoredRecord[] = [];
        let running = 0;
        let overlapped = false;
        const sub = store.subscribeToAll({
          after: start,
          onRecord: async (r) => {
            running++;
            if (running > 1) overlapped = true;
            await new Promise((resolve) => setImmediate(resolve));
            received.push(r);
            running--;
          },
        });
        await Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            const stream = freshStream(`live${w}`);
            for (let i = 0; i < 10; i++) {
              const { records } = await store.append(stream, [newEvent('Live', { w, i })], expected.any);
              ids.add(records[0]!.record.id);
            }
          }),
        );
        await waitFor(() => received.filter((r) => ids.has(r.record.id)).length === ids.size, { what: 'all live records' });
        await sub.close();
        expect(overlapped).to.equal(false);
        const feed = await drainFeed(store, start);
        expect(received.map((r) => r.checkpoint)).to.deep.equal(feed.slice(0, received.length).map((r) => r.checkpoint));
      });

      it('a throwing handler ends the subscription: done rejects with its error', async function () {
        const stream = freshStream();
        await store.append(stream, [newEvent()], expected.noStream);
        const sub = store.subscribeToAll({
          onRecord: async () => {
            throw new Error('handler failed');
          },
        });
        try {
          await sub.done;
          expect.fail('done should reject');
        } catch (error) {
          expect((error as Error).message).to.equal('handler failed');
        }
        await sub.close();
      });
    });

    describe('store unavailable', function () {
      it('every operation fails with StoreUnavailableError when the store cannot be reached', async function () {
        const down = await factory.openUnreachable();
        try {
          await expectRejection(down.append(freshStream(), [newEvent()], expected.any), StoreUnavailableError);
          await expectRejection(down.readStream(freshStream()), StoreUnavailableError);
          await expectRejection(down.readAll(), StoreUnavailableError);
          await expectRejection(down.headCheckpoint(), StoreUnavailableError);
          const sub = down.subscribeToAll({ onRecord: async () => undefined });
          await expectRejection(sub.done, StoreUnavailableError);
        } finally {
          await down.close();
        }
      });
    });
  });
}
