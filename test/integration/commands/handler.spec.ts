import { expect } from 'chai';
import { v7 as uuidV7 } from 'uuid';
import { expected, type AppendResult, type EventStore, type ExpectedRevision } from '../../../src/ports/eventstore.ts';
import type { NewEvent } from '../../../src/domain/record.ts';
import { handleCommand } from '../../../src/commands/handler.ts';
import {
  CommandHandlerError,
  ConcurrentModificationError,
  RevisionMismatchError,
  StoredEventUnreadableError,
  UnwritableEventError,
} from '../../../src/commands/errors.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { CounterNotOpenError, counterDecider, type CounterCommand, type CounterEvent } from './support/counter.ts';
import { openTestEventStore, type TestEventStore } from './support/store.ts';

const officer = { kind: 'officer' as const, id: 'officer-1' };
const NOW = '2026-11-24T09:00:00.000Z';

function open(name: string): CounterCommand {
  return { type: 'Open', name, now: NOW, actor: officer, province: '01' };
}
function add(amount: number, times?: number): CounterCommand {
  return { type: 'Add', amount, ...(times ? { times } : {}), now: NOW, actor: officer, province: '01' };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Runs `interleave` once, just before the first append this store sees: a writer that races deterministically. */
function raceOnce(store: EventStore, interleave: () => Promise<void>): EventStore {
  let raced = false;
  return Object.assign(Object.create(store) as EventStore, {
    async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
      if (!raced) {
        raced = true;
        await interleave();
      }
      return store.append(stream, events, expectedRevision);
    },
  });
}

