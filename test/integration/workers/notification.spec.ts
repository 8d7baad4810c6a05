/**
 * Owner lookup and notices through their real adapters against the local stand-ins: registry timeouts,
 * retries, unknown plates and malformed answers; gateway failures retried then delivered once, or recorded
 * as NoticeDeliveryFailed once retries are spent; SMTP deliveries carrying the notice id.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpNoticeGateway } from '../../../src/adapters/notify/http-gateway.ts';
import { NoticeChannelUnavailableError } from '../../../src/ports/notices.ts';
import { SmtpNoticeChannel } from '../../../src/adapters/notify/smtp.ts';
import { HttpVehicleRegistry } from '../../../src/adapters/registry/http.ts';
import { RegistryResponseError, RegistryUnavailableError } from '../../../src/ports/registry.ts';
import { streams } from '../../../src/domain/record.ts';
import { portalRef } from '../../../src/domain/citizen/view.ts';
import { pipelineAdaptersFromEnv, startPipeline, type Pipeline } from '../../../src/node/pipeline.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { createInProcessJobPort } from '../../../src/workers/queue/in-process.ts';
import { waitFor } from '../../support/env.ts';
import { capturedLogger, startSmtpSink, startStandInGateway, startStandInRegistry, syntheticVehicles, type SmtpSink, type StandInGateway, type StandInRegistry } from '../../support/stand-ins.ts';
import { confirmCase, eventTypes, ingestPlainDetection, openPipelineWorld, trivialProcessor, type PipelineWorld } from './support/world.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('vehicle registry adapter against the stand-in', function () {
  let registry: StandInRegistry;
  let garbage: Server;
  let garbageUrl: string;
  before(async () => {
    registry = await startStandInRegistry({ vehicles: syntheticVehicles(20, 7) });
    garbage = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"plate":"<script>","owner":1}'));
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', () => resolve()));
    garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
  });
  after(async () => {
    await registry.close();
    garbage.closeAllConnections();
    await new Promise<void>((resolve) => garbage.close(() => resolve()));
  });

  it('finds a seeded vehicle by display or compact plate, with its registration certificate number', async () => {
    const client = new HttpVehicleRegistry({ baseUrl: registry.url });
    const seeded = [...registry.vehicles.values()][3]!;
    const found = await client.lookupPlate(seeded.plate);
    expect(found).to.deep.equal(seeded);
    expect(found!.registrationNumber).to.match(/^DK-01-/);
    expect(await client.ownerContact(seeded.owner.ref)).to.deep.equal(seeded.owner);
  });

  it('answers undefined for an unknown plate and for input that is no plate, without asking twice', async () => {
    const client = new HttpVehicleRegistry({ baseUrl: registry.url });
    const before = registry.requests.length;
    expect(await client.lookupPlate('99Z-999.99')).to.equal(undefined);
    expect(registry.requests.length).to.equal(before + 1);
    expect(await client.lookupPlate('../../etc/passwd')).to.equal(undefined);
    expect(registry.requests.length).to.equal(before + 1);
  });

  it('retries 503s and succeeds; gives up with RegistryUnavailableError after its tries', async () => {
    const client = new HttpVehicleRegistry({ baseUrl: registry.url, tries: 3, backoffMs: 5 });
    const seeded = [...registry.vehicles.values()][0]!;
    registry.failNext(2);
    expect((await client.lookupPlate(seeded.plate))?.plate).to.equal(seeded.plate);
    registry.failNext(3);
    expect(await rejection(client.lookupPlate(seeded.plate))).to.be.instanceOf(RegistryUnavailableError);
    registry.failNext(0);
  });

  it('times out a slow registry as RegistryUnavailableError', async () => {
    const client = new HttpVehicleRegistry({ baseUrl: registry.url, tries: 2, timeoutMs: 50, backoffMs: 5 });
    registry.setDelay(500);
    try {
      const error = await rejection(client.lookupPlate([...registry.vehicles.keys()][0]!));
      expect(error).to.be.instanceOf(RegistryUnavailableError);
      expect((error as Error).message).to.include('timed out');
    } finally {
      registry.setDelay(0);
    }
  });

  it('is configured from the environment (REGISTRY_URL, SMTP_URL, NOTICE_GATEWAY_URL); bad URLs are refused', async () => {
    const adapters = pipelineAdaptersFromEnv({ REGISTRY_URL: registry.url, SMTP_URL: 'smtp://127.0.0.1:2525', NOTICE_GATEWAY_URL: 'http://127.0.0.1:9/' });
    try {
      const seeded = [...registry.vehicles.values()][1]!;
      expect((await adapters.registry!.lookupPlate(seeded.plate))?.owner.ref).to.equal(seeded.owner.ref);
      expect(adapters.channels.map((c) => c.channel)).to.deep.equal(['email', 'vnetraffic']);
    } finally {
      adapters.close();
    }
    expect(pipelineAdaptersFromEnv({}).registry).to.equal(undefined);
    expect(() => pipelineAdaptersFromEnv({ SMTP_URL: 'http://mail' })).to.throw(ValidationError);
    expect(() => pipelineAdaptersFromEnv({ REGISTRY_URL: 'not a url' })).to.throw(ValidationError);
  });

  it('refuses a malformed answer with RegistryResponseError', async () => {
    const client = new HttpVehicleRegistry({ baseUrl: garbageUrl });
    expect(await rejection(client.lookupPlate('30A-123.45'))).to.be.instanceOf(RegistryResponseError);
  });
});

describe('notices through the gateway and SMTP (in-process jobs)', function () {
  this.timeout(60_000);
  let world: PipelineWorld;
  let registry: StandInRegistry;
  let gateway: StandInGateway;
  let smtp: SmtpSink;
  let pipeline: Pipeline;
  const logs = capturedLogger();
  const owner = { ref: 'own-gw-1', kind: 'organisation' as const, name: 'Công ty TNHH Kiểm Thử Bí Mật', address: '99 Đường Riêng Tư, Hà Nội', phone: '+84912000111' };

  before(async () => {
    world = await openPipelineWorld('wnotice');
    registry = await startStandInRegistry({ vehicles: [] });
    registry.add({ plate: '30A12345', registrationNumber: 'DK-01-555', vehicleClass: 'car', owner });
    gateway = await startStandInGateway();
    smtp = await startSmtpSink();
    pipeline = await startPipeline({
      store: world.store,
      evidence: world.evidence,
      commandDeps: world.deps,
      databaseUrl: world.db.url,
      jobs: createInProcessJobPort({ policies: { notice: { attempts: 3, backoffMs: 10 }, 'owner-lookup': { attempts: 3, backoffMs: 10 } } }),
      logger: logs.logger,
      registry: new HttpVehicleRegistry({ baseUrl: registry.url, tries: 1 }),
      channels: [new SmtpNoticeChannel({ host: smtp.host, port: smtp.port, from: 'csgt@example.invalid' }), new HttpNoticeGateway({ baseUrl: gateway.url })],
      processors: { inference: trivialProcessor(world.deps), media: trivialProcessor(world.deps) },
    });
  });
  after(async () => {
    await pipeline?.stop();
    await Promise.all([registry?.close(), gateway?.close(), smtp?.close()]);
    await world?.close();
  });

  it('retries a failing gateway and delivers once (owner without e-mail goes to the gateway)', async () => {
    gateway.failNext(2);
    const attemptsBefore = gateway.attempts;
    const { caseId, refs } = await ingestPlainDetection(world, 1);
    await confirmCase(world, caseId, '30A-123.45', refs);
    await waitFor(async () => (await eventTypes(world, caseId)).includes('NoticeDelivered'), { what: 'NoticeDelivered' });
    const stream = await world.store.readStream(streams.case(caseId));
    const issued = stream.find((r) => r.record.type === 'NoticeIssued')!.record.data as { noticeId: string; channel: string };
    expect(issued.channel).to.equal('vnetraffic');
    expect(gateway.attempts - attemptsBefore).to.equal(3);
    const delivered = gateway.deliveries.filter((d) => d.idempotencyKey === issued.noticeId);
    expect(delivered).to.have.length(1);
    expect(JSON.stringify(delivered[0]!.body)).to.include(owner.name);
    // What the person receives leads into the citizen portal with the case's reference (docs/citizen-portal.md).
    expect(String(delivered[0]!.body.text)).to.include(`số tham chiếu ${portalRef(caseId)}`);
    expect((await eventTypes(world, caseId)).filter((t) => t.startsWith('Notice'))).to.deep.equal(['NoticeIssued', 'NoticeDelivered']);
    for (const secret of [owner.name, owner.address, owner.phone]) expect(logs.text()).to.not.include(secret);
  });

  it('records NoticeDeliveryFailed once retries are spent, and keeps the job as a dead letter', async () => {
    gateway.failNext(3);
    const { caseId, refs } = await ingestPlainDetection(world, 2);
    await confirmCase(world, caseId, '30A-123.45', refs);
    await waitFor(async () => (await eventTypes(world, caseId)).includes('NoticeDeliveryFailed'), { what: 'NoticeDeliveryFailed' });
    const stream = await world.store.readStream(streams.case(caseId));
    const failed = stream.find((r) => r.record.type === 'NoticeDeliveryFailed')!.record;
    expect((failed.data as { reason: string }).reason).to.include('503');
    expect(stream.filter((r) => r.record.type.startsWith('Notice')).map((r) => r.record.type)).to.deep.equal(['NoticeIssued', 'NoticeDeliveryFailed']);
    const ownerEvent = stream.find((r) => r.record.type === 'OwnerIdentified')!.record;
    // The processor records the failure, then throws; the queue files the dead letter after that.
    const dead = await waitFor(
      async () => {
        const letters = await pipeline.jobs.deadLetters('notice');
        return letters.some((d) => d.jobId === ownerEvent.id) ? letters : undefined;
      },
      { what: 'the dead letter' },
    );
    expect(dead.find((d) => d.jobId === ownerEvent.id)!.error).to.include('503');
  });

  it('holds the notice of an owner who resides in another province (for the officer\'s transfer), and the adapter carries the residence', async () => {
    const elsewhere = { ref: 'own-gw-79', kind: 'individual' as const, name: 'Chủ Xe Ở Xa', address: '1 Đường Xa, TP. Hồ Chí Minh', phone: '+84912000222', residenceProvince: '79' };
    // The same plate now registered to an owner in TP. Hồ Chí Minh (the camera is in Hà Nội), for this case only.
    registry.add({ plate: '30A12345', registrationNumber: 'DK-01-556', vehicleClass: 'car', owner: elsewhere });
    expect(await new HttpVehicleRegistry({ baseUrl: registry.url }).ownerContact(elsewhere.ref)).to.deep.equal(elsewhere);
    const { caseId, refs } = await ingestPlainDetection(world, 3);
    try {
      await confirmCase(world, caseId, '30A-123.45', refs);
      await waitFor(() => logs.text().split('\n').some((l) => l.includes(caseId) && l.includes('notice held')), { what: 'the notice worker holding the notice' });
    } finally {
      registry.add({ plate: '30A12345', registrationNumber: 'DK-01-555', vehicleClass: 'car', owner });
    }
    const types = await eventTypes(world, caseId);
    expect(types).to.include('OwnerIdentified');
    expect(types.filter((t) => t.startsWith('Notice'))).to.deep.equal([]);
    for (const secret of [elsewhere.name, elsewhere.address, elsewhere.phone]) expect(logs.text()).to.not.include(secret);
  });

  it('SMTP channel: the notice id is the Message-ID; a temporary refusal is retryable and carries no address', async () => {
    const channel = new SmtpNoticeChannel({ host: smtp.host, port: smtp.port, from: 'csgt@example.invalid' });
    const recipient = { ref: 'own-mail', kind: 'individual' as const, name: 'Người Nhận', address: 'Hà Nội', email: 'nguoi.nhan@example.invalid' };
    try {
      smtp.failNext(1);
      const error = await rejection(channel.send({ noticeId: 'n-smtp-1', caseId: 'c', recipient, subject: 's', text: 't' }));
      expect(error).to.be.instanceOf(NoticeChannelUnavailableError);
      expect((error as Error).message).to.not.include('nguoi.nhan');
      await channel.send({ noticeId: 'n-smtp-1', caseId: 'c', recipient, subject: 's', text: 't' });
      const mine = smtp.messages.filter((m) => m.messageId === '<n-smtp-1@notices.tec.invalid>');
      expect(mine).to.have.length(1);
      expect(mine[0]!.to).to.deep.equal(['nguoi.nhan@example.invalid']);
      expect(channel.canReach({ ...recipient, email: 'not an address' })).to.equal(false);
    } finally {
      channel.close();
    }
  });
});
