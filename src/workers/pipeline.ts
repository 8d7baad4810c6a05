/**
 * The evidence pipeline: the process manager plus the four queue processors, wired to the command path.
 *
 *   ViolationDetected ──▶ inference: read the plate from the overview image (onnxruntime on a worker thread)
 *                         → PlateRecognized; then, with the recognised box, a plate crop and a privacy copy
 *                         (sharp on a worker thread) → EvidenceDerived ×2
 *                    └──▶ media: thumbnail and captioned copy of the overview → EvidenceDerived ×2
 *   ReviewConfirmed  ──▶ owner-lookup: vehicle registry → OwnerIdentified | OwnerNotFound
 *   OwnerIdentified  ──▶ notice: NoticeIssued → channel → NoticeDelivered | NoticeDeliveryFailed
 *
 * The inference job hands the reader the camera's signed plate colour (detection/v2) and records the reading's
 * alternatives; the case decider flags a doubtful reading (`plate-doubt`) for the reviewing officer.
 *
 * The plate crop runs inside the inference job because `PlateRecognized` records no box (the schema has
 * none), so the process manager could not pass one on. Every append uses job-derived event ids and every
 * processor first checks whether its fact is already in the case, so a job that runs twice records once.
 *
 * This module holds the processors; `startPipeline` (src/node/pipeline.ts) wires them to a job port, the
 * process manager and the configured registry and notice channels.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../ports/eventstore.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import { recordDerivedEvidence, recordPlateReading, recordProcessingFailure } from '../commands/cases.ts';
import { loadStream } from '../commands/handler.ts';
import type { CommandDeps } from '../commands/deps.ts';
import { registerModelVersion } from '../commands/models.ts';
import type { Caller } from '../commands/outcome.ts';
import { catalogEntryFor } from '../domain/case/legal.ts';
import type { ExistingCase } from '../domain/case/state.ts';
import { modelDecider } from '../domain/model/decider.ts';
import { parseModelEvent } from '../domain/model/events.ts';
import { streams } from '../domain/record.ts';
import { AppError } from '../domain/shared/errors.ts';
import { PROCESSING_JOBS, type ProcessingJob } from '../domain/case/events.ts';
import type { EvidenceRef } from '../domain/signoff/primitives.ts';
import type { PlateReader, PlateReading } from './inference/index.ts';
import { plateColourOf } from '../domain/case/plate-colour.ts';
import type { PlateAlternative } from '../domain/case/events.ts';
import type { ModelIdentity } from './inference/models.ts';
import type { DeriveRequest } from './media/derive.ts';
import { evidenceDerivedFields, type DerivedItem } from './media/derived-item.ts';
import type { Box } from './media/box.ts';
import { loadCase } from './notification/case-state.ts';
import { caseJob, serviceCaller } from './notification/job-data.ts';
import { jobEventId, onceOnly } from './queue/job-ids.ts';
import { PermanentJobError, isPermanentFailure, type Processor, type RunningJob } from '../ports/jobs.ts';

export const INFERENCE_WORKER = 'anpr-worker';
export const MEDIA_WORKER = 'media-worker';
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** A model id for the plate reader's identity (`model-<id>` stream names take identifier characters only). */
export function plateModelIdFor(identity: ModelIdentity): string {
  return `${identity.name}-${identity.version}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 128);
}

/**
 * Registers the reader's model version (name, version, SHA-256 of each file) as `model-<id>`, if not yet.
 * Registration is not approval: an officer MUST approve the version before its readings are accepted.
 */
export async function registerPlateModel(commands: CommandDeps, identity: ModelIdentity, caller: Caller = { actor: { kind: 'system', id: 'tec' }, province: '00' }): Promise<string> {
  const modelId = plateModelIdFor(identity);
  const { state } = await loadStream(commands.store, streams.model(modelId), modelDecider, parseModelEvent);
  if (state.status === 'unregistered') {
    await registerModelVersion(commands, caller, { modelId, name: identity.name, version: identity.version, files: identity.files.map((f) => ({ name: f.name, sha256: f.sha256 })) });
  }
  return modelId;
}

async function registeredFilesMatch(store: EventStore, modelId: string, identity: ModelIdentity): Promise<boolean> {
  const records = await store.readStream(streams.model(modelId)).catch(() => []);
  const registered = records.find((r) => r.record.type === 'ModelVersionRegistered')?.record.data as { files?: { sha256: string }[] } | undefined;
  if (!registered?.files) return false;
  const want = new Set(registered.files.map((f) => f.sha256));
  return identity.files.length === want.size && identity.files.every((f) => want.has(f.sha256));
}

function imageOriginal(kase: ExistingCase): EvidenceRef | undefined {
  const images = kase.originals.filter((e) => IMAGE_TYPES.has(e.mediaType));
  return images.find((e) => e.role === 'overview') ?? images[0];
}

/**
 * The original is still at the edge node that relayed the detection and no reduced overview of it is recorded
 * yet (the relay records it right after the detection): a transient state, so the job is retried.
 */
export class OriginalPendingError extends Error {
  override readonly name = 'OriginalPendingError';
}

/**
 * The image a job works on: the overview original when the node holds it; while an edge node still holds it
 * back (docs/edge.md, "Originals later"), the edge's reduced overview of it (`reduced-overview`, recorded as
 * `EvidenceDerived` with the edge as the deriving device), so plate reading and the review copies do not wait
 * for the background upload. What the job records then names the reduced overview as its source.
 */
async function imageSource(kase: ExistingCase, evidence: EvidenceStore): Promise<{ digest: string; size: number } | undefined> {
  const original = imageOriginal(kase);
  if (!original) return undefined;
  if (await evidence.has(original.digest)) return original;
  const reduced = kase.derivations.find((d) => d.sourceDigest === original.digest && d.operation === 'reduced-overview');
  if (reduced && (await evidence.has(reduced.derived.digest))) return { digest: reduced.derived.digest, size: reduced.derived.size };
  throw new OriginalPendingError('The overview original is not at the node yet and no reduced overview of it is recorded');
}

/** The region kept sharp around a plate in the privacy copy: the vehicle body, roughly (clamped to the image). */
export function vehicleRegionAround(plate: Box): Box {
  const width = plate.width * 6;
  const height = plate.height * 9;
  return { x: plate.x + Math.round(plate.width / 2 - width / 2), y: plate.y + plate.height * 2 - height, width, height };
}

export type Derive = (original: Uint8Array, request: DeriveRequest) => Promise<DerivedItem[]>;

async function storeAndRecord(
  job: RunningJob,
  commands: CommandDeps,
  evidence: EvidenceStore,
  caller: Caller,
  caseId: string,
  items: DerivedItem[],
): Promise<number> {
  let recorded = 0;
  for (const { bytes, ...item } of items) {
    // Bytes that crossed a thread boundary arrive as Uint8Array; the digest check re-hashes them.
    await evidence.put(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { mediaType: item.mediaType, expectedDigest: item.digest });
    const eventIds = [jobEventId(job.queue, job.jobId, `derived/${item.operation}/${item.digest}`)];
    const outcome = await onceOnly(eventIds, () =>
      recordDerivedEvidence(commands, caller, { caseId, ...evidenceDerivedFields(item) }, { eventIds, causationId: job.jobId, correlationId: caseId }),
    );
    if (outcome !== 'already-recorded' && outcome.events.length > 0) recorded++;
  }
  return recorded;
}

/** The reading's alternatives as `PlateRecognized` records them (plate and share), or nothing when it has none. */
export function alternativesOf(reading: PlateReading): { alternatives?: PlateAlternative[] } {
  const plates = reading.alternatives ?? [];
  if (plates.length === 0) return {};
  return { alternatives: plates.map((plate, i) => ({ plate, shareBp: reading.alternativeSharesBp?.[i] ?? 0 })) };
}

/** The inference queue's processor: read the plate, record it, derive the plate crop and privacy copy. */
export function inferenceProcessor(deps: {
  commands: CommandDeps;
  evidence: EvidenceStore;
  reader: () => Promise<PlateReader>;
  modelId: string;
  derive: Derive;
  logger?: Logger;
}): Processor {
  const { commands, evidence, logger, modelId } = deps;
  let verifiedModel = false;
  return async (job) => {
    const { caseId, province } = caseJob(job);
    const kase = await loadCase(commands.store, caseId);
    if (kase.status === 'none') throw new PermanentJobError('The case does not exist', { caseId });
    const source = await imageSource(kase, evidence);
    if (!source) {
      logger?.info({ queue: job.queue, jobId: job.jobId, caseId }, 'no image to read');
      return;
    }
    const reader = await deps.reader();
    const image = await evidence.getBytes(source.digest, { expectedSize: source.size });
    // The camera's signed plate colour (detection/v2) rules out series that colour cannot carry (NG/QT: white-red).
    const colour = plateColourOf(kase.detection);
    const reading = await reader.readScene(image, colour !== undefined ? { colour } : undefined);
    if (!reading) {
      logger?.info({ queue: job.queue, jobId: job.jobId, caseId }, 'no plate found');
      return;
    }
    const caller = serviceCaller(INFERENCE_WORKER, province);
    const alreadyRead = kase.plateReadings.some((r) => r.model.modelId === modelId);
    if (!alreadyRead && kase.status === 'detected') {
      if (!verifiedModel) {
        if (!(await registeredFilesMatch(commands.store, modelId, reader.modelIdentity)))
          throw new PermanentJobError('The plate model files differ from the registered model version', { modelId });
        verifiedModel = true;
      }
      const eventIds = [jobEventId(job.queue, job.jobId, 'plate'), jobEventId(job.queue, job.jobId, 'plate-flag')];
      await onceOnly(eventIds, () =>
        recordPlateReading(
          commands,
          caller,
          { caseId, plate: reading.text, confidenceBp: reading.confidenceBp, sourceDigest: source.digest, modelId, ...alternativesOf(reading) },
          { eventIds, causationId: job.jobId, correlationId: caseId },
        ),
      );
    }
    const plateBox = reading.box;
    if (plateBox.width > 0 && plateBox.height > 0) {
      const items = await deps.derive(image, {
        thumbnail: false,
        plate: { box: plateBox },
        privacy: { keepBoxes: [vehicleRegionAround(plateBox), plateBox] },
      });
      const recorded = await storeAndRecord(job, commands, evidence, serviceCaller(MEDIA_WORKER, province), caseId, items);
      logger?.info({ queue: job.queue, jobId: job.jobId, caseId, derived: recorded }, 'plate read');
    }
  };
}

/** The media queue's processor: thumbnail and captioned copy of the overview image. */
export function mediaProcessor(deps: { commands: CommandDeps; evidence: EvidenceStore; derive: Derive; logger?: Logger }): Processor {
  const { commands, evidence, logger } = deps;
  return async (job) => {
    const { caseId, province } = caseJob(job);
    const kase = await loadCase(commands.store, caseId);
    if (kase.status === 'none') throw new PermanentJobError('The case does not exist', { caseId });
    const source = await imageSource(kase, evidence);
    if (!source) return;
    const d = kase.detection;
    let title = d.violationCode;
    try {
      title = catalogEntryFor(d.violationCode, d.vehicleClass, d.observedAt).title.vi;
    } catch {
      // an unknown code is captioned by its code
    }
    const speed = d.measurements?.speedKmh;
    const limit = d.measurements?.limitKmh;
    const image = await evidence.getBytes(source.digest, { expectedSize: source.size });
    const items = await deps.derive(image, {
      thumbnail: {},
      caption: {
        time: d.observedAt,
        place: d.location.description,
        cameraId: d.cameraId,
        violation: { code: d.violationCode, title },
        ...(speed !== undefined ? { measuredSpeedKmh: speed } : {}),
        ...(limit !== undefined ? { limitKmh: limit } : {}),
      },
    });
    const recorded = await storeAndRecord(job, commands, evidence, serviceCaller(MEDIA_WORKER, province), caseId, items);
    logger?.info({ queue: job.queue, jobId: job.jobId, caseId, derived: recorded }, 'media derived');
  };
}

/** The service that records a job's final failure on its case. */
export const PIPELINE_SERVICE = 'job-pipeline';

/** A short, non-personal reason: the typed error's code and message (they name ids, limits and digests only). */
function failureReason(error: unknown): { reasonCode: string; reason: string } {
  if (error instanceof AppError) return { reasonCode: error.code, reason: error.message.slice(0, 500) };
  // An untyped error's message may quote anything (a registry answer, a file path): only its class is kept.
  return { reasonCode: 'unexpected-error', reason: error instanceof Error ? error.name : 'unknown error' };
}

/**
 * Wraps a processor so that a run that fails the job for good (its last attempt, or a failure retrying cannot
 * fix: the same rule both job ports apply) first records `ProcessingFailed` on the job's case, then fails as
 * before. Both ports run processors through this, so BullMQ and the in-process queue behave alike. The event id
 * is derived from the job, so a re-run records it once. A job without a valid case is only logged.
 */
export function recordingFinalFailure(processor: Processor, commands: CommandDeps, logger?: Logger): Processor {
  return async (job) => {
    try {
      await processor(job);
    } catch (error) {
      if (!job.finalAttempt && !isPermanentFailure(error)) throw error;
      const { reasonCode, reason } = failureReason(error);
      // Ids, codes and counts only: job data (plates, owners) never reaches the log.
      logger?.error({ queue: job.queue, jobId: job.jobId, attempt: job.attempt, reasonCode, reason }, 'job failed for good');
      if ((PROCESSING_JOBS as readonly string[]).includes(job.queue)) {
        try {
          const { caseId, province } = caseJob(job);
          const eventIds = [jobEventId(job.queue, job.jobId, 'failed')];
          await onceOnly(eventIds, () =>
            recordProcessingFailure(
              commands,
              serviceCaller(PIPELINE_SERVICE, province),
              { caseId, job: job.queue as ProcessingJob, jobId: job.jobId, reasonCode, reason, attempts: job.attempt },
              { eventIds, causationId: job.jobId, correlationId: caseId },
            ),
          );
        } catch (recordError) {
          logger?.error(
            { queue: job.queue, jobId: job.jobId, reasonCode: failureReason(recordError).reasonCode },
            'could not record the job failure on its case',
          );
        }
      }
      throw error;
    }
  };
}
