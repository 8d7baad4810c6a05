/**
 * The camera-case procedure over HTTP (docs/legal-procedure.md): a transfer hands the case to the receiving
 * province's officers (they see it and act; the camera province's no longer act), explanation and driver, the
 * record carrying the explanation, the 20-day refusal as an RFC 9457 problem, and the citizen flag field.
 */
import { expect } from 'chai';
import { carViolation } from '../../unit/domain/case-fixtures.ts';
import { buildRecordSignoff, buildReviewSignoff, buildTransferSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, SAIGON, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';
import { waitFor } from '../../support/env.ts';

describe('HTTP: the camera-case procedure routes', function () {
  this.timeout(180_000);
  let node: ApiNode;
  let world: HttpWorld;
  const entry = carViolation();

  before(async () => {
    node = await startApiNode('http_procedure', { projections: true });
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  /** The list item of `caseId` in the `status` list as `token` sees it (undefined when absent). */
  async function listed(token: string, status: string, caseId: string): Promise<Record<string, unknown> | undefined> {
    const list = await call(node, 'GET', `/v1/cases?status=${status}&limit=200`, { token });
    expectStatus(list, 200, 'list');
    return (list.json.items as Record<string, unknown>[]).find((c) => c.caseId === caseId);
  }

  /** A Hà Nội case reviewed with its owner recorded, and the fields every sign-off on it carries. */
  async function ownedCase(): Promise<string> {
    const camera = world.cameras[HANOI]!;
    const created = await ingest(node, camera, await signedDetection(camera));
    expectStatus(created, 201, 'ingest');
    const caseId = created.json.caseId as string;
    const officer = world.officers[HANOI]!;
    const basis = await common(caseId, officer.token);
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/review`, {
        token: officer.token,
        body: signSignoff(buildReviewSignoff({ ...basis, decision: 'confirm' }), officer.key.secretKey),
      }),
      200,
      'review',
    );
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/owner`, {
        token: officer.token,
        body: { owner: { kind: 'individual', ref: 'own-proc-1' }, registry: 'reg' },
      }),
      200,
      'owner',
    );
    return caseId;
  }
  async function common(caseId: string, token: string) {
    const doc = await call(node, 'GET', `/v1/cases/${caseId}`, { token, purpose: 'procedure test' });
    expectStatus(doc, 200, 'case');
    const basis = doc.json.signoffBasis as { caseRevision: number; evidence: string[] };
    return {
      caseId,
      caseRevision: basis.caseRevision,
      violationCode: entry.code,
      plate: doc.json.signoffBasis.plate as string,
      evidence: basis.evidence,
      signedAt: new Date().toISOString(),
    };
  }

  it('transfers a case to the owner’s province, whose officers then see it and issue the notice', async () => {
    const caseId = await ownedCase();
    const hanoi = world.officers[HANOI]!;
    const saigon = world.officers[SAIGON]!;
    expectStatus(await call(node, 'GET', `/v1/cases/${caseId}`, { token: saigon.token, purpose: 'before' }), 404, 'not yet visible');
    const transfer = signSignoff(
      buildTransferSignoff({ ...(await common(caseId, hanoi.token)), toProvince: SAIGON, reason: 'Owner resides in TP. HCM' }),
      hanoi.key.secretKey,
    );
    const moved = await call(node, 'POST', `/v1/cases/${caseId}/transfer`, { token: hanoi.token, body: transfer });
    expectStatus(moved, 200, 'transfer');
    const seen = await call(node, 'GET', `/v1/cases/${caseId}`, { token: saigon.token, purpose: 'after' });
    expectStatus(seen, 200, 'visible to the receiving province');
    expect(seen.json.procedure.transferredTo).to.equal(SAIGON);
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/notices`, { token: saigon.token, body: { noticeId: 'ntc-79', channel: 'post' } }),
      200,
      'notice by the receiving province',
    );
    const refused = await call(node, 'POST', `/v1/cases/${caseId}/notices`, {
      token: hanoi.token,
      body: { noticeId: 'ntc-01', channel: 'post' },
    });
    expect(refused.status).to.equal(403);
    // The lists follow the handling unit: the receiving province lists it (the record still missing), the
    // transferring province no longer does.
    await waitFor(async () => (await listed(saigon.token, 'noticed', caseId)) !== undefined, { what: 'listed in TP. HCM', timeoutMs: 60_000 });
    expect(await listed(saigon.token, 'noticed', caseId)).to.deep.include({ handlingProvince: SAIGON, missingStep: 'record', province: HANOI });
    expect(await listed(hanoi.token, 'noticed', caseId)).to.equal(undefined);
  });

  it('records the explanation and the driver, then the record carrying the explanation; refuses the unresponsive owner early', async () => {
    const caseId = await ownedCase();
    const officer = world.officers[HANOI]!;
    const post = (path: string, body: unknown) => call(node, 'POST', `/v1/cases/${caseId}${path}`, { token: officer.token, body });
    expectStatus(await post('/notices', { noticeId: 'ntc-1', channel: 'vnetraffic' }), 200, 'notice');
    const early = await post('/notices/ntc-1/unresponsive', {});
    expect(early.status).to.equal(422);
    expect(early.json.type).to.match(/procedure-period-running$/);
    const statement = 'My sister drove the car that day';
    expectStatus(await post('/explanations', { explanationId: 'exp-1', channel: 'online', statement }), 200, 'explanation');
    const driver = { kind: 'individual', ref: 'person-proc-2' } as const;
    expectStatus(await post('/driver', { driver, licenceRef: 'gplx-proc-2' }), 200, 'driver');
    const record = signSignoff(
      buildRecordSignoff({ ...(await common(caseId, officer.token)), recordId: 'bb-proc-1', offender: driver, explanation: statement }),
      officer.key.secretKey,
    );
    expectStatus(await post('/record', record), 200, 'record');
    const doc = await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'check' });
    expect(doc.json.procedure.record).to.include({ recordId: 'bb-proc-1' });
    expect(doc.json.procedure.driver).to.deep.equal({ person: driver, licenceRef: 'gplx-proc-2' });
    expect(doc.json.procedure.explanations.map((e: { channel: string }) => e.channel)).to.deep.equal(['online']);
    // The statement is in the case view, so the officer drawing up the record need not retype it.
    expect(doc.json.procedure.explanations[0].statement).to.equal(statement);
    // The decision list marks it decidable once the record is drawn.
    await waitFor(async () => (await listed(officer.token, 'noticed', caseId))?.missingStep === null, { what: 'decidable in the list', timeoutMs: 60_000 });
    const types = (await node.store.readStream(streams.case(caseId))).map((r) => r.record.type);
    expect(types.slice(-3)).to.deep.equal(['ExplanationSubmitted', 'DriverIdentified', 'ViolationRecordDrawn']);
  });
});
