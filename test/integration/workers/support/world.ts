/**
 * The pipeline specs' world: a scratch PostgreSQL event store (migrated), a filesystem evidence store, and the
 * command-path world (camera, officer, model) of the command specs, with the clock just after the violation
 * so notices fall inside their 10-day window.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { FileSystemEvidenceStore } from '../../../../src/adapters/evidence/index.ts';
import { runMigrations } from '../../../../src/adapters/postgres/migrate.ts';
import { confirmReview, ingestDetection, recordDerivedEvidence } from '../../../../src/commands/cases.ts';
import type { CommandDeps } from '../../../../src/commands/deps.ts';
import { ConcurrentModificationError } from '../../../../src/commands/errors.ts';
import { caseIdForDetection } from '../../../../src/domain/ids.ts';
import { streams } from '../../../../src/domain/record.ts';
import { buildDetectionPayload, buildReviewSignoff, signDetection, signSignoff } from '../../../../src/domain/signoff/index.ts';
import type { EvidenceRef } from '../../../../src/domain/signoff/primitives.ts';
import type { Detection } from '../../../../src/domain/signoff/payloads.ts';
import { loadCase } from '../../../../src/workers/notification/case-state.ts';
import { caseJob, serviceCaller } from '../../../../src/workers/notification/job-data.ts';
import { jobEventId, onceOnly } from '../../../../src/workers/queue/job-ids.ts';
import type { Processor } from '../../../../src/ports/jobs.ts';
import { scratchDatabase, type ScratchDatabase } from '../../../support/env.ts';
import { syntheticPlateCrop, syntheticScene } from '../../../support/synthetic-plates.ts';
import { deriveForReview } from '../../../../src/adapters/edge/derive.ts';
import { buildWorld, carViolation, device, OBSERVED_AT, type World } from '../../commands/support/world.ts';

export interface PipelineWorld extends World {
  db: ScratchDatabase;
  store: PostgresEventStore;
  evidence: FileSystemEvidenceStore;
  evidenceDir: string;
  close(): Promise<void>;
}

export async function openPipelineWorld(prefix: string): Promise<PipelineWorld> {
  const db = await scratchDatabase(prefix);
  await runMigrations(db.url);
  const store = new PostgresEventStore({ databaseUrl: db.url, poolSize: 10 });
  const evidenceDir = await mkdtemp(join(tmpdir(), `${prefix}-evidence-`));
  const evidence = await FileSystemEvidenceStore.open(evidenceDir);
  const world = await buildWorld(store);
  world.clock.at = '2026-03-10T02:00:00.000Z';
  return {
    ...world,
    db,
    store,
    evidence,
    evidenceDir,
    async close() {
      await store.close();
      await db.drop();
      await rm(evidenceDir, { recursive: true, force: true });
    },
  };
}

const location = { latMicro: 21_028_511, lonMicro: 105_804_817, description: 'Ngã tư Kim Mã – Liễu Giai', roadType: 'urban' as const, commune: 'Ngọc Hà' };

/** Ingests a detection whose overview is a synthetic scene with a readable plate; returns the case id and truth. */
export async function ingestSceneDetection(world: PipelineWorld, seed: number): Promise<{ caseId: string; plate: string; refs: EvidenceRef[] }> {
  const scene = await syntheticScene(seed, { kind: 'car', plateWidth: 240 });
  const crop = await syntheticPlateCrop(seed, { kind: 'car' });
  const overview = await world.evidence.put(scene.image, { mediaType: 'image/jpeg' });
  const plateImage = await world.evidence.put(crop.image, { mediaType: 'image/jpeg' });
  const refs: EvidenceRef[] = [
    { digest: overview.digest, mediaType: 'image/jpeg', size: overview.size, role: 'overview' },
    { digest: plateImage.digest, mediaType: 'image/jpeg', size: plateImage.size, role: 'plate' },
  ];
  const detection = buildDetectionPayload({
    detectionId: `det-${uuidV7()}`,
    cameraId: world.cameraId,
    observedAt: OBSERVED_AT,
    location,
    violationCode: carViolation().code,
    vehicleClass: 'car',
    plateRead: { text: scene.truth.text, confidenceBp: 9500 },
    evidence: refs,
  });
  const signed = signDetection(detection, world.cameraKey.secretKey);
  await ingestDetection(world.deps, device(world.cameraId), signed);
  return { caseId: caseIdForDetection(detection.detectionId), plate: scene.truth.text, refs };
}

/**
 * A scene detection relayed by an edge node that withheld the overview original (docs/edge.md, "Originals
 * later"): the original is not in the store, the edge's reduced overview is, recorded as `EvidenceDerived` by
 * the edge device right after the detection (as the relay does).
 */
