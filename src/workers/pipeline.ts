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
 * The plate crop runs inside the inference job because `PlateRecognized` records no box (the schema has
 * none), so the process manager could not pass one on. Every append uses job-derived event ids and every
 * processor first checks whether its fact is already in the case, so a job that runs twice records once.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventStore } from '../ports/eventstore.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import { HttpNoticeGateway } from '../adapters/notify/http-gateway.ts';
import type { NoticeChannelAdapter } from '../ports/notices.ts';
import { SmtpNoticeChannel } from '../adapters/notify/smtp.ts';
import { HttpVehicleRegistry } from '../adapters/registry/http.ts';
import { createPgPool } from '../adapters/postgres/pool.ts';
import type { VehicleRegistry } from '../ports/registry.ts';
import { recordDerivedEvidence, recordPlateReading } from '../commands/cases.ts';
import { loadStream } from '../commands/handler.ts';
import type { CommandDeps } from '../commands/deps.ts';
import { registerModelVersion } from '../commands/models.ts';
import type { Caller } from '../commands/outcome.ts';
import { catalogEntryFor } from '../domain/case/legal.ts';
import type { ExistingCase } from '../domain/case/state.ts';
import { modelDecider } from '../domain/model/decider.ts';
import { parseModelEvent } from '../domain/model/events.ts';
import { streams } from '../domain/record.ts';
import { ValidationError } from '../domain/shared/errors.ts';
import type { EvidenceRef } from '../domain/signoff/primitives.ts';
import type { PlateReader } from './inference/index.ts';
import type { ModelIdentity } from './inference/models.ts';
import type { DeriveRequest } from './media/derive.ts';
import { evidenceDerivedFields, type DerivedItem } from './media/derived-item.ts';
import type { Box } from './media/box.ts';
import { loadCase } from './notification/case-state.ts';
import { caseJob, serviceCaller } from './notification/job-data.ts';
import { noticeProcessor } from './notification/notice.ts';
import { ownerLookupProcessor } from './notification/owner-lookup.ts';
import { startProcessManager, type ProcessManager } from './process-manager/process-manager.ts';
import { createBullJobPort } from './queue/bullmq.ts';
import { createInProcessJobPort } from './queue/in-process.ts';
import { jobEventId, onceOnly } from './queue/job-ids.ts';
import { PermanentJobError, type JobPort, type Processor, type QueueName, type QueuePolicy, type RunningJob } from '../ports/jobs.ts';
import { createThreadTask, type ThreadTask } from './queue/thread-task.ts';

export const INFERENCE_WORKER = 'anpr-worker';
export const MEDIA_WORKER = 'media-worker';
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

export interface PipelineOptions {
  store: EventStore;
  evidence: EvidenceStore;
  commandDeps: CommandDeps;
  /** PostgreSQL holding `process_manager_checkpoint` (the read-model database). */
  databaseUrl: string;
  /** BullMQ on this Redis; absent = the in-process job port. */
  redisUrl?: string;
  /** BullMQ key prefix (default `tec`). */
  queuePrefix?: string;
  logger?: Logger;
  /** Which parts run here (default all): the process manager and/or the queue workers. */
  roles?: { processManager?: boolean; workers?: boolean };
  registry?: VehicleRegistry;
  /** Notice channels in order of preference. */
  channels?: readonly NoticeChannelAdapter[];
  /** The approved `model-<id>` version the plate reader runs as; without it the inference queue is not served. */
  plateModelId?: string;
  /** Default: `createPlateReaderInWorker()` on first use. */
  plateReader?: PlateReader | (() => Promise<PlateReader>);
  policies?: Partial<Record<QueueName, Partial<QueuePolicy>>>;
  /** BullMQ lock duration: a killed worker's job is retried after about this long (default 30 s). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Worker threads for sharp (default 1). */
  mediaThreads?: number;
  /** Processors replacing the built-in ones (benchmarks, tests). */
  processors?: Partial<Record<QueueName, Processor>>;
  /** A job port built by the caller (tests); overrides redisUrl. */
  jobs?: JobPort;
}

