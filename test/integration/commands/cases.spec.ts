import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidV7 } from 'uuid';
import type { EventStore } from '../../../src/ports/eventstore.ts';
import { FileSystemEvidenceStore } from '../../../src/adapters/evidence/filesystem.ts';
import {
  closeCase,
  confirmReview,
  decidePenalty,
  drawViolationRecord,
  identifyOwner,
  ingestDetection,
  issueNotice,
  recordPayment,
  recordPlateReading,
} from '../../../src/commands/cases.ts';
import { suspendModelVersion } from '../../../src/commands/models.ts';
import { ConcurrentModificationError, RevisionMismatchError } from '../../../src/commands/errors.ts';
import { CameraNotUsableError, DetectionConflictError, ModelNotApprovedError } from '../../../src/domain/case/errors.ts';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { GENESIS_PREV, streams } from '../../../src/domain/record.ts';
import { buildDecisionSignoff, buildRecordSignoff, buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { AppError } from '../../../src/domain/shared/errors.ts';
import { openTestEventStore, type TestEventStore } from './support/store.ts';
import { anprWorker, buildWorld, carViolation, device, HANOI, signedDetection, type World } from './support/world.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function streamTypes(store: EventStore, stream: string): Promise<string[]> {
  return (await store.readStream(stream)).map((r) => r.record.type);
}

