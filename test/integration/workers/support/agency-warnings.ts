/**
 * What the agency-warning specs share (agency-warnings.spec.ts: the schedule on the read model, with the local
 * stand-in port; agency-warnings-http.spec.ts: delivery through the HTTP adapter): the stand-in registry knowing
 * one owner's car (30A12345), the stand-in notice gateway and the pipeline (BullMQ on the test Redis) wired to
 * them and to the spec's agency-warnings port; a case taken to a delivered notice; the AgencyWarningSent records
 * once both agencies are warned.
 */
import { randomBytes } from 'node:crypto';
import { HttpNoticeGateway } from '../../../../src/adapters/notify/http-gateway.ts';
import { HttpVehicleRegistry } from '../../../../src/adapters/registry/http.ts';
import { streams, type EventRecord } from '../../../../src/domain/record.ts';
import { startPipeline, type Pipeline } from '../../../../src/node/pipeline.ts';
import type { AgencyWarningPort } from '../../../../src/ports/agency-warnings.ts';
import type { RegisteredVehicle } from '../../../../src/ports/registry.ts';
import { testRedisUrl, waitFor } from '../../../support/env.ts';
import { capturedLogger, startStandInGateway, startStandInRegistry, type StandInGateway, type StandInRegistry } from '../../../support/stand-ins.ts';
import { confirmCase, eventTypes, ingestPlainDetection, trivialProcessor, type PipelineWorld } from './world.ts';

/** The plate `ingestPlainDetection` reads: as the registry keys it, and as the confirming officer writes it. */
const REGISTERED_PLATE = '30A12345';
const CONFIRMED_PLATE = '30A-123.45';

export interface AgencyWarningPipeline {
  registry: StandInRegistry;
  gateway: StandInGateway;
  pipeline: Pipeline;
  /** The pipeline's log, for the specs' "no personal data or secrets" checks. */
  logs: ReturnType<typeof capturedLogger>;
  /** Stops the pipeline, then the stand-in registry and gateway. */
  stop(): Promise<void>;
}

/** Starts the registry (with `owner`'s car), the gateway and the pipeline sending agency warnings through `agencyWarnings`. */
export async function startAgencyWarningPipeline(
  world: PipelineWorld,
  input: { owner: RegisteredVehicle['owner']; registrationNumber: string; agencyWarnings: AgencyWarningPort },
): Promise<AgencyWarningPipeline> {
  const logs = capturedLogger();
  const registry = await startStandInRegistry({ vehicles: [] });
  registry.add({ plate: REGISTERED_PLATE, registrationNumber: input.registrationNumber, vehicleClass: 'car', owner: input.owner });
  const gateway = await startStandInGateway();
  const pipeline = await startPipeline({
    store: world.store,
    evidence: world.evidence,
    commandDeps: world.deps,
    databaseUrl: world.db.url,
    redisUrl: testRedisUrl(),
    queuePrefix: `t-${randomBytes(4).toString('hex')}`,
    logger: logs.logger,
    registry: new HttpVehicleRegistry({ baseUrl: registry.url, tries: 1 }),
    channels: [new HttpNoticeGateway({ baseUrl: gateway.url })],
    agencyWarnings: input.agencyWarnings,
    policies: { 'agency-warning': { attempts: 4, backoffMs: 50 }, notice: { attempts: 3, backoffMs: 50 }, 'owner-lookup': { attempts: 3, backoffMs: 50 } },
    processors: { inference: trivialProcessor(world.deps), media: trivialProcessor(world.deps) },
  });
  return {
    registry,
    gateway,
    pipeline,
    logs,
    stop: async () => {
      await pipeline.stop();
      await Promise.all([registry.close(), gateway.close()]);
    },
  };
}

/** A detection (the `n`th), confirmed with the registered plate, up to its delivered notice; the NoticeIssued record. */
export async function noticedCase(world: PipelineWorld, n: number): Promise<{ caseId: string; noticeIssued: EventRecord }> {
  const { caseId, refs } = await ingestPlainDetection(world, n);
  await confirmCase(world, caseId, CONFIRMED_PLATE, refs);
  await waitFor(async () => (await eventTypes(world, caseId)).includes('NoticeDelivered'), { what: 'NoticeDelivered', timeoutMs: 60_000 });
  const noticeIssued = (await world.store.readStream(streams.case(caseId))).find((r) => r.record.type === 'NoticeIssued')!.record;
  return { caseId, noticeIssued };
}

/** The case's AgencyWarningSent records, once there are two (registration and inspection). */
export async function agencyWarningsSent(world: PipelineWorld, caseId: string): Promise<EventRecord[]> {
  await waitFor(async () => (await eventTypes(world, caseId)).filter((t) => t === 'AgencyWarningSent').length === 2, {
    what: 'two AgencyWarningSent',
    timeoutMs: 60_000,
  });
  return (await world.store.readStream(streams.case(caseId))).filter((r) => r.record.type === 'AgencyWarningSent').map((r) => r.record);
}
