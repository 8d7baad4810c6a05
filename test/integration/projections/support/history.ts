/**
 * Realistic case histories through the command path (deciders, signatures, optimistic concurrency): each
 * case walks a lifecycle chosen by its index, so a run covers confirmations, corrections, rejections,
 * penalties, payments, appeals, closes, voids and custody accesses.
 */
import { randomBytes } from 'node:crypto';
import {
  closeCase,
  confirmReview,
  decidePenalty,
  drawViolationRecord,
  fileAppeal,
  identifyOwner,
  ingestDetection,
  issueNotice,
  recordNoticeDelivered,
  recordPayment,
  recordPlateReading,
  rejectReview,
  resolveAppeal,
} from '../../../../src/commands/cases.ts';
import { recordEvidenceAccess } from '../../../../src/commands/custody.ts';
import { listViolations, type CatalogEntry } from '../../../../src/domain/catalog/index.ts';
import { streams } from '../../../../src/domain/record.ts';
import { buildAppealSignoff, buildDecisionSignoff, buildDetectionPayload, buildRecordSignoff, buildReviewSignoff, signDetection, signSignoff } from '../../../../src/domain/signoff/index.ts';
import type { EvidenceRef } from '../../../../src/domain/signoff/primitives.ts';
import { anprWorker, type World } from './world.ts';

export function carViolations(onDate = '2026-03-10'): CatalogEntry[] {
  return listViolations(onDate).filter((e) => e.vehicleClasses.includes('car') && e.fineMaxVnd <= 37_500_000 && !e.measurement);
}

const PLATES = ['30A-123.45', '51K-678.90', '29C-246.80', '30H-135.79', '51G-864.20'];

const iso = (ms: number) => new Date(ms).toISOString();

export interface GeneratedCase {
  caseId: string;
  lifecycle: string;
}

