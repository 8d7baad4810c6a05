/**
 * Data-subject requests (docs/data-protection.md, "The data subject") over HTTP against PostgreSQL, the
 * projections and the registry stand-in: an owner authenticated by plate + registration certificate obtains
 * the published fields, the privacy copy references and the custody log of their vehicle's cases; a wrong
 * certificate answers exactly like a vehicle with nothing recorded; correction and erasure requests are
 * recorded with their legal basis and answered by an officer, erasure only where the law allows it.
 */
import { expect } from 'chai';
import { plateKey } from '../../../src/domain/case/plate-key.ts';
import { streams } from '../../../src/domain/record.ts';
import { ERASURE_REFUSAL_BASIS, SUBJECT_LEGAL_BASIS } from '../../../src/domain/subject/index.ts';
import { buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';

describe('data-subject requests (HTTP, PostgreSQL, projections)', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;
  let owner: { plate: string; certificate: string };
  let caseId: string;

  before(async () => {
    node = await startApiNode('http_subject', { projections: true });
    world = await buildHttpWorld(node);
    const vehicle = [...node.registry.vehicles.values()][0]!;
    owner = { plate: vehicle.plate, certificate: vehicle.registrationNumber };
    const officer = world.officers[HANOI]!;
    const signed = await signedDetection(world.cameras[HANOI]!, { plate: vehicle.plate });
    const created = await ingest(node, world.cameras[HANOI]!, signed);
    expectStatus(created, 201);
    caseId = created.json.caseId;
    const detail = await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'review of the detection' });
    const review = signSignoff(buildReviewSignoff({ ...detail.json.signoffBasis, decision: 'confirm', signedAt: new Date().toISOString() }), officer.key.secretKey);
    expectStatus(await call(node, 'POST', `/v1/cases/${caseId}/review`, { token: officer.token, body: review }), 200, 'review');
    await waitFor(
      async () => {
        const reply = await call(node, 'GET', `/v1/public/violations?plate=${encodeURIComponent(owner.plate)}&certificate=${owner.certificate}`);
        return (reply.json?.violations ?? []).length > 0 ? true : undefined;
      },
      { what: 'the published violation' },
    );
  });
  after(async () => node?.close());

  const subjectRecords = async (kind: string) =>
    (await node.store.readAll())
      .filter((r) => r.record.stream.startsWith('subject-'))
      .filter((r) => r.record.type === 'SubjectRequestReceived' && (r.record.data as { kind: string }).kind === kind);

  it('an owner with plate + certificate obtains the published fields, privacy copy references and the custody log; the request and answer are recorded', async () => {
    const reply = await call(node, 'POST', '/v1/public/subject-requests', { body: { ...owner, kind: 'access' } });
    expectStatus(reply, 200, 'access');
    expect(reply.json.legalBasis).to.deep.equal(SUBJECT_LEGAL_BASIS.access);
    const item = reply.json.cases.find((c: { caseId: string }) => c.caseId === caseId);
    expect(item, 'the case').to.be.an('object');
    expect(item.published).to.include({ violationCode: item.published.violationCode });
    expect(item.privacyCopies).to.be.an('array');
    // The officer's read during review is in the custody log, with who and why.
    expect(item.custody.map((c: { purpose: string }) => c.purpose)).to.include('review of the detection');
    expect(item.custody.find((c: { purpose: string }) => c.purpose === 'review of the detection').actor).to.deep.equal({
      kind: 'officer',
      id: world.officers[HANOI]!.officerId,
    });
    // The request and its outcome are records with their legal basis.
    const stream = await node.store.readStream(streams.subject(reply.json.requestId));
    expect(stream.map((r) => r.record.type)).to.deep.equal(['SubjectRequestReceived', 'SubjectRequestAnswered']);
    expect(stream[0]!.record.data).to.deep.include({ kind: 'access', channel: 'public', caseIds: [caseId], legalBasis: SUBJECT_LEGAL_BASIS.access });
    expect(JSON.stringify(stream.map((r) => r.record.data))).to.not.contain(owner.plate);
    expect(stream[1]!.record.data).to.deep.include({ outcome: 'disclosed' });
    // The disclosure itself is in the custody log.
    const custody = await node.store.readStream(streams.custody(caseId));
    expect(custody.map((r) => (r.record.data as { purpose: string }).purpose)).to.include(`data subject access request ${reply.json.requestId}`);
  });

  it('a wrong certificate answers exactly like a vehicle with nothing recorded, and records nothing', async () => {
    const before = (await subjectRecords('access')).length;
    const wrong = await call(node, 'POST', '/v1/public/subject-requests', { body: { plate: owner.plate, certificate: 'WRONG-0000', kind: 'access' } });
    expectStatus(wrong, 200);
    expect(wrong.json).to.deep.equal({ requestId: null, legalBasis: SUBJECT_LEGAL_BASIS.access, cases: [] });
    const erase = await call(node, 'POST', '/v1/public/subject-requests', { body: { plate: owner.plate, certificate: 'WRONG-0000', kind: 'erasure' } });
    expectStatus(erase, 202);
    expect(erase.json).to.deep.equal({ received: true });
    expect((await subjectRecords('access')).length).to.equal(before);
  });

  it('an erasure of a confirmed case is refused where the law does not allow it; the refusal carries its basis', async () => {
    const erase = await call(node, 'POST', '/v1/public/subject-requests', { body: { ...owner, kind: 'erasure', details: 'please delete the photos' } });
    expectStatus(erase, 202);
    expect(erase.json).to.deep.equal({ received: true });
    const [received] = await subjectRecords('erasure');
    expect(received, 'the erasure request').to.not.equal(undefined);
    const requestId = (received!.record.data as { requestId: string }).requestId;
    expect(received!.record.data).to.deep.include({ caseIds: [caseId], legalBasis: SUBJECT_LEGAL_BASIS.erasure });
    const officer = world.officers[HANOI]!;
    const erased = await call(node, 'POST', `/v1/subject-requests/${requestId}/answer`, { token: officer.token, body: { outcome: 'erased', reason: 'asked' } });
    expectStatus(erased, 422, 'erased');
    expect(erased.json.type).to.match(/erasure-not-allowed$/);
    const refused = await call(node, 'POST', `/v1/subject-requests/${requestId}/answer`, {
      token: officer.token,
      body: { outcome: 'refused', reason: 'The case is an open sanction file' },
    });
    expectStatus(refused, 201, 'refused');
    const answered = (await node.store.readStream(streams.subject(requestId))).at(-1)!.record;
    expect(answered.data).to.deep.include({ outcome: 'refused', legalBasis: ERASURE_REFUSAL_BASIS });
  });

  it('an erasure the law allows is carried out at once: each blob destroyed under subject-erasure.<id> (records kept), only by an officer of the province', async () => {
    const vehicle = [...node.registry.vehicles.values()][1]!;
    const officer = world.officers[HANOI]!;
    const signed = await signedDetection(world.cameras[HANOI]!, { plate: vehicle.plate });
    const created = await ingest(node, world.cameras[HANOI]!, signed);
    expectStatus(created, 201);
    const rejectedCase = created.json.caseId as string;
    const detail = await call(node, 'GET', `/v1/cases/${rejectedCase}`, { token: officer.token, purpose: 'review of the detection' });
    const review = signSignoff(
      buildReviewSignoff({ ...detail.json.signoffBasis, decision: 'reject', rejectReason: 'plate-unreadable', signedAt: new Date().toISOString() }),
      officer.key.secretKey,
    );
    expectStatus(await call(node, 'POST', `/v1/cases/${rejectedCase}/review`, { token: officer.token, body: review }), 200, 'reject');
    expectStatus(await call(node, 'POST', `/v1/cases/${rejectedCase}/close`, { token: officer.token, body: {} }), 200, 'close');
    // The request concerns every case of the plate, published or not: wait until the read model holds it.
    await waitFor(
      async () => ((await node.services.queries.casesOfPlate(plateKey(vehicle.plate))).some((c) => c.caseId === rejectedCase) ? true : undefined),
      { what: 'the rejected case in the read model' },
    );
    const filed = await call(node, 'POST', '/v1/subject-requests', { token: officer.token, body: { plate: vehicle.plate, kind: 'erasure', details: 'delete the photos' } });
    expectStatus(filed, 201, 'erasure filed');
    const requestId = filed.json.requestId as string;
    const digests = signed.detection.evidence.map((e) => e.digest).sort();
    for (const digest of digests) expect(await node.evidence.has(digest)).to.equal(true);

    // An officer of another province may not answer it.
    const other = world.officers['79']!;
    const foreign = await call(node, 'POST', `/v1/subject-requests/${requestId}/answer`, { token: other.token, body: { outcome: 'erased', reason: 'asked' } });
    expectStatus(foreign, 403, 'foreign province');
    expect(await node.store.readStream(streams.subject(requestId))).to.have.length(1);

    const erased = await call(node, 'POST', `/v1/subject-requests/${requestId}/answer`, { token: officer.token, body: { outcome: 'erased', reason: 'the detection was rejected' } });
    expectStatus(erased, 201, 'erased');
    expect(erased.json).to.deep.include({ erased: digests.length, held: [] });
    for (const digest of digests) expect(await node.evidence.has(digest)).to.equal(false);
    const retention = (await node.store.readStream(streams.retention(rejectedCase))).map((r) => r.record);
    expect(retention.map((r) => r.type)).to.deep.equal(digests.map(() => 'EvidenceDestroyed'));
    for (const r of retention) expect(r.data).to.deep.include({ policy: `subject-erasure.${requestId}` });
    // The case's records stay; a repeated answer destroys nothing more.
    expect((await node.store.readStream(streams.case(rejectedCase))).map((r) => r.record.type)).to.include('ReviewRejected');
    const again = await call(node, 'POST', `/v1/subject-requests/${requestId}/answer`, { token: officer.token, body: { outcome: 'erased', reason: 'the detection was rejected' } });
    expect([200, 409]).to.include(again.status);
    expect(await node.store.readStream(streams.retention(rejectedCase))).to.have.length(digests.length);
  });

  it('an officer files an access request for an owner and gets the same export; a correction is filed for an answer', async () => {
    const officer = world.officers[HANOI]!;
    const access = await call(node, 'POST', '/v1/subject-requests', { token: officer.token, body: { plate: owner.plate, kind: 'access' } });
    expectStatus(access, 200, 'officer access');
    expect(access.json.cases.map((c: { caseId: string }) => c.caseId)).to.include(caseId);
    const correction = await call(node, 'POST', '/v1/subject-requests', {
      token: officer.token,
      body: { plate: owner.plate, kind: 'correction', details: 'the vehicle type is wrong' },
    });
    expectStatus(correction, 201, 'correction');
    const answered = await call(node, 'POST', `/v1/subject-requests/${correction.json.requestId}/answer`, {
      token: officer.token,
      body: { outcome: 'corrected', reason: 'vehicle type corrected in the registry' },
    });
    expectStatus(answered, 201);
    expectStatus(await call(node, 'POST', '/v1/subject-requests', { body: { plate: owner.plate, kind: 'access' } }), 401);
  });
});
