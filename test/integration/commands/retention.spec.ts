/**
 * The retention run against the PostgreSQL event store and an encrypted filesystem evidence store, with the
 * clock moved forward: it destroys exactly what the policies say, nothing under a hold (placed, open case,
 * pending appeal), records `EvidenceDestroyed` with policy and legal basis first, then crypto-shreds the blob.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '../../../src/ports/eventstore.ts';
import { FileSystemEvidenceStore } from '../../../src/adapters/evidence/filesystem.ts';
import { FileKeyEncryptionKeys } from '../../../src/adapters/evidence/kek-file.ts';
import { closeCase, ingestDetection, rejectReview } from '../../../src/commands/cases.ts';
import { caseRetentionFacts, executeRetentionCommand, liftLegalHold, placeLegalHold, runRetention } from '../../../src/commands/retention.ts';
import { streams } from '../../../src/domain/record.ts';
import {
  DEFAULT_RETENTION_POLICIES,
  destroyedEvidence,
  describeDestroyed,
  EvidenceUnderHoldError,
  type RetentionPolicy,
} from '../../../src/domain/retention/index.ts';
import { buildHoldSignoff, buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { openTestEventStore, type TestEventStore } from './support/store.ts';
import { buildWorld, carViolation, device, signedDetection, type World } from './support/world.ts';

const POLICIES: RetentionPolicy[] = [
  {
    id: 'rejected-detection/2026-01-01',
    category: 'rejected-detection',
    effectiveFrom: '2026-01-01',
    retainDays: 365,
    legalBasis: { instrument: 'test policy', verified: false },
  },
  {
    id: 'closed-case/2026-01-01',
    category: 'closed-case',
    effectiveFrom: '2026-01-01',
    retainDays: 3650,
    legalBasis: { instrument: 'test policy', verified: false },
  },
];

describe('retention run (PostgreSQL event store, encrypted filesystem evidence)', function () {
  let env: TestEventStore;
  let store: EventStore;
  let dir: string;
  let evidence: FileSystemEvidenceStore;
  let world: World;

  before(async () => {
    env = await openTestEventStore('cmdret');
    store = env.store;
    dir = await mkdtemp(join(tmpdir(), 'evidence-retention-'));
    const keys = FileKeyEncryptionKeys.create(join(dir, 'keys', 'kek.key'));
    evidence = await FileSystemEvidenceStore.open(join(dir, 'evidence'), { encryption: keys });
    world = await buildWorld(store);
  });
  after(async () => {
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A detection rejected by the officer; closed when `close` (the case then ends at the clock's time). */
  async function rejectedCase(close: boolean): Promise<{ caseId: string; digests: string[] }> {
    const signed = await signedDetection(world, evidence);
    world.clock.at = '2026-03-10T01:00:05.000Z';
    const { caseId } = await ingestDetection(world.deps, device(world.cameraId), signed);
    world.clock.at = '2026-03-11T02:00:00.000Z';
    const review = signSignoff(
      buildReviewSignoff({
        caseId,
        caseRevision: 0,
        decision: 'reject',
        rejectReason: 'plate-unreadable',
        violationCode: carViolation().code,
        plate: '30A-123.45',
        evidence: signed.refs,
        signedAt: world.clock.at,
      }),
      world.officerKey.secretKey,
    );
    await rejectReview(world.deps, world.officer, { caseId, ...review });
    if (close) {
      world.clock.at = '2026-03-12T00:00:00.000Z';
      await closeCase(world.deps, world.officer, { caseId });
    }
    return { caseId, digests: signed.refs.map((r) => r.digest) };
  }

  const run = (at: string, dryRun = false, caseIds?: string[]) => {
    world.clock.at = at;
    return runRetention({ ...world.deps, evidence }, { policies: POLICIES, dryRun, ...(caseIds ? { caseIds } : {}) });
  };

  it('destroys exactly what the policies say, and nothing under a hold, with the clock moved forward', async () => {
    const due = await rejectedCase(true);
    const held = await rejectedCase(true);
    const open = await rejectedCase(false);
    const cases = [due.caseId, held.caseId, open.caseId];
    world.clock.at = '2026-03-20T00:00:00.000Z';
    // The officer records the court's order with a signed hold/v1 sign-off.
    const order = { holdId: 'court-order-12-2026', authority: 'court', reference: 'Quyết định 12/2026/QĐ-TA', reason: 'Court request' } as const;
    const signed = signSignoff(buildHoldSignoff({ caseId: held.caseId, action: 'place', signedAt: world.clock.at, ...order }), world.officerKey.secretKey);
    await placeLegalHold(world.deps, world.officer, { caseId: held.caseId, ...order, order: { kind: 'signed', ...signed } });
    const holdRecord = (await store.readStream(streams.retention(held.caseId)))[0]!.record;
    expect(holdRecord.type).to.equal('LegalHoldPlaced');
    expect(holdRecord.data).to.deep.include({ order: { kind: 'signed', ...signed } });

    // Before the period runs out: nothing.
    const early = await run('2026-09-01T00:00:00.000Z', false, cases);
    expect(early.destroyed).to.deep.equal([]);
    expect(early.notDue).to.equal(2);

    // A year and a day after the end: the dry run names exactly the due case's blobs and changes nothing.
    const later = '2027-03-13T00:00:00.000Z';
    const dry = await run(later, true, cases);
    expect(dry.destroyed.map((d) => d.digest).sort()).to.deep.equal([...due.digests].sort());
    for (const digest of due.digests) expect(await evidence.has(digest)).to.equal(true);
    expect((await store.readAll()).some((r) => r.record.stream === streams.retention(due.caseId))).to.equal(false);

    const report = await run(later, false, cases);
    expect(report.destroyed.map((d) => d.digest).sort()).to.deep.equal([...due.digests].sort());
    expect(report.held).to.deep.equal([
      { caseId: held.caseId, hold: 'legal-hold' },
      { caseId: open.caseId, hold: 'open-case' },
    ]);
    for (const digest of due.digests) expect(await evidence.has(digest)).to.equal(false);
    for (const digest of [...held.digests, ...open.digests]) expect(await evidence.has(digest)).to.equal(true);

    // The records stay and say what happened, under which policy, on which basis, when.
    const records = (await store.readStream(streams.retention(due.caseId))).map((r) => r.record);
    expect(records.map((r) => r.type)).to.deep.equal(['EvidenceDestroyed', 'EvidenceDestroyed']);
    expect(records[0]!.meta.actor).to.deep.equal({ kind: 'system', id: 'retention' });
    const destroyed = destroyedEvidence(records);
    expect([...destroyed.keys()].sort()).to.deep.equal([...due.digests].sort());
    for (const info of destroyed.values()) {
      expect(info).to.deep.equal({ policy: 'rejected-detection/2026-01-01', basis: { instrument: 'test policy', verified: false }, at: later });
      expect(describeDestroyed(info)).to.equal(`destroyed under policy rejected-detection/2026-01-01 at ${later}`);
    }
    // The case stream is untouched.
    expect((await store.readStream(streams.case(due.caseId))).map((r) => r.record.type)).to.deep.equal([
      'ViolationDetected',
      'ReviewRejected',
      'CaseClosed',
    ]);

    // The court bundle after destruction: test/integration/http/bundle-after-destruction.spec.ts.

    // A second run destroys nothing more.
    const again = await run(later, false, cases);
    expect(again.destroyed).to.deep.equal([]);
    expect(await store.readStream(streams.retention(due.caseId))).to.have.length(2);

    // Once the hold is lifted, the held case's evidence goes too.
    // Lifted by the court itself (its request, recorded with its reference).
    const court = { actor: { kind: 'officer' as const, id: 'court:tand-hn' }, province: '01' };
    await liftLegalHold(world.deps, court, {
      caseId: held.caseId,
      holdId: 'court-order-12-2026',
      authority: 'court',
      reference: 'Quyết định 20/2026/QĐ-TA',
      reason: 'Judgment final',
      order: { kind: 'court-request' },
    });
    const lifted = await run('2027-03-14T00:00:00.000Z', false, cases);
    expect(lifted.destroyed.map((d) => d.digest).sort()).to.deep.equal([...held.digests].sort());
    for (const digest of open.digests) expect(await evidence.has(digest)).to.equal(true);
  });

  it('a destruction forced on an open case is refused by the decider, and nothing is written', async () => {
    const open = await rejectedCase(false);
    const facts = caseRetentionFacts(open.caseId, await store.readStream(streams.case(open.caseId)));
    expect(facts).to.include({ status: 'open', rejected: true, appealPending: false });
    world.clock.at = '2030-01-01T00:00:00.000Z';
    let error: unknown;
    try {
      await executeRetentionCommand(world.deps, {
        type: 'DestroyEvidence',
        caseId: open.caseId,
        digest: open.digests[0]!,
        facts: facts!,
        policies: POLICIES,
        now: world.clock.at,
        actor: { kind: 'system', id: 'retention' },
        province: '01',
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(EvidenceUnderHoldError);
    expect((await store.readAll()).some((r) => r.record.stream === streams.retention(open.caseId))).to.equal(false);
    expect(await evidence.has(open.digests[0]!)).to.equal(true);
  });

  it('the default policies label unverified periods as such', () => {
    for (const p of DEFAULT_RETENTION_POLICIES) {
      expect(p.legalBasis.verified, p.id).to.equal(false);
      expect(p.legalBasis.note, p.id).to.match(/not enforced as law/);
    }
  });
});