/** Walks case `i` through its lifecycle. Times start at `baseMs` + i minutes. */
export async function generateCase(world: World, i: number, baseMs = Date.parse('2026-03-10T01:00:00.000Z')): Promise<GeneratedCase> {
  const { deps, clock } = world;
  const camera = world.cameras[i % world.cameras.length]!;
  const officer = world.officers.find((o) => o.province === camera.province)!;
  const entries = carViolations();
  const entry = entries[i % entries.length]!;
  const plate = PLATES[i % PLATES.length]!;
  const observedMs = baseMs + i * 60_000;
  const evidence: EvidenceRef[] = [
    { digest: `sha256:${randomBytes(32).toString('hex')}`, mediaType: 'image/jpeg', size: 4096 + i, role: 'overview' },
    { digest: `sha256:${randomBytes(32).toString('hex')}`, mediaType: 'image/jpeg', size: 1024 + i, role: 'plate' },
  ];
  const detection = buildDetectionPayload({
    detectionId: `det-${camera.cameraId}-${i}-${randomBytes(3).toString('hex')}`,
    cameraId: camera.cameraId,
    observedAt: iso(observedMs),
    location: camera.location,
    violationCode: entry.code,
    vehicleClass: 'car',
    plateRead: { text: plate, confidenceBp: 9000 },
    // Every third case: a camera signing detection/v2 (a yellow plate); the others detection/v1 (colour unknown).
    ...(i % 3 === 0 ? { plateColour: 'yellow' as const } : {}),
    evidence,
  });
  const signed = signDetection(detection, camera.key.secretKey);
  clock.at = iso(observedMs + 5_000);
  const ingest = await ingestDetection(deps, { actor: { kind: 'device', id: camera.cameraId }, province: camera.province }, {
    ...signed,
    modelId: world.modelId,
  });
  const caseId = ingest.caseId;
  const kind = i % 6;
  // kind 5: stays pending (the review queue)
  if (kind === 5) return { caseId, lifecycle: 'pending' };
  let revision = Number(ingest.nextExpectedRevision);
  // The AI reads the plate; every fourth reading is wrong (a correction or rejection follows).
  const aiPlate = i % 4 === 3 ? PLATES[(i + 1) % PLATES.length]! : plate;
  clock.at = iso(observedMs + 30_000);
  const read = await recordPlateReading(deps, anprWorker(camera.province), {
    caseId,
    plate: aiPlate,
    confidenceBp: 9200, // a confident reading: below PLATE_DOUBT_BP it would also raise plate-doubt
    sourceDigest: evidence[1]!.digest,
    modelId: world.modelId,
  });
  revision = Number(read.nextExpectedRevision);
  const flagged = read.state.status !== 'none' && read.state.flags.length > 0;
  clock.at = iso(observedMs + 3_600_000 + (i % 7) * 60_000);
  const reviewBase = {
    caseId,
    caseRevision: revision,
    violationCode: entry.code,
    plate,
    evidence: evidence.map((e) => e.digest),
    signedAt: clock.at,
  };
  if (kind === 4) {
    // The first rejection says nothing about the plate, the second says the plate could not be read.
    const rejectReason = i < 6 ? 'no-violation' : 'plate-unreadable';
    const review = signSignoff(buildReviewSignoff({ ...reviewBase, decision: 'reject', rejectReason }), officer.key.secretKey);
    await rejectReview(deps, officer.caller, { caseId, ...review });
    await closeCase(deps, officer.caller, { caseId });
    return { caseId, lifecycle: 'rejected' };
  }
  const review = signSignoff(
    buildReviewSignoff({
      ...reviewBase,
      decision: 'confirm',
      ...(flagged ? { overrideReason: 'Plate checked against the overview image' } : {}),
    }),
    officer.key.secretKey,
  );
  await confirmReview(deps, officer.caller, { caseId, ...review });
  await recordEvidenceAccess(deps, officer.caller, { caseId, digest: evidence[0]!.digest, access: 'view', purpose: 'Review screen' });
  if (kind === 3) return { caseId, lifecycle: 'confirmed' };
  clock.at = iso(observedMs + 2 * 86_400_000);
  await identifyOwner(deps, anprWorker(camera.province), { caseId, owner: { kind: 'individual', ref: `owner-${i}` }, registry: 'national-vehicle-registry' });
  await issueNotice(deps, anprWorker(camera.province), { caseId, noticeId: `notice-${i}`, channel: 'vneid' });
  await recordNoticeDelivered(deps, anprWorker(camera.province), { caseId, noticeId: `notice-${i}` });
  clock.at = iso(observedMs + 8 * 86_400_000);
  // The violation record (biên bản) comes before the decision.
  const recordHead = (await deps.store.readStream(streams.case(caseId))).length - 1;
  const record = signSignoff(
    buildRecordSignoff({
      caseId,
      caseRevision: recordHead,
      violationCode: entry.code,
      plate,
      evidence: evidence.map((e) => e.digest),
      signedAt: clock.at,
      recordId: `bb-${i}`,
      offender: { kind: 'individual', ref: `owner-${i}` },
    }),
    officer.key.secretKey,
  );
  await drawViolationRecord(deps, officer.caller, { caseId, ...record });
  clock.at = iso(observedMs + 9 * 86_400_000);
  const head = (await deps.store.readStream(streams.case(caseId))).length - 1;
  const decision = signSignoff(
    buildDecisionSignoff({
      caseId,
      caseRevision: head,
      violationCode: entry.code,
      plate,
      evidence: evidence.map((e) => e.digest),
      signedAt: clock.at,
      fineVnd: entry.fineMinVnd,
      points: entry.points,
      legalBasis: { ...entry.legalBasis },
      offender: { kind: 'individual', ref: `owner-${i}` },
    }),
    officer.key.secretKey,
  );
  await decidePenalty(deps, officer.caller, { caseId, ...decision });
  if (kind === 2) {
    clock.at = iso(observedMs + 11 * 86_400_000);
    // The desk officer records the offender's appeal; the competent officer resolves it with a signed appeal/v1.
    await fileAppeal(deps, officer.caller, { caseId, appealId: `appeal-${i}`, grounds: 'Not the driver' });
    clock.at = iso(observedMs + 20 * 86_400_000);
    const appealHead = (await deps.store.readStream(streams.case(caseId))).length - 1;
    const resolution = signSignoff(
      buildAppealSignoff({
        caseId,
        caseRevision: appealHead,
        violationCode: entry.code,
        plate,
        evidence: evidence.map((e) => e.digest),
        signedAt: clock.at,
        appealId: `appeal-${i}`,
        outcome: 'upheld',
        reason: 'Owner did not show another driver',
      }),
      officer.key.secretKey,
    );
    await resolveAppeal(deps, officer.caller, { caseId, appealId: `appeal-${i}`, ...resolution });
    return { caseId, lifecycle: 'appealed' };
  }
  if (kind === 1) return { caseId, lifecycle: 'decided' };
  clock.at = iso(observedMs + 12 * 86_400_000);
  // Payments and closing are officer commands (no worker issues them).
  await recordPayment(deps, officer.caller, {
    caseId,
    paymentRef: `pay-${i}`,
    amountVnd: entry.fineMinVnd,
    channel: 'state-treasury',
  });
  await closeCase(deps, officer.caller, { caseId });
  return { caseId, lifecycle: 'paid' };
}

export async function generateCases(world: World, count: number, from = 0): Promise<GeneratedCase[]> {
  const out: GeneratedCase[] = [];
  for (let i = from; i < from + count; i++) out.push(await generateCase(world, i));
  return out;
}
