import { expect } from 'chai';
import { v7 as uuidV7 } from 'uuid';
import type { EventStore } from '../../../src/ports/eventstore.ts';
import { fixedClock, type CommandDeps } from '../../../src/commands/deps.ts';
import { CUSTODY_EVENT_TYPE, recordEvidenceAccess } from '../../../src/commands/custody.ts';
import { GENESIS_PREV, streams } from '../../../src/domain/record.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { openTestEventStore, type TestEventStore } from './support/store.ts';

const AT = '2026-04-01T08:30:00.000Z';
const officer = { actor: { kind: 'officer' as const, id: 'off-01-0007' }, province: '01' };
const digest = `sha256:${'ab'.repeat(32)}`;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('custody log (PostgreSQL event store)', () => {
  let env: TestEventStore;
  let store: EventStore;
  let deps: CommandDeps;

  before(async () => {
    env = await openTestEventStore('cmdcust');
    store = env.store;
    deps = { store, clock: fixedClock(AT), ids: () => uuidV7() };
  });
  after(async () => {
    await env?.close();
  });

  it('records who accessed which evidence, when and why', async () => {
    const caseId = uuidV7();
    const { stream, record } = await recordEvidenceAccess(
      deps,
      officer,
      { caseId, digest, access: 'download', purpose: 'Court request 12/2026/TA' },
      { correlationId: 'req-1' },
    );
    expect(stream).to.equal(streams.custody(caseId));
    expect(record.record).to.deep.include({ type: CUSTODY_EVENT_TYPE, revision: 0, prev: GENESIS_PREV });
    expect(record.record.data).to.deep.equal({
      caseId,
      digest,
      access: 'download',
      purpose: 'Court request 12/2026/TA',
      accessedAt: AT,
    });
    expect(record.record.meta).to.deep.equal({
      actor: officer.actor,
      province: '01',
      correlationId: 'req-1',
      recordedAt: AT,
    });
  });

  it('never conflicts: concurrent accesses all land, hash-chained in one stream', async () => {
    const caseId = uuidV7();
    await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        recordEvidenceAccess(deps, officer, { caseId, access: 'view', purpose: `Review screen ${i}` }),
      ),
    );
    const records = await store.readStream(streams.custody(caseId));
    expect(records).to.have.length(15);
    records.forEach((r, i) => {
      expect(r.record.revision).to.equal(i);
      expect(r.record.prev).to.equal(i === 0 ? GENESIS_PREV : records[i - 1]!.hash);
    });
    expect(new Set(records.map((r) => r.record.data.purpose)).size).to.equal(15);
  });

  it('records a retried request once when it carries its own event id', async () => {
    const caseId = uuidV7();
    const eventId = uuidV7();
    const access = { caseId, digest, access: 'view' as const, purpose: 'Review' };
    const first = await recordEvidenceAccess(deps, officer, access, { eventId });
    const second = await recordEvidenceAccess(deps, officer, access, { eventId });
    expect(second.record.hash).to.equal(first.record.hash);
    expect(await store.readStream(streams.custody(caseId))).to.have.length(1);
  });

  it("files a national officer's access under the case's province", async () => {
    const caseId = uuidV7();
    const national = { actor: { kind: 'officer' as const, id: 'off-00-0001' }, province: '00' };
    const { record } = await recordEvidenceAccess(deps, national, { caseId, access: 'export', purpose: 'Court bundle' }, { caseProvince: '79' });
    expect(record.record.meta).to.deep.include({ actor: national.actor, province: '79' });
    const error = await rejection(
      recordEvidenceAccess(deps, national, { caseId, access: 'export', purpose: 'Court bundle' }, { caseProvince: '../x' }),
    );
    expect(error).to.be.instanceOf(ValidationError);
    expect(await store.readStream(streams.custody(caseId))).to.have.length(1);
  });

  const hostile: [string, unknown][] = [
    ['a case id that is not a lowercase UUID', { caseId: '../case-x', access: 'view', purpose: 'Review' }],
    ['an uppercase UUID', { caseId: uuidV7().toUpperCase(), access: 'view', purpose: 'Review' }],
    ['a traversal digest', { caseId: uuidV7(), digest: 'sha256:../../etc/passwd', access: 'view', purpose: 'Review' }],
    ['an unknown access kind', { caseId: uuidV7(), access: 'delete', purpose: 'Review' }],
    ['a purpose with control characters', { caseId: uuidV7(), access: 'view', purpose: 'ok\u0000\u001b[2J' }],
    ['an empty purpose', { caseId: uuidV7(), access: 'view', purpose: '' }],
    ['an overlong purpose', { caseId: uuidV7(), access: 'view', purpose: 'x'.repeat(201) }],
    ['an extra field', { caseId: uuidV7(), access: 'view', purpose: 'Review', actor: 'someone-else' }],
  ];
  for (const [what, input] of hostile) {
    it(`refuses ${what} and writes nothing`, async () => {
      const error = await rejection(recordEvidenceAccess(deps, officer, input as never));
      expect(error).to.be.instanceOf(ValidationError);
      const caseId = (input as { caseId: string }).caseId;
      expect(await rejection(store.readStream(streams.custody(caseId)))).to.have.property('code', 'stream-not-found');
    });
  }
});