export async function ingestWithheldDetection(world: PipelineWorld, seed: number, edgeId: string): Promise<{ caseId: string; reducedDigest: string; overviewDigest: string }> {
  const scene = await syntheticScene(seed, { kind: 'car', plateWidth: 240 });
  const made = await deriveForReview(scene.image, edgeId);
  const reduced = made.find((m) => m.item.operation === 'reduced-overview')!;
  await world.evidence.put(reduced.bytes, { mediaType: 'image/jpeg' });
  const overviewDigest = `sha256:${createHash('sha256').update(scene.image).digest('hex')}`;
  const detection = buildDetectionPayload({
    detectionId: `det-${uuidV7()}`,
    cameraId: world.cameraId,
    observedAt: OBSERVED_AT,
    location,
    violationCode: carViolation().code,
    vehicleClass: 'car',
    plateRead: { text: scene.truth.text, confidenceBp: 9500 },
    evidence: [{ digest: overviewDigest, mediaType: 'image/jpeg', size: scene.image.length, role: 'overview' }],
  });
  await ingestDetection(world.deps, device(world.cameraId), signDetection(detection, world.cameraKey.secretKey));
  const caseId = caseIdForDetection(detection.detectionId);
  const item = reduced.item;
  await recordDerivedEvidence(world.deps, { actor: { kind: 'device', id: edgeId }, province: '01' }, {
    caseId,
    sourceDigest: item.sourceDigest,
    derived: { digest: item.digest, mediaType: item.mediaType, size: item.size, kind: item.kind },
    operation: item.operation,
    parameters: item.parameters,
    producer: item.producer,
  });
  return { caseId, reducedDigest: item.digest, overviewDigest };
}

/** A detection with small non-image evidence (for trivial processors). */
export async function ingestPlainDetection(world: PipelineWorld, n: number): Promise<{ caseId: string; refs: EvidenceRef[] }> {
  const blob = await world.evidence.put(Buffer.from(`overview ${n} ${uuidV7()}`), { mediaType: 'image/jpeg' });
  const refs: EvidenceRef[] = [{ digest: blob.digest, mediaType: 'image/jpeg', size: blob.size, role: 'overview' }];
  const detection = buildDetectionPayload({
    detectionId: `det-${uuidV7()}`,
    cameraId: world.cameraId,
    observedAt: OBSERVED_AT,
    location,
    violationCode: carViolation().code,
    vehicleClass: 'car',
    plateRead: { text: '30A-123.45', confidenceBp: 9500 },
    evidence: refs,
  });
  await ingestDetection(world.deps, device(world.cameraId), signDetection(detection, world.cameraKey.secretKey));
  return { caseId: caseIdForDetection(detection.detectionId), refs };
}

/**
 * The officer confirms the case as it stands, with the given plate. Workers may append to the case meanwhile;
 * like the review UI, the officer then reloads and signs again over the newer revision.
 */
export async function confirmCase(world: PipelineWorld, caseId: string, plate: string, refs: EvidenceRef[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const kase = await loadCase(world.store, caseId);
    if (kase.status === 'none') throw new Error('no case');
    const overrideReason = kase.flags.length > 0 ? { overrideReason: 'Checked against the overview image' } : {};
    const review = signSignoff(
      buildReviewSignoff({
        caseId,
        caseRevision: kase.revision,
        decision: 'confirm',
        violationCode: carViolation().code,
        plate,
        evidence: refs,
        signedAt: world.clock.at,
        ...overrideReason,
      }),
      world.officerKey.secretKey,
    );
    try {
      await confirmReview(world.deps, world.officer, { caseId, ...review });
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError) || attempt >= 10) throw error;
    }
  }
}

export async function eventTypes(world: PipelineWorld, caseId: string): Promise<string[]> {
  return (await world.store.readStream(streams.case(caseId))).map((r) => r.record.type);
}

/**
 * A trivial processor: records one EvidenceDerived per job (a "derived" digest computed from the job id),
 * through the real command path with job-derived event ids. `sources` (case id → an original's digest, known
 * to the caller) spares the processor a read; without it the processor reads the detection.
 */
export function trivialProcessor(commands: CommandDeps, onRun?: (queueAndJobId: string) => void, sources?: ReadonlyMap<string, string>): Processor {
  return async (job) => {
    onRun?.(`${job.queue}/${job.jobId}`);
    const { caseId, province } = caseJob(job);
    let sourceDigest = sources?.get(caseId);
    if (sourceDigest === undefined) {
      // Only the detection (revision 0) is needed: the evidence it names.
      const [first] = await commands.store.readStream(streams.case(caseId), { maxCount: 1 });
      sourceDigest = (first!.record.data as unknown as { detection: Detection }).detection.evidence[0]!.digest;
    }
    const digest = `sha256:${createHash('sha256').update(`${job.queue}/${job.jobId}`).digest('hex')}`;
    const eventIds = [jobEventId(job.queue, job.jobId, 'trivial')];
    await onceOnly(eventIds, () =>
      recordDerivedEvidence(
        commands,
        serviceCaller('trivial-worker', province),
        {
          caseId,
          sourceDigest: sourceDigest!,
          derived: { digest, mediaType: 'image/jpeg', size: 1, kind: 'other' },
          operation: `trivial-${job.queue}`,
          parameters: {},
          producer: { library: 'none', version: '0' },
        },
        { eventIds, causationId: job.jobId },
      ),
    );
  };
}
