/**
 * End to end on real parts: PostgreSQL event store, BullMQ on the test Redis, the PP-OCRv4 plate reader on a
 * worker thread, sharp on a worker thread, the stand-in registry, the stand-in gateway and an SMTP sink.
 * A detection appended through the command path ends, untouched, with a plate reading and derived media;
 * after the officer's confirmation, with the owner identified and a delivered notice — all as events.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { approveModelVersion } from '../../../src/commands/models.ts';
import { HttpNoticeGateway } from '../../../src/adapters/notify/http-gateway.ts';
import { SmtpNoticeChannel } from '../../../src/adapters/notify/smtp.ts';
import { HttpVehicleRegistry } from '../../../src/adapters/registry/http.ts';
import { normalizePlate } from '../../../src/domain/plates/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { createPlateReaderInWorker, type PlateReader } from '../../../src/workers/inference/index.ts';
import { startPipeline, type Pipeline } from '../../../src/node/pipeline.ts';
import { registerPlateModel } from '../../../src/workers/pipeline.ts';
import { testRedisUrl, waitFor } from '../../support/env.ts';
import { capturedLogger, startSmtpSink, startStandInGateway, startStandInRegistry, type SmtpSink, type StandInGateway, type StandInRegistry } from '../../support/stand-ins.ts';
import { confirmCase, eventTypes, ingestPlainDetection, ingestSceneDetection, ingestWithheldDetection, openPipelineWorld, type PipelineWorld } from './support/world.ts';

const OWNER_NAME = 'Trần Thị Kiểm Thử';
const OWNER_ADDRESS = '17 Ngõ Giả Lập, Ba Đình, Hà Nội';
const OWNER_EMAIL = 'chu.xe.kiem.thu@example.invalid';

describe('evidence pipeline, end to end (BullMQ, real models)', function () {
  this.timeout(180_000);
  let world: PipelineWorld;
  let reader: PlateReader;
  let registry: StandInRegistry;
  let gateway: StandInGateway;
  let smtp: SmtpSink;
  let pipeline: Pipeline;
  let smtpChannel: SmtpNoticeChannel;
  const logs = capturedLogger();

  before(async () => {
    world = await openPipelineWorld('wpipe');
    reader = await createPlateReaderInWorker();
    const modelId = await registerPlateModel(world.deps, reader.modelIdentity);
    await approveModelVersion(world.deps, { actor: world.officer.actor, province: '00' }, { modelId });
    registry = await startStandInRegistry();
    gateway = await startStandInGateway();
    smtp = await startSmtpSink();
    smtpChannel = new SmtpNoticeChannel({ host: smtp.host, port: smtp.port, from: 'CSGT Hà Nội <thongbao@csgt.invalid>' });
    pipeline = await startPipeline({
      store: world.store,
      evidence: world.evidence,
      commandDeps: world.deps,
      databaseUrl: world.db.url,
      redisUrl: testRedisUrl(),
      queuePrefix: `t-${randomBytes(4).toString('hex')}`,
      logger: logs.logger,
      registry: new HttpVehicleRegistry({ baseUrl: registry.url, timeoutMs: 2000 }),
      channels: [smtpChannel, new HttpNoticeGateway({ baseUrl: gateway.url })],
      plateModelId: modelId,
      plateReader: reader,
      policies: { notice: { attempts: 3, backoffMs: 50 }, 'owner-lookup': { attempts: 3, backoffMs: 50 } },
    });
  });

  after(async () => {
    await pipeline?.stop();
    smtpChannel?.close();
    await reader?.close();
    await Promise.all([registry?.close(), gateway?.close(), smtp?.close()]);
    await world?.close();
  });

  it('reads the plate, derives media, and after confirmation identifies the owner and delivers the notice by e-mail', async () => {
    const { caseId, plate, refs } = await ingestSceneDetection(world, 11);
    registry.add({
      plate: normalizePlate(plate),
      registrationNumber: 'DK-01-000777',
      vehicleClass: 'car',
      owner: { ref: 'own-test-0001', kind: 'individual', name: OWNER_NAME, address: OWNER_ADDRESS, email: OWNER_EMAIL },
    });

    const derivedKinds = async () =>
      (await world.store.readStream(streams.case(caseId)))
        .filter((r) => r.record.type === 'EvidenceDerived')
        .map((r) => (r.record.data as { derived: { kind: string } }).derived.kind)
        .sort();
    await waitFor(async () => (await derivedKinds()).length === 4 && (await eventTypes(world, caseId)).includes('PlateRecognized'), {
      timeoutMs: 90_000,
      what: 'plate reading and four derived copies',
    });
    expect(await derivedKinds()).to.deep.equal(['captioned', 'plate-crop', 'redacted', 'thumbnail']);
    const reading = (await world.store.readStream(streams.case(caseId))).find((r) => r.record.type === 'PlateRecognized')!;
    expect((reading.record.data as { compact: string }).compact).to.equal(normalizePlate(plate));
    expect(reading.record.meta.actor).to.deep.equal({ kind: 'service', id: 'anpr-worker' });
    // Every derived blob is stored and hashes to its name.
    for (const r of await world.store.readStream(streams.case(caseId))) {
      if (r.record.type !== 'EvidenceDerived') continue;
      const digest = (r.record.data as { derived: { digest: string } }).derived.digest;
      expect(await world.evidence.verify(digest)).to.include({ ok: true });
    }

    await confirmCase(world, caseId, plate, refs);
    await waitFor(async () => (await eventTypes(world, caseId)).includes('NoticeDelivered'), { timeoutMs: 30_000, what: 'NoticeDelivered' });
    const types = await eventTypes(world, caseId);
    expect(types.filter((t) => t === 'OwnerIdentified')).to.have.length(1);
    expect(types.filter((t) => t === 'NoticeIssued')).to.have.length(1);
    expect(types.filter((t) => t === 'NoticeDelivered')).to.have.length(1);
    expect(types.filter((t) => t === 'PlateRecognized')).to.have.length(1);
    expect(types.slice(-4)).to.deep.equal(['ReviewConfirmed', 'OwnerIdentified', 'NoticeIssued', 'NoticeDelivered']);

    const stream = await world.store.readStream(streams.case(caseId));
    const owner = stream.find((r) => r.record.type === 'OwnerIdentified')!.record;
    expect(owner.data).to.deep.include({ owner: { kind: 'individual', ref: 'own-test-0001' }, registrationRef: 'DK-01-000777' });
    expect(owner.meta.causationId).to.equal(stream.find((r) => r.record.type === 'ReviewConfirmed')!.record.id);
    const issued = stream.find((r) => r.record.type === 'NoticeIssued')!.record.data as { noticeId: string; channel: string };
    expect(issued.channel).to.equal('email');

    // The owner got exactly one e-mail, carrying the notice id as its Message-ID and their name in the body.
    expect(smtp.messages).to.have.length(1);
    expect(smtp.messages[0]!.to).to.deep.equal([OWNER_EMAIL]);
    expect(smtp.messages[0]!.messageId).to.equal(`<${issued.noticeId}@notices.tec.invalid>`);
    expect(smtp.messages[0]!.raw).to.include(issued.noticeId);

    // Personal data went to the owner only: not into records, not into logs.
    const recordsText = JSON.stringify(stream.map((r) => r.record));
    for (const secret of [OWNER_NAME, OWNER_ADDRESS, OWNER_EMAIL]) {
      expect(recordsText).to.not.include(secret);
      expect(logs.text()).to.not.include(secret);
    }
    expect(logs.text()).to.include('notice delivered');
    expect(await pipeline.jobs.deadLetters('notice')).to.deep.equal([]);
  });

  it('while an edge node still holds the overview original, reads and derives from the edge\'s reduced overview (docs/edge.md)', async () => {
    const { caseId, reducedDigest, overviewDigest } = await ingestWithheldDetection(world, 23, 'edge-01-pipeline');
    const derivedFromReduced = async () =>
      (await world.store.readStream(streams.case(caseId)))
        .filter((r) => r.record.type === 'EvidenceDerived' && (r.record.data as { sourceDigest: string }).sourceDigest === reducedDigest)
        .map((r) => (r.record.data as { derived: { kind: string } }).derived.kind)
        .sort();
    await waitFor(async () => (await derivedFromReduced()).includes('captioned'), { timeoutMs: 90_000, what: 'media derived from the reduced overview' });
    expect(await derivedFromReduced()).to.include.members(['captioned', 'thumbnail']);
    const types = await eventTypes(world, caseId);
    expect(types).not.to.include('ProcessingFailed');
    const reading = (await world.store.readStream(streams.case(caseId))).find((r) => r.record.type === 'PlateRecognized');
    if (reading) expect((reading.record.data as { sourceDigest: string }).sourceDigest).to.equal(reducedDigest);
    expect(await world.evidence.has(overviewDigest)).to.equal(false);
  });

  it('records OwnerNotFound for a plate the registry does not know, and delivers nothing', async () => {
    const { caseId, plate, refs } = await ingestSceneDetection(world, 12);
    await waitFor(async () => (await eventTypes(world, caseId)).includes('PlateRecognized'), { timeoutMs: 60_000, what: 'plate reading' });
    const sent = smtp.messages.length + gateway.deliveries.length;
    await confirmCase(world, caseId, plate, refs);
    await waitFor(async () => (await eventTypes(world, caseId)).includes('OwnerNotFound'), { timeoutMs: 30_000, what: 'OwnerNotFound' });
    const types = await eventTypes(world, caseId);
    expect(types).to.not.include('OwnerIdentified');
    expect(types).to.not.include('NoticeIssued');
    expect(smtp.messages.length + gateway.deliveries.length).to.equal(sent);
  });

  it('a corrupt overview image fails inference and media permanently: dead letters, the failures recorded on the case (issue 10 item 8), worker alive', async () => {
    const { caseId } = await ingestPlainDetection(world, 99); // the "image" is a few bytes of text
    const stream = await world.store.readStream(streams.case(caseId));
    const detectedId = stream[0]!.record.id;
    const deadFor = async (queue: 'inference' | 'media') => (await pipeline.jobs.deadLetters(queue)).find((d) => d.jobId === detectedId);
    await waitFor(async () => (await deadFor('inference')) && (await deadFor('media')), { timeoutMs: 30_000, what: 'both jobs as dead letters' });
    expect((await deadFor('inference'))!.attemptsMade).to.equal(1);
    expect((await deadFor('media'))!.attemptsMade).to.equal(1);
    expect((await deadFor('media'))!.error).to.match(/image|format|media/i);
    // Each job that failed for good is recorded on its case, and nothing else is.
    await waitFor(async () => (await eventTypes(world, caseId)).length === 3, { timeoutMs: 30_000, what: 'both ProcessingFailed records' });
    expect(await eventTypes(world, caseId)).to.deep.equal(['ViolationDetected', 'ProcessingFailed', 'ProcessingFailed']);
    const failed = (await world.store.readStream(streams.case(caseId))).slice(1).map((r) => (r.record.data as { job: string }).job);
    expect(failed.sort()).to.deep.equal(['inference', 'media']);
    // The workers still serve the next case.
    const next = await ingestSceneDetection(world, 13);
    await waitFor(async () => (await eventTypes(world, next.caseId)).includes('PlateRecognized'), { timeoutMs: 60_000, what: 'the next plate reading' });
  });

  it('a job with hostile data is refused without retries', async () => {
    await pipeline.jobs.enqueue('owner-lookup', [{ jobId: 'hostile-1', name: 'lookup-owner', data: { caseId: '../../etc/passwd', province: '01' } }]);
    await waitFor(async () => (await pipeline.jobs.deadLetters('owner-lookup')).some((d) => d.jobId === 'hostile-1'), { what: 'the hostile job as a dead letter' });
    const dead = (await pipeline.jobs.deadLetters('owner-lookup')).find((d) => d.jobId === 'hostile-1')!;
    expect(dead.attemptsMade).to.equal(1);
    expect(dead.error).to.include('no valid case id');
  });
});

describe('evidence pipeline, embedded default (in-process jobs, real models)', function () {
  this.timeout(180_000);
  let world: PipelineWorld;
  let pipeline: Pipeline;

  before(async () => {
    world = await openPipelineWorld('wembed');
    // The pipeline creates its own plate reader (worker thread) on the first inference job, as `npm start` does.
    const { loadModelFiles } = await import('../../../src/workers/inference/index.ts');
    const modelId = await registerPlateModel(world.deps, (await loadModelFiles()).identity);
    await approveModelVersion(world.deps, { actor: world.officer.actor, province: '00' }, { modelId });
    pipeline = await startPipeline({ store: world.store, evidence: world.evidence, commandDeps: world.deps, databaseUrl: world.db.url, plateModelId: modelId });
  });

  after(async () => {
    await pipeline?.stop();
    await world?.close();
  });

  it('reads the plate and derives the media of a detection without Redis', async () => {
    expect(pipeline.jobs.kind).to.equal('in-process');
    const { caseId, plate } = await ingestSceneDetection(world, 21);
    const types = async () => eventTypes(world, caseId);
    await waitFor(async () => (await types()).filter((t) => t === 'EvidenceDerived').length === 4 && (await types()).includes('PlateRecognized'), {
      timeoutMs: 90_000,
      what: 'plate reading and four derived copies',
    });
    const reading = (await world.store.readStream(streams.case(caseId))).find((r) => r.record.type === 'PlateRecognized')!;
    expect((reading.record.data as { compact: string }).compact).to.equal(normalizePlate(plate));
    // The checkpoint moves past the detection only once its jobs settled.
    await waitFor(async () => (await pipeline.processManager!.savedCheckpoint()) !== undefined, { what: 'a saved checkpoint' });
  });
});