describe('handleCommand (PostgreSQL event store)', function () {
  let env: TestEventStore;
  let store: EventStore;
  const ids = () => uuidV7();
  const stream = () => `counter-${uuidV7()}`;

  before(async () => {
    env = await openTestEventStore('cmdh');
    store = env.store;
  });
  after(async () => {
    await env?.close();
  });

  it('creates a new stream with no_stream and returns the records, revision and state', async () => {
    const s = stream();
    const result = await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    expect(result.events).to.have.length(1);
    expect(result.events[0]!.record).to.include({ stream: s, revision: 0, type: 'Opened' });
    expect(result.events[0]!.record.data).to.deep.equal({ name: 'a' });
    expect(result.nextExpectedRevision).to.equal(0n);
    expect(result.state).to.deep.equal({ status: 'open', name: 'a', total: 0, adds: 0 });
    expect(result.attempts).to.equal(1);
  });

  it('folds existing history, appends at the folded revision and takes meta from the command', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const result = await handleCommand({
      store,
      stream: s,
      decider: counterDecider(),
      command: { ...add(5, 2), actor: { kind: 'service', id: 'worker-7' }, province: '79', now: '2026-11-24T10:00:00.500Z' },
      ids,
      correlationId: 'corr-1',
      causationId: 'cause-1',
    });
    expect(result.events.map((e) => e.record.revision)).to.deep.equal([1, 2]);
    expect(result.nextExpectedRevision).to.equal(2n);
    expect(result.state).to.deep.include({ total: 10, adds: 2 });
    for (const { record } of result.events) {
      expect(record.meta).to.deep.equal({
        actor: { kind: 'service', id: 'worker-7' },
        province: '79',
        correlationId: 'corr-1',
        causationId: 'cause-1',
        recordedAt: '2026-11-24T10:00:00.500Z',
      });
    }
    const stored = await store.readStream(s);
    expect(stored.map((r) => r.hash)).to.deep.equal([
      stored[0]!.hash,
      ...result.events.map((e) => e.hash),
    ]);
  });

  it('uses event ids supplied by the command, in order', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const chosen = [uuidV7(), uuidV7()];
    const result = await handleCommand({ store, stream: s, decider: counterDecider(), command: add(1, 2), ids, eventIds: chosen });
    expect(result.events.map((e) => e.record.id)).to.deep.equal(chosen);
  });

  it('treats supplied event ids as an idempotency key: a replay decides and appends nothing', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const jobIds = [uuidV7()];
    const first = await handleCommand({ store, stream: s, decider: counterDecider(), command: add(7), ids, eventIds: jobIds });
    expect(first.alreadyApplied).to.equal(false);
    await handleCommand({ store, stream: s, decider: counterDecider(), command: add(1), ids });
    const calls = { decide: 0 };
    const replay = await handleCommand({
      store,
      stream: s,
      decider: counterDecider(calls),
      command: { ...add(7), now: '2026-11-24T12:00:00.000Z' },
      ids,
      eventIds: jobIds,
      expectedRevision: 1n, // the revision the original request saw: a replay still succeeds
    });
    expect(replay).to.deep.include({ alreadyApplied: true, events: [], nextExpectedRevision: 2n });
    expect(calls.decide).to.equal(0);
    expect((await store.readStream(s)).map((r) => r.record.data.amount ?? null)).to.deep.equal([null, 7, 1]);
  });

  it('racing replays of one idempotency key land once', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const jobIds = [uuidV7()];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        handleCommand({
          store,
          stream: s,
          decider: counterDecider(),
          command: { ...add(5), now: `2026-11-24T09:00:0${i}.000Z` },
          ids,
          eventIds: jobIds,
          // Safe or not, a losing replay finds its own ids in the stream and reports the earlier success.
          retry: { safe: i % 2 === 0 },
        }),
      ),
    );
    expect(results.filter((r) => r.events.length === 1)).to.have.length(1);
    expect(results.filter((r) => r.alreadyApplied)).to.have.length(9);
    expect(await store.readStream(s)).to.have.length(2);
  });

  it('refuses to append when fewer event ids are supplied than events decided, writing nothing', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const error = await rejection(
      handleCommand({ store, stream: s, decider: counterDecider(), command: add(1, 3), ids, eventIds: [uuidV7()] }),
    );
    expect(error).to.be.instanceOf(CommandHandlerError);
    expect(await store.readStream(s)).to.have.length(1);
  });

  it('appends nothing when the decider returns no events', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const result = await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    expect(result.events).to.deep.equal([]);
    expect(result.nextExpectedRevision).to.equal(0n);
    expect(await store.readStream(s)).to.have.length(1);
  });

  it('surfaces the domain error and writes nothing', async () => {
    const s = stream();
    const error = await rejection(handleCommand({ store, stream: s, decider: counterDecider(), command: add(1), ids }));
    expect(error).to.be.instanceOf(CounterNotOpenError);
    expect(await rejection(store.readStream(s))).to.have.property('code', 'stream-not-found');
  });

  it('checks the caller’s expected revision before deciding', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const calls = { decide: 0 };
    const error = await rejection(
      handleCommand({ store, stream: s, decider: counterDecider(calls), command: add(1), ids, expectedRevision: 3n }),
    );
    expect(error).to.be.instanceOf(RevisionMismatchError);
    expect(error).to.include({ category: 'precondition', expectedRevision: 3n, actualRevision: 0n });
    expect(calls.decide).to.equal(0);

    const ok = await handleCommand({ store, stream: s, decider: counterDecider(), command: add(1), ids, expectedRevision: 0n });
    expect(ok.nextExpectedRevision).to.equal(1n);
    const fresh = await handleCommand({ store, stream: stream(), decider: counterDecider(), command: open('b'), ids, expectedRevision: -1n });
    expect(fresh.nextExpectedRevision).to.equal(0n);
  });

  it('surfaces a conflict without retrying a command that is not safe to retry', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const racing = raceOnce(store, async () => {
      await handleCommand({ store, stream: s, decider: counterDecider(), command: add(100), ids });
    });
    const calls = { decide: 0 };
    const error = await rejection(handleCommand({ store: racing, stream: s, decider: counterDecider(calls), command: add(1), ids }));
    expect(error).to.be.instanceOf(ConcurrentModificationError);
    expect(error).to.include({ category: 'conflict', attempts: 1 });
    expect(calls.decide).to.equal(1);
    const amounts = (await store.readStream(s)).slice(1).map((r) => r.record.data.amount);
    expect(amounts).to.deep.equal([100]);
  });

  it('reloads and decides again on a conflict when the command is safe to retry', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const racing = raceOnce(store, async () => {
      await handleCommand({ store, stream: s, decider: counterDecider(), command: add(100), ids });
    });
    const result = await handleCommand({
      store: racing,
      stream: s,
      decider: counterDecider(),
      command: add(1),
      ids,
      retry: { safe: true },
    });
    expect(result.attempts).to.equal(2);
    expect(result.state).to.deep.include({ total: 101, adds: 2 });
    expect(result.events.map((e) => e.record.revision)).to.deep.equal([2]);
  });

  it('a safe retry still honours the caller’s If-Match: newer history means the precondition failed', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const racing = raceOnce(store, async () => {
      await handleCommand({ store, stream: s, decider: counterDecider(), command: add(100), ids });
    });
    const error = await rejection(
      handleCommand({ store: racing, stream: s, decider: counterDecider(), command: add(1), ids, expectedRevision: 0n, retry: { safe: true } }),
    );
    expect(error).to.be.instanceOf(RevisionMismatchError);
    expect(error).to.include({ expectedRevision: 0n, actualRevision: 1n });
    expect(await store.readStream(s)).to.have.length(2);
  });

  it('gives up after the bounded number of retries', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    // Every append this store sees is preceded by a competing append: the command can never land.
    const alwaysRacing = Object.assign(Object.create(store) as EventStore, {
      async append(name: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
        await handleCommand({ store, stream: s, decider: counterDecider(), command: add(100), ids });
        return store.append(name, events, expectedRevision);
      },
    });
    const calls = { decide: 0 };
    const error = await rejection(
      handleCommand({ store: alwaysRacing, stream: s, decider: counterDecider(calls), command: add(1), ids, retry: { safe: true, maxRetries: 2 } }),
    );
    expect(error).to.be.instanceOf(ConcurrentModificationError);
    expect(error).to.include({ attempts: 3 });
    expect(calls.decide).to.equal(3);
    const amounts = (await store.readStream(s)).slice(1).map((r) => r.record.data.amount);
    expect(amounts).to.deep.equal([100, 100, 100]);
  });

  it('under a real race, every safe-to-retry command lands exactly once', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    const n = 12;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        handleCommand({ store, stream: s, decider: counterDecider(), command: add(i + 1), ids, retry: { safe: true, maxRetries: 50 } }),
      ),
    );
    const records = await store.readStream(s);
    expect(records).to.have.length(n + 1);
    const amounts = records.slice(1).map((r) => r.record.data.amount as number).sort((a, b) => a - b);
    expect(amounts).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
    expect(results.every((r) => r.events.length === 1)).to.equal(true);
  });

  it('an idempotent create raced by many callers yields exactly one event', async () => {
    const s = stream();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        handleCommand({ store, stream: s, decider: counterDecider(), command: open('same'), ids, retry: { safe: true } }),
      ),
    );
    const records = await store.readStream(s);
    expect(records.map((r) => r.record.type)).to.deep.equal(['Opened']);
    expect(results.filter((r) => r.events.length === 1)).to.have.length(1);
    expect(results.every((r) => r.state.status === 'open' && r.nextExpectedRevision === 0n)).to.equal(true);
  });

  it('reports stored history that no longer parses as an internal error, not as bad input', async () => {
    const s = stream();
    const meta = { actor: officer, province: '01', recordedAt: NOW };
    await store.append(s, [{ id: uuidV7(), type: 'Renamed', data: { to: 'b' }, meta }], expected.noStream);
    const strict = (event: { type: string; data: unknown }) => {
      if (event.type !== 'Opened' && event.type !== 'Added') throw new ValidationError('Unknown counter event');
      return event as CounterEvent;
    };
    const error = await rejection(
      handleCommand({ store, stream: s, decider: counterDecider(), command: add(1), ids, parseEvent: strict }),
    );
    expect(error).to.be.instanceOf(StoredEventUnreadableError);
    expect(error).to.include({ category: 'internal', stream: s, eventType: 'Renamed' });
    expect((error as Error).cause).to.be.instanceOf(ValidationError);
  });

  it('refuses to append an event its own schema refuses (UnwritableEventError), and writes nothing', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('a'), ids });
    // A schema that refuses amounts above 5: the decider's Added {amount: 7} must never reach the store.
    const strict = (event: { type: string; data: unknown }): CounterEvent => {
      if (event.type === 'Added' && (event.data as { amount: number }).amount > 5) throw new ValidationError('amount too large');
      return event as CounterEvent;
    };
    const error = await rejection(handleCommand({ store, stream: s, decider: counterDecider(), command: add(7), ids, parseEvent: strict }));
    expect(error).to.be.instanceOf(UnwritableEventError);
    expect(error).to.include({ category: 'internal', stream: s, eventType: 'Added' });
    expect((error as Error).cause).to.be.instanceOf(ValidationError);
    expect((await store.readStream(s)).map((r) => r.record.type)).to.deep.equal(['Opened']);
  });

  it('folds a stream longer than one read page before deciding', async () => {
    const s = stream();
    await handleCommand({ store, stream: s, decider: counterDecider(), command: open('long'), ids });
    const meta = { actor: officer, province: '01', recordedAt: NOW };
    const bulk = Array.from({ length: 2 * 1000 + 150 }, () => ({ id: uuidV7(), type: 'Added', data: { amount: 1 }, meta }));
    await store.append(s, bulk, expected.exact(0n));
    const result = await handleCommand({ store, stream: s, decider: counterDecider(), command: add(1), ids });
    expect(result.events.map((e) => e.record.revision)).to.deep.equal([bulk.length + 1]);
    expect(result.state).to.deep.include({ total: bulk.length + 1, adds: bulk.length + 1 });
  });
});