export interface Pipeline {
  jobs: JobPort;
  processManager: ProcessManager | undefined;
  /** Graceful: stops the process manager, lets active jobs finish, closes threads and connections. */
  stop(): Promise<void>;
}

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

/** The region kept sharp around a plate in the privacy copy: the vehicle body, roughly (clamped to the image). */
export function vehicleRegionAround(plate: Box): Box {
  const width = plate.width * 6;
  const height = plate.height * 9;
  return { x: plate.x + Math.round(plate.width / 2 - width / 2), y: plate.y + plate.height * 2 - height, width, height };
}

type Derive = (original: Uint8Array, request: DeriveRequest) => Promise<DerivedItem[]>;

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

function inferenceProcessor(deps: {
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
    const source = imageOriginal(kase);
    if (!source) {
      logger?.info({ queue: job.queue, jobId: job.jobId, caseId }, 'no image to read');
      return;
    }
    const reader = await deps.reader();
    const image = await evidence.getBytes(source.digest, { expectedSize: source.size });
    const reading = await reader.readScene(image);
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
          { caseId, plate: reading.text, confidenceBp: reading.confidenceBp, sourceDigest: source.digest, modelId },
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

function mediaProcessor(deps: { commands: CommandDeps; evidence: EvidenceStore; derive: Derive; logger?: Logger }): Processor {
  const { commands, evidence, logger } = deps;
  return async (job) => {
    const { caseId, province } = caseJob(job);
    const kase = await loadCase(commands.store, caseId);
    if (kase.status === 'none') throw new PermanentJobError('The case does not exist', { caseId });
    const source = imageOriginal(kase);
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

/**
 * Starts the pipeline. With `redisUrl` the jobs go through BullMQ (several worker processes may share the
 * queues); without it they run in this process.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const { logger } = options;
  const runProcessManager = options.roles?.processManager ?? true;
  const runWorkers = options.roles?.workers ?? true;
  const onFailure = (e: { queue: string; jobId: string; attempt: number; final: boolean; error: string }) =>
    logger?.warn({ queue: e.queue, jobId: e.jobId, attempt: e.attempt, final: e.final }, e.final ? 'job failed for good' : 'job failed; will retry');
  const jobs =
    options.jobs ??
    (options.redisUrl
      ? createBullJobPort({
          redisUrl: options.redisUrl,
          ...(options.queuePrefix !== undefined ? { prefix: options.queuePrefix } : {}),
          ...(options.policies ? { policies: options.policies } : {}),
          ...(options.lockDurationMs !== undefined ? { lockDurationMs: options.lockDurationMs } : {}),
          ...(options.stalledIntervalMs !== undefined ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
          onFailure,
        })
      : createInProcessJobPort({ ...(options.policies ? { policies: options.policies } : {}), onFailure }));

  const closers: (() => Promise<void>)[] = [];
  let derive: ThreadTask<[Uint8Array, DeriveRequest], DerivedItem[]> | undefined;
  let reader: Promise<PlateReader> | undefined;
  let ownReader = false;

  if (runWorkers) {
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    const deriveTask = () => (derive ??= createThreadTask(new URL(`./media/derive.${ext}`, import.meta.url).href, 'deriveMedia', { threads: options.mediaThreads ?? 1 }));
    const deriveFn: Derive = (original, request) => deriveTask().run(original, request);
    const getReader = () =>
      (reader ??= (async () => {
        const r = options.plateReader;
        if (typeof r === 'function') return r();
        if (r) return r;
        ownReader = true;
        const { createPlateReaderInWorker } = await import('./inference/index.ts');
        return createPlateReaderInWorker();
      })());
    const builtIn: Partial<Record<QueueName, Processor>> = {
      media: mediaProcessor({ commands: options.commandDeps, evidence: options.evidence, derive: deriveFn, ...(logger ? { logger } : {}) }),
    };
    if (options.plateModelId) {
      builtIn.inference = inferenceProcessor({
        commands: options.commandDeps,
        evidence: options.evidence,
        reader: getReader,
        modelId: options.plateModelId,
        derive: deriveFn,
        ...(logger ? { logger } : {}),
      });
    }
    if (options.registry) {
      builtIn['owner-lookup'] = ownerLookupProcessor({ commands: options.commandDeps, registry: options.registry, ...(logger ? { logger } : {}) });
      if (options.channels && options.channels.length > 0)
        builtIn.notice = noticeProcessor({ commands: options.commandDeps, registry: options.registry, channels: options.channels, ...(logger ? { logger } : {}) });
    }
    const processors = { ...builtIn, ...options.processors };
    for (const [queue, processor] of Object.entries(processors) as [QueueName, Processor][]) jobs.process(queue, processor);
  }

  let pool: pg.Pool | undefined;
  let processManager: ProcessManager | undefined;
  try {
    if (runProcessManager) {
      pool = createPgPool(options.databaseUrl, { max: 2, applicationName: 'tec-process-manager' });
      processManager = await startProcessManager({ store: options.store, jobs, pool, ...(logger ? { logger } : {}) });
    }
  } catch (error) {
    await jobs.close();
    await pool?.end();
    throw error;
  }
  closers.push(async () => processManager?.stop());
  closers.push(() => jobs.close());
  closers.push(async () => derive?.close());
  closers.push(async () => {
    if (ownReader && reader) await (await reader).close();
  });
  closers.push(async () => pool?.end());

  return {
    jobs,
    processManager,
    async stop() {
      for (const close of closers) {
        try {
          await close();
        } catch (error) {
          logger?.warn({ err: { name: (error as Error).name } }, 'error while stopping the pipeline');
        }
      }
    },
  };
}

export interface PipelineAdapters {
  registry: VehicleRegistry | undefined;
  channels: NoticeChannelAdapter[];
  close(): void;
}

/**
 * Registry and notice channels from the environment (none configured = owner lookup and notices not served):
 * `REGISTRY_URL` (HTTP vehicle registry), `SMTP_URL` (`smtp://[user:pass@]host:port`, `smtps://` for implicit
 * TLS) with `NOTICE_FROM`, and `NOTICE_GATEWAY_URL` (HTTP notification gateway). E-mail is preferred when the
 * owner has an address; the gateway reaches everyone else.
 */
export function pipelineAdaptersFromEnv(env: NodeJS.ProcessEnv = process.env): PipelineAdapters {
  const url = (name: string, protocols: string[]): URL | undefined => {
    const value = env[name];
    if (!value) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ValidationError(`${name} is not a URL`);
    }
    if (!protocols.includes(parsed.protocol)) throw new ValidationError(`${name} must use ${protocols.join(' or ')}`);
    return parsed;
  };
  const registryUrl = url('REGISTRY_URL', ['http:', 'https:']);
  const gatewayUrl = url('NOTICE_GATEWAY_URL', ['http:', 'https:']);
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  const channels: NoticeChannelAdapter[] = [];
  let smtp: SmtpNoticeChannel | undefined;
  if (smtpUrl) {
    const secure = smtpUrl.protocol === 'smtps:';
    smtp = new SmtpNoticeChannel({
      host: smtpUrl.hostname,
      port: smtpUrl.port ? Number(smtpUrl.port) : secure ? 465 : 25,
      secure,
      ...(smtpUrl.username ? { auth: { user: decodeURIComponent(smtpUrl.username), pass: decodeURIComponent(smtpUrl.password) } } : {}),
      from: env.NOTICE_FROM ?? 'Cảnh sát giao thông <thongbao@localhost>',
    });
    channels.push(smtp);
  }
  if (gatewayUrl) channels.push(new HttpNoticeGateway({ baseUrl: gatewayUrl.toString() }));
  return {
    registry: registryUrl ? new HttpVehicleRegistry({ baseUrl: registryUrl.toString() }) : undefined,
    channels,
    close: () => smtp?.close(),
  };
}