describe('case services (PostgreSQL event store, filesystem evidence)', function () {
  let env: TestEventStore;
  let store: EventStore;
  let evidenceRoot: string;
  let evidence: FileSystemEvidenceStore;
  let world: World;

  before(async () => {
    env = await openTestEventStore('cmdcase');
    store = env.store;
    evidenceRoot = await mkdtemp(join(tmpdir(), 'evidence-cases-'));
    evidence = await FileSystemEvidenceStore.open(evidenceRoot);
    world = await buildWorld(store);
  });
  after(async () => {
    await env?.close();
    if (evidenceRoot) await rm(evidenceRoot, { recursive: true, force: true });
  });

  it('many concurrent identical ingests produce exactly one ViolationDetected', async () => {
    const signed = await signedDetection(world, evidence);
    world.clock.at = '2026-03-10T01:00:05.000Z';
    const outcomes = await Promise.all(
      Array.from({ length: 24 }, () =>
        ingestDetection(world.deps, device(world.cameraId), {
          detection: signed.detection,
          signature: signed.signature,
          keyId: signed.keyId,
        }),
      ),
    );
    const caseId = caseIdForDetection(signed.detection.detectionId);
    expect(new Set(outcomes.map((o) => o.caseId))).to.deep.equal(new Set([caseId]));
    expect(outcomes.filter((o) => o.created)).to.have.length(1);
    expect(outcomes.every((o) => o.nextExpectedRevision === 0n && o.state.status === 'detected')).to.equal(true);
    const records = await store.readStream(streams.case(caseId));
    expect(records.map((r) => r.record.type)).to.deep.equal(['ViolationDetected']);
    expect(records[0]!.record.meta).to.deep.include({
      actor: { kind: 'device', id: world.cameraId },
      province: HANOI,
      recordedAt: '2026-03-10T01:00:05.000Z',
    });

    // A later repeat (e.g. the camera re-sending after a lost response) is still a no-op.
    const again = await ingestDetection(world.deps, device(world.cameraId), {
      detection: signed.detection,
      signature: signed.signature,
      keyId: signed.keyId,
    });
    expect(again).to.include({ created: false, caseId });
    expect(again.events).to.deep.equal([]);
    expect(await streamTypes(store, streams.case(caseId))).to.deep.equal(['ViolationDetected']);
  });

  it('refuses a different detection under an ingested detection id and appends nothing', async () => {
    const first = await signedDetection(world, evidence);
    world.clock.at = '2026-03-10T01:00:05.000Z';
    await ingestDetection(world.deps, device(world.cameraId), first);
    const other = await signedDetection(world, evidence, first.detection.detectionId);
    const error = await rejection(ingestDetection(world.deps, device(world.cameraId), other));
    expect(error).to.be.instanceOf(DetectionConflictError);
    expect((error as AppError).category).to.equal('conflict');
    const caseId = caseIdForDetection(first.detection.detectionId);
    expect(await streamTypes(store, streams.case(caseId))).to.deep.equal(['ViolationDetected']);
  });

  it('refuses a detection from an unregistered camera without creating a stream', async () => {
    const signed = await signedDetection(world, evidence);
    const forged = { ...signed, detection: { ...signed.detection, cameraId: `cam-01-${uuidV7().slice(0, 8)}` } };
    const error = await rejection(ingestDetection(world.deps, device(forged.detection.cameraId), forged));
    expect(error).to.be.instanceOf(CameraNotUsableError);
    const caseId = caseIdForDetection(signed.detection.detectionId);
    expect(await rejection(store.readStream(streams.case(caseId)))).to.have.property('code', 'stream-not-found');
  });

  it('runs a case from detection to closure, hash-chained, with the context loaded from the streams', async () => {
    const signed = await signedDetection(world, evidence);
    const entry = carViolation();
    world.clock.at = '2026-03-10T01:00:05.000Z';
    const ingested = await ingestDetection(world.deps, device(world.cameraId), signed);
    const caseId = ingested.caseId;

    world.clock.at = '2026-03-10T01:01:00.000Z';
    const read = await recordPlateReading(world.deps, anprWorker, {
      caseId,
      plate: '30A-123.45',
      confidenceBp: 9650,
      sourceDigest: signed.refs[1]!.digest,
      modelId: world.modelId,
    });
    expect(read.events.map((e) => e.record.type)).to.deep.equal(['PlateRecognized']);

    world.clock.at = '2026-03-11T02:00:00.000Z';
    const review = signSignoff(
      buildReviewSignoff({
        caseId,
        caseRevision: Number(read.nextExpectedRevision),
        decision: 'confirm',
        violationCode: entry.code,
        plate: '30A-123.45',
        evidence: signed.refs,
        signedAt: world.clock.at,
      }),
      world.officerKey.secretKey,
    );
    // An officer whose screen is stale (If-Match at an older revision) is refused before deciding.
    const stale = await rejection(
      confirmReview(world.deps, world.officer, { caseId, ...review }, { expectedRevision: 0n }),
    );
    expect(stale).to.be.instanceOf(RevisionMismatchError);
    const confirmed = await confirmReview(world.deps, world.officer, { caseId, ...review }, {
      expectedRevision: read.nextExpectedRevision,
      correlationId: 'review-session-1',
    });
    expect(confirmed.state.status).to.equal('confirmed');
    expect(confirmed.events[0]!.record.meta).to.deep.include({
      actor: { kind: 'officer', id: world.officerId },
      correlationId: 'review-session-1',
    });

    world.clock.at = '2026-03-12T03:00:00.000Z';
    await identifyOwner(world.deps, anprWorker, {
      caseId,
      owner: { kind: 'individual', ref: 'owner-0001' },
      registry: 'national-vehicle-registry',
    });
    await issueNotice(world.deps, anprWorker, { caseId, noticeId: 'notice-1', channel: 'vneid' });

    // The violation record (biên bản) comes before the decision.
    world.clock.at = '2026-03-19T02:00:00.000Z';
    const recordHead = (await store.readStream(streams.case(caseId))).length - 1;
    const record = signSignoff(
      buildRecordSignoff({
        caseId,
        caseRevision: recordHead,
        violationCode: entry.code,
        plate: '30A-123.45',
        evidence: signed.refs,
        signedAt: world.clock.at,
        recordId: 'bb-0001',
        offender: { kind: 'individual', ref: 'owner-0001' },
      }),
      world.officerKey.secretKey,
    );
    await drawViolationRecord(world.deps, world.officer, { caseId, ...record });

    world.clock.at = '2026-03-20T02:00:00.000Z';
    const head = (await store.readStream(streams.case(caseId))).length - 1;
    const decision = signSignoff(
      buildDecisionSignoff({
        caseId,
        caseRevision: head,
        violationCode: entry.code,
        plate: '30A-123.45',
        evidence: signed.refs,
        signedAt: world.clock.at,
        fineVnd: entry.fineMinVnd,
        points: entry.points,
        legalBasis: { ...entry.legalBasis },
        offender: { kind: 'individual', ref: 'owner-0001' },
      }),
      world.officerKey.secretKey,
    );
    const decided = await decidePenalty(world.deps, world.officer, { caseId, ...decision });
    expect(decided.state.status).to.equal('decided');

    world.clock.at = '2026-03-25T02:00:00.000Z';
    // Payment and closing are officer commands: no worker issues them (a service actor is refused).
    await recordPayment(world.deps, world.officer, {
      caseId,
      paymentRef: 'pay-0001',
      amountVnd: entry.fineMinVnd,
      channel: 'state-treasury',
    });
    world.clock.at = '2026-03-26T02:00:00.000Z';
    const closed = await closeCase(world.deps, world.officer, { caseId });
    expect(closed.state.status).to.equal('closed');

    const records = await store.readStream(streams.case(caseId));
    expect(records.map((r) => r.record.type)).to.deep.equal([
      'ViolationDetected',
      'PlateRecognized',
      'ReviewConfirmed',
      'OwnerIdentified',
      'NoticeIssued',
      'ViolationRecordDrawn',
      'PenaltyDecided',
      'PaymentRecorded',
      'CaseClosed',
    ]);
    expect(closed.nextExpectedRevision).to.equal(BigInt(records.length - 1));
    records.forEach((r, i) => {
      expect(r.record.revision).to.equal(i);
      expect(r.record.prev).to.equal(i === 0 ? GENESIS_PREV : records[i - 1]!.hash);
      expect(r.record.meta.province).to.equal(HANOI);
    });
    // Every original the case names is in the evidence store and intact.
    for (const ref of signed.refs) {
      expect(await evidence.verify(ref.digest, { expectedSize: ref.size })).to.deep.equal({ ok: true, size: ref.size });
    }
  });

  it('a plate reading from a model suspended since loading is refused by its current view', async () => {
    const signed = await signedDetection(world, evidence);
    world.clock.at = '2026-03-10T01:00:05.000Z';
    const { caseId } = await ingestDetection(world.deps, device(world.cameraId), signed);
    const model = await buildWorld(store); // a second, independent model to suspend
    await suspendModelVersion(model.deps, { actor: model.officer.actor, province: '00' }, { modelId: model.modelId, reason: 'drift' });
    const error = await rejection(
      recordPlateReading(world.deps, anprWorker, {
        caseId,
        plate: '30A-123.45',
        confidenceBp: 9650,
        sourceDigest: signed.refs[1]!.digest,
        modelId: model.modelId,
      }),
    );
    expect(error).to.be.instanceOf(ModelNotApprovedError);
    expect(await streamTypes(store, streams.case(caseId))).to.deep.equal(['ViolationDetected']);
  });

  it('surfaces a conflict on a signed review instead of retrying it', async () => {
    const signed = await signedDetection(world, evidence);
    world.clock.at = '2026-03-10T01:00:05.000Z';
    const { caseId } = await ingestDetection(world.deps, device(world.cameraId), signed);
    world.clock.at = '2026-03-11T02:00:00.000Z';
    const review = signSignoff(
      buildReviewSignoff({
        caseId,
        caseRevision: 0,
        decision: 'confirm',
        violationCode: carViolation().code,
        plate: '30A-123.45',
        evidence: signed.refs,
        signedAt: world.clock.at,
      }),
      world.officerKey.secretKey,
    );
    // Two officers' screens submit at once: exactly one review lands; the other is a conflict or a refusal.
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => confirmReview(world.deps, world.officer, { caseId, ...review })),
    );
    const landed = results.filter((r) => r.status === 'fulfilled');
    expect(landed).to.have.length(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).to.be.instanceOf(AppError);
        if (!(r.reason instanceof ConcurrentModificationError)) {
          expect((r.reason as AppError).category).to.be.oneOf(['conflict', 'unprocessable']);
        }
      }
    }
    expect(await streamTypes(store, streams.case(caseId))).to.deep.equal(['ViolationDetected', 'ReviewConfirmed']);
  });

  it("files a national service's record under the case's province", async () => {
    const signed = await signedDetection(world, evidence);
    world.clock.at = '2026-03-10T01:00:05.000Z';
    const { caseId } = await ingestDetection(world.deps, device(world.cameraId), signed);
    const nationalWorker = { actor: { kind: 'service' as const, id: 'anpr-national' }, province: '00' };
    const read = await recordPlateReading(world.deps, nationalWorker, {
      caseId,
      plate: '30A-123.45',
      confidenceBp: 9650,
      sourceDigest: signed.refs[1]!.digest,
      modelId: world.modelId,
    });
    expect(read.events[0]!.record.meta).to.deep.include({ actor: nationalWorker.actor, province: HANOI });
  });

  const hostileDetections: [string, unknown][] = [
    ['no detection', undefined],
    ['a detection that is not an object', 'detection'],
    ['a traversal camera id', { detectionId: 'det-1', cameraId: '../officer-x' }],
    ['an overlong detection id', { detectionId: 'd'.repeat(500), cameraId: 'cam-01-0001' }],
    ['a numeric detection id', { detectionId: 42, cameraId: 'cam-01-0001' }],
  ];
  for (const [what, detection] of hostileDetections) {
    it(`refuses to ingest ${what} with a validation error`, async () => {
      const error = await rejection(
        ingestDetection(world.deps, device(world.cameraId), { detection, signature: 'x', keyId: 'y' } as never),
      );
      expect(error).to.be.instanceOf(AppError);
      expect((error as AppError).category).to.equal('validation');
    });
  }
});
