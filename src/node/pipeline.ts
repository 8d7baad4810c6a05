/**
 * Starts the evidence pipeline of src/workers/pipeline.ts: picks the job port (BullMQ with a Redis URL, else
 * in-process), opens the process manager's pool, and wires the processors to the registry and notice
 * channels. Composition: the only place the pipeline meets concrete adapters.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { HttpNoticeGateway } from '../adapters/notify/http-gateway.ts';
import { SmtpNoticeChannel } from '../adapters/notify/smtp.ts';
import { createPgPool } from '../adapters/postgres/pool.ts';
import { HttpVehicleRegistry } from '../adapters/registry/http.ts';
import type { CommandDeps } from '../commands/deps.ts';
import { ValidationError } from '../domain/shared/errors.ts';
import type { EventStore } from '../ports/eventstore.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import type { JobPort, Processor, QueueName, QueuePolicy } from '../ports/jobs.ts';
import type { AgencyWarningPort } from '../ports/agency-warnings.ts';
import { agencyWarningProcessor } from '../workers/notification/agency-warnings.ts';
import type { NoticeChannelAdapter } from '../ports/notices.ts';
import type { VehicleRegistry } from '../ports/registry.ts';
import type { PlateReader } from '../workers/inference/index.ts';
import type { DeriveRequest } from '../workers/media/derive.ts';
import type { DerivedItem } from '../workers/media/derived-item.ts';
import { noticeProcessor } from '../workers/notification/notice.ts';
import { ownerLookupProcessor } from '../workers/notification/owner-lookup.ts';
import { inferenceProcessor, mediaProcessor, recordingFinalFailure, type Derive } from '../workers/pipeline.ts';
import { startProcessManager, type ProcessManager } from '../workers/process-manager/process-manager.ts';
import { createBullJobPort } from '../workers/queue/bullmq.ts';
import { createInProcessJobPort } from '../workers/queue/in-process.ts';
import { createThreadTask, type ThreadTask } from '../workers/queue/thread-task.ts';

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
  /** The node's public address, linked from notices into the citizen portal. */
  portalUrl?: string;
  /** Where the warnings of an unresponsive owner go (the local stand-in here); absent = the queue is not served. */
  agencyWarnings?: AgencyWarningPort;
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
    const deriveTask = () => (derive ??= createThreadTask(new URL(`../workers/media/derive.${ext}`, import.meta.url).href, 'deriveMedia', { threads: options.mediaThreads ?? 1 }));
    const deriveFn: Derive = (original, request) => deriveTask().run(original, request);
    const getReader = () =>
      (reader ??= (async () => {
        const r = options.plateReader;
        if (typeof r === 'function') return r();
        if (r) return r;
        ownReader = true;
        const { createPlateReaderInWorker } = await import('../workers/inference/index.ts');
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
        builtIn.notice = noticeProcessor({
          commands: options.commandDeps,
          registry: options.registry,
          channels: options.channels,
          ...(logger ? { logger } : {}),
          ...(options.portalUrl ? { portalUrl: options.portalUrl } : {}),
        });
    }
    if (options.agencyWarnings) {
      builtIn['agency-warning'] = agencyWarningProcessor({ commands: options.commandDeps, port: options.agencyWarnings, ...(logger ? { logger } : {}) });
    }
    const processors = { ...builtIn, ...options.processors };
    for (const [queue, processor] of Object.entries(processors) as [QueueName, Processor][])
      jobs.process(queue, recordingFinalFailure(processor, options.commandDeps, logger));
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
