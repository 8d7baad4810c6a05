/**
 * The three routes the web UI's workspace needs: `GET /v1/review-queue` (province scoping, oldest first, SLA
 * and case flags from the read model, paging, no plate), `GET /v1/me` (principal and enrolment folded from the
 * officer stream, authority limit from the catalog) and `GET /v1/projections` (status and lag; auditors and
 * admins). A real node: PostgreSQL event store, projections, ledger, real tokens and signed detections.
 */
import { expect } from 'chai';
import { AUTHORITY_LIMITS_VND } from '../../../src/domain/catalog/index.ts';
import { periodOfDays } from '../../../src/domain/case/periods.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';
import { waitFor } from '../../support/env.ts';
import { deriveForCase } from '../../support/media-derivation.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, SAIGON, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';

const DAY = 86_400_000;

describe('workspace routes: review queue, me, projections', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;
  /** The read models' "now" runs `readOffsetDays` ahead of the wall clock, so SLA deadlines can be reached. */
  let readOffsetDays = 0;
  const readClock = { now: () => new Date(Date.now() + readOffsetDays * DAY).toISOString() };
  /** Hà Nội cases, oldest observation first. */
  let hanoi: string[] = [];
  let saigonCase: string;

  before(async () => {
    node = await startApiNode('workspace', { projections: true, readClock });
    world = await buildHttpWorld(node);
    // Ingested newest observation first, so the queue order cannot come from the ingest order. The camera key
    // is in force from its registration (several requests ago), so a few milliseconds back is still valid.
    const base = Date.now();
    const ingested: string[] = [];
    for (let k = 0; k < 4; k++) {
      const camera = world.cameras[HANOI]!;
      const reply = await ingest(node, camera, await signedDetection(camera, { observedAt: new Date(base - k).toISOString() }));
      expectStatus(reply, 201, `ingest ${k}`);
      ingested.push(reply.json.caseId as string);
    }
    hanoi = [...ingested].reverse();
    const reply = await ingest(node, world.cameras[SAIGON]!, await signedDetection(world.cameras[SAIGON]!));
    expectStatus(reply, 201, 'ingest Sài Gòn');
    saigonCase = reply.json.caseId as string;
    await waitFor(
      async () => {
        const r = await call(node, 'GET', `/v1/review-queue?province=${SAIGON}`, { token: world.national.token });
        const h = await call(node, 'GET', '/v1/review-queue', { token: world.officers[HANOI]!.token });
        return r.status === 200 && r.json.items.length === 1 && h.status === 200 && h.json.items.length === 4;
      },
      { what: 'the review queue read model to hold the five cases' },
    );
  });
  after(async () => node?.close());

  /** The case's custody log (none yet: empty). */
  const custodyOf = async (caseId: string) => {
    try {
      return (await node.store.readStream(`custody-${caseId}`)).map((r) => r.record);
    } catch {
      return [];
    }
  };
  const custodyCounts = async (ids: string[]) => Promise.all(ids.map(async (id) => (await custodyOf(id)).length));
  /** Runs `requests`, then checks that no case's custody log grew. */
  const expectNoCustodyRecorded = async (requests: () => Promise<void>) => {
    const before = await custodyCounts([...hanoi, saigonCase]);
    await requests();
    expect(await custodyCounts([...hanoi, saigonCase])).to.deep.equal(before);
  };
  /** Each case's newest custody record is a view of its listing by the Hà Nội officer, for `purpose`. */
  const expectListingViewRecorded = async (ids: string[], purpose: string) => {
    for (const id of ids) {
      const last = (await custodyOf(id)).at(-1)!;
      expect(last.type).to.equal('EvidenceAccessed');
      expect(last.data).to.include({ caseId: id, access: 'view', purpose });
      expect(last.meta.actor).to.deep.equal({ kind: 'officer', id: world.officers[HANOI]!.officerId });
      expect(last.meta.province).to.equal(HANOI);
    }
  };

  const queue = async () => {
    const reply = await call(node, 'GET', '/v1/review-queue', { token: world.officers[HANOI]!.token });
    expectStatus(reply, 200);
    return reply;
  };

  describe('GET /v1/review-queue', () => {
    it("gives an officer their province's pending cases oldest first, with case flags and no plate", async () => {
      readOffsetDays = 0;
      const reply = await queue();
      expect(reply.headers.get('cache-control')).to.equal('no-store');
      expect(reply.json.province).to.equal(HANOI);
      expect(reply.json.next).to.equal(undefined);
      const items = reply.json.items as Record<string, unknown>[];
      expect(items.map((i) => i.caseId)).to.deep.equal(hanoi);
      expect(items.map((i) => i.caseId)).not.to.include(saigonCase);
      for (const item of items) {
        expect(item).not.to.have.property('plate');
        expect(item).not.to.have.property('fineVnd');
        expect(item.status).to.equal('detected');
        expect(item.province).to.equal(HANOI);
        expect(item.location).to.equal('Ngã tư Kim Mã – Liễu Giai');
        // A calibrated camera and no AI reading yet: no flag raised.
        expect(item.flags).to.deep.equal({ calibration: false, modelNotApproved: false, plateMismatch: false, plateDoubt: false });
        // Ten Vietnam calendar days after the day of the violation, to the end of the last day, moved past a
        // weekend or fixed holiday (src/domain/case/periods.ts).
        expect(item.noticeDueAt).to.equal(periodOfDays(item.observedAt as string, 10).endsAt);
        expect(item.sla).to.deep.equal({ noticeDueSoon: false, noticeOverdue: false, limitationApproaching: false, limitationPassed: false });
      }
    });

    it('computes the SLA flags on the server at the time of the request', async () => {
      const slaAt = async (days: number) => {
        readOffsetDays = days;
        return ((await queue()).json.items as { sla: Record<string, boolean> }[])[0]!.sla;
      };
      // The notice is due 10 Vietnam calendar days after the violation's day (later across a weekend): the
      // checks sit one day either side of the due instant the queue reports.
      const due = Date.parse(((await queue()).json.items as { noticeDueAt: string }[])[0]!.noticeDueAt);
      const dueInDays = (due - Date.now()) / DAY;
      try {
        expect(await slaAt(dueInDays - 1)).to.deep.equal({ noticeDueSoon: true, noticeOverdue: false, limitationApproaching: false, limitationPassed: false });
        expect(await slaAt(dueInDays + 1)).to.deep.equal({ noticeDueSoon: false, noticeOverdue: true, limitationApproaching: false, limitationPassed: false });
        expect(await slaAt(340)).to.deep.equal({ noticeDueSoon: false, noticeOverdue: true, limitationApproaching: true, limitationPassed: false });
        expect(await slaAt(370)).to.deep.equal({ noticeDueSoon: false, noticeOverdue: true, limitationApproaching: false, limitationPassed: true });
      } finally {
        readOffsetDays = 0;
      }
    });

    it('pages with an opaque cursor, keeping the order', async () => {
      const token = world.officers[HANOI]!.supervisorToken;
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (; pages < 10; pages++) {
        const reply = await call(node, 'GET', `/v1/review-queue?limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`, { token });
        expectStatus(reply, 200, `page ${pages}`);
        expect(reply.json.items.length).to.be.at.most(3);
        seen.push(...(reply.json.items as { caseId: string }[]).map((i) => i.caseId));
        after = reply.json.next as string | undefined;
        if (!after) break;
      }
      expect(pages).to.equal(1);
      expect(seen).to.deep.equal(hanoi);
    });

    it('scopes like the case routes: own province only, national staff name one', async () => {
      const officer = world.officers[HANOI]!;
      expectStatus(await call(node, 'GET', `/v1/review-queue?province=${SAIGON}`, { token: officer.token }), 403, 'other province');
      expectStatus(await call(node, 'GET', `/v1/review-queue?province=${HANOI}`, { token: officer.token }), 200, 'own province named');
      const national = world.national;
      const missing = await call(node, 'GET', '/v1/review-queue', { token: national.supervisorToken });
      expectStatus(missing, 400, 'national without province');
      expect(missing.json.type).to.contain('province-required');
      const saigon = await call(node, 'GET', `/v1/review-queue?province=${SAIGON}`, { token: national.token });
      expectStatus(saigon, 200, 'national names Sài Gòn');
      expect((saigon.json.items as { caseId: string }[]).map((i) => i.caseId)).to.deep.equal([saigonCase]);
    });

    describe('with include=plates (the officer screen)', () => {
      it('adds the plate and the thumbnail reference, after one custody record per listed case', async () => {
        // The media worker's thumbnail of the oldest case's overview (real sharp), as the worker records it.
        const [thumb] = await deriveForCase({ commands: node.services.commandDeps, evidence: node.evidence }, hanoi[0]!, { thumbnail: { width: 96 } });
        await waitFor(
          async () => {
            const r = await call(node, 'GET', '/v1/review-queue?include=plates', { token: world.officers[HANOI]!.token, purpose: 'review queue' });
            return r.status === 200 && (r.json.items as { thumbnail: unknown }[])[0]!.thumbnail !== null;
          },
          { what: 'the read model to hold the thumbnail' },
        );
        const before = await custodyCounts(hanoi);
        const reply = await call(node, 'GET', '/v1/review-queue?include=plates', { token: world.officers[HANOI]!.token, purpose: 'review queue' });
        expectStatus(reply, 200);
        const items = reply.json.items as { caseId: string; plate: string | null; thumbnail: { digest: string; mediaType: string; size: number } | null }[];
        expect(items.map((i) => i.caseId)).to.deep.equal(hanoi);
        for (const item of items) expect(item.plate).to.equal('30A-123.45');
        expect(items[0]!.thumbnail).to.deep.equal({ digest: thumb!.digest, mediaType: 'image/jpeg', size: thumb!.size });
        for (const item of items.slice(1)) expect(item.thumbnail).to.equal(null);
        const after = await custodyCounts(hanoi);
        expect(after).to.deep.equal(before.map((n) => n + 1));
        await expectListingViewRecorded(hanoi, 'review queue');
        // A listing names no blob: the record carries no digest.
        for (const id of hanoi) expect((await custodyOf(id)).at(-1)!.data).not.to.have.property('digest');

        // The thumbnail's bytes come from the evidence route, one more custody record (with its digest) per fetch.
        const image = await call(node, 'GET', `/v1/cases/${hanoi[0]}/evidence/${thumb!.digest}`, { token: world.officers[HANOI]!.token, purpose: 'review queue' });
        expectStatus(image, 200, 'thumbnail');
        expect(image.headers.get('content-type')).to.equal('image/jpeg');
        const fetched = (await custodyOf(hanoi[0]!)).at(-1)!;
        expect(fetched.data).to.include({ access: 'download', digest: thumb!.digest, purpose: 'review queue' });
        // Another province's officer gets neither the thumbnail nor a record in this case's log.
        const count = (await custodyOf(hanoi[0]!)).length;
        const foreign = await call(node, 'GET', `/v1/cases/${hanoi[0]}/evidence/${thumb!.digest}`, { token: world.officers[SAIGON]!.token, purpose: 'review queue' });
        expect(foreign.status).to.be.oneOf([403, 404]);
        expect((await custodyOf(hanoi[0]!)).length).to.equal(count);
      });

      it('files national staff records under the case province', async () => {
        const reply = await call(node, 'GET', `/v1/review-queue?province=${SAIGON}&include=plates`, { token: world.national.token, purpose: 'national review' });
        expectStatus(reply, 200);
        expect((reply.json.items as { plate: string }[]).map((i) => i.plate)).to.deep.equal(['30A-123.45']);
        const last = (await custodyOf(saigonCase)).at(-1)!;
        expect(last.data).to.include({ access: 'view', purpose: 'national review' });
        expect(last.meta.province).to.equal(SAIGON);
      });

      it('refuses without a purpose and across provinces, writing no custody record', async () => {
        await expectNoCustodyRecorded(async () => {
          const officer = world.officers[HANOI]!;
          const missing = await call(node, 'GET', '/v1/review-queue?include=plates', { token: officer.token });
          expectStatus(missing, 400, 'no purpose');
          expect(missing.json.type).to.contain('purpose-required');
          expectStatus(await call(node, 'GET', '/v1/review-queue?include=plates', { token: officer.token, purpose: 'x' }), 400, 'too short a purpose');
          expectStatus(await call(node, 'GET', '/v1/review-queue?include=plate', { token: officer.token, purpose: 'review queue' }), 400, 'unknown include');
          expectStatus(await call(node, 'GET', `/v1/review-queue?province=${SAIGON}&include=plates`, { token: officer.token, purpose: 'review queue' }), 403, 'other province');
        });
      });
    });

    it('admits officers and supervisors only, and refuses hostile input with 400', async () => {
      expectStatus(await call(node, 'GET', '/v1/review-queue'), 401, 'no token');
      for (const role of ['auditor', 'court', 'analyst', 'admin', 'device'] as const) {
        const token = await node.token(role, HANOI, `${role}-${world.suffix}`);
        expectStatus(await call(node, 'GET', '/v1/review-queue', { token }), 403, role);
      }
      const token = world.officers[HANOI]!.token;
      for (const query of ['province=abc', 'province=01%27--', 'limit=0', 'limit=201', 'after=%00%00', 'after=AAAA', 'sort=desc']) {
        expectStatus(await call(node, 'GET', `/v1/review-queue?${query}`, { token }), 400, query);
      }
      const unknownProvince = await call(node, 'GET', '/v1/review-queue?province=99', { token: world.national.token });
      expectStatus(unknownProvince, 400, 'unknown province');
    });
  });

  describe('GET /v1/cases with include=plates (the decision list)', () => {
    type Listed = { caseId: string; location: string; plate?: string | null; thumbnail?: unknown };

    it('lists without plates and records nothing, as before', async () => {
      await expectNoCustodyRecorded(async () => {
        const reply = await call(node, 'GET', '/v1/cases?status=detected', { token: world.officers[HANOI]!.token });
        expectStatus(reply, 200);
        const items = reply.json.items as Listed[];
        expect(items.map((i) => i.caseId).sort()).to.deep.equal([...hanoi].sort());
        for (const item of items) {
          expect(item).not.to.have.property('plate');
          expect(item).not.to.have.property('thumbnail');
          expect(item.location).to.be.a('string').and.not.equal('');
        }
      });
    });

    it('adds plate and thumbnail reference after one custody record per listed case, with the stated purpose', async () => {
      const before = await custodyCounts([...hanoi, saigonCase]);
      const reply = await call(node, 'GET', '/v1/cases?status=detected&include=plates', { token: world.officers[HANOI]!.token, purpose: 'decision list' });
      expectStatus(reply, 200);
      const items = reply.json.items as Listed[];
      expect(items.map((i) => i.caseId).sort()).to.deep.equal([...hanoi].sort());
      for (const item of items) {
        expect(item.plate).to.equal('30A-123.45');
        expect(item).to.have.property('thumbnail');
      }
      expect(await custodyCounts(hanoi)).to.deep.equal(before.slice(0, hanoi.length).map((n) => n + 1));
      expect(await custodyCounts([saigonCase])).to.deep.equal(before.slice(hanoi.length), 'another province: nothing recorded');
      await expectListingViewRecorded(hanoi, 'decision list');
    });

    it('files national staff records under each case province', async () => {
      const before = await custodyCounts([...hanoi, saigonCase]);
      const reply = await call(node, 'GET', '/v1/cases?status=detected&include=plates', { token: world.national.token, purpose: 'national decision list' });
      expectStatus(reply, 200);
      expect((reply.json.items as Listed[]).map((i) => i.caseId).sort()).to.deep.equal([...hanoi, saigonCase].sort());
      expect(await custodyCounts([...hanoi, saigonCase])).to.deep.equal(before.map((n) => n + 1));
      expect((await custodyOf(saigonCase)).at(-1)!.meta.province).to.equal(SAIGON);
      expect((await custodyOf(hanoi[0]!)).at(-1)!.meta.province).to.equal(HANOI);
      // Naming one province narrows the list (and the records) to it.
      const one = await call(node, 'GET', `/v1/cases?status=detected&province=${SAIGON}&include=plates`, { token: world.national.token, purpose: 'national decision list' });
      expectStatus(one, 200);
      expect((one.json.items as Listed[]).map((i) => i.caseId)).to.deep.equal([saigonCase]);
      expect(await custodyCounts([...hanoi, saigonCase])).to.deep.equal([...before.slice(0, hanoi.length).map((n) => n + 1), before.at(-1)! + 2]);
    });

    it('refuses without a purpose, with a bad include and across provinces, writing no custody record', async () => {
      await expectNoCustodyRecorded(async () => {
        const officer = world.officers[HANOI]!;
        const missing = await call(node, 'GET', '/v1/cases?include=plates', { token: officer.token });
        expectStatus(missing, 400, 'no purpose');
        expect(missing.json.type).to.contain('purpose-required');
        expectStatus(await call(node, 'GET', '/v1/cases?include=plates', { token: officer.token, purpose: 'x' }), 400, 'too short a purpose');
        expectStatus(await call(node, 'GET', '/v1/cases?include=owner', { token: officer.token, purpose: 'decision list' }), 400, 'unknown include');
        expectStatus(await call(node, 'GET', '/v1/cases?province=1', { token: officer.token }), 400, 'malformed province');
        const foreign = await call(node, 'GET', `/v1/cases?province=${SAIGON}&include=plates`, { token: officer.token, purpose: 'decision list' });
        expectStatus(foreign, 403, 'other province');
        expect(foreign.json.type).to.contain('forbidden');
        expectStatus(await call(node, 'GET', `/v1/cases?province=${SAIGON}`, { token: officer.token }), 403, 'other province, no plates');
      });
    });
  });

  describe('GET /v1/me', () => {
    it("gives an officer their principal, enrolment from the officer stream and the title's authority limit", async () => {
      const officer = world.officers[HANOI]!;
      const reply = await call(node, 'GET', '/v1/me', { token: officer.supervisorToken });
      expectStatus(reply, 200);
      expect(reply.json.principal).to.deep.equal({ subject: officer.officerId, role: 'supervisor', province: HANOI });
      expect(reply.json.enrolment).to.deep.equal({
        officerId: officer.officerId,
        title: 'provincial-police-director',
        roles: ['reviewer', 'decider', 'supervisor'],
        province: HANOI,
        active: true,
        keyIdsInForce: [officer.key.keyId],
        authorityLimitVnd: {
          individual: AUTHORITY_LIMITS_VND['provincial-police-director'],
          organisation: 2 * AUTHORITY_LIMITS_VND['provincial-police-director'],
        },
      });
    });

    it('follows rotation and suspension: only the new key is in force, and a suspended officer is not active', async () => {
      const officer = world.officers[SAIGON]!;
      const next = generateKeyPair();
      expectStatus(
        await call(node, 'POST', `/v1/admin/officers/${officer.officerId}/keys`, { token: world.adminToken, body: { publicKey: next.publicKey } }),
        200,
        'rotate',
      );
      let me = await call(node, 'GET', '/v1/me', { token: officer.token });
      expectStatus(me, 200);
      expect(me.json.enrolment.keyIdsInForce).to.deep.equal([next.keyId]);
      expect(me.json.enrolment.active).to.equal(true);
      expectStatus(
        await call(node, 'POST', `/v1/admin/officers/${officer.officerId}/suspend`, { token: world.adminToken, body: { reason: 'inquiry' } }),
        200,
        'suspend',
      );
      me = await call(node, 'GET', '/v1/me', { token: officer.token });
      expect(me.json.enrolment.active).to.equal(false);
    });

    it('answers null enrolment for an officer token without an officer stream, and none for other roles', async () => {
      const stranger = await call(node, 'GET', '/v1/me', { token: await node.token('officer', HANOI, `nobody-${world.suffix}`) });
      expectStatus(stranger, 200);
      expect(stranger.json.enrolment).to.equal(null);
      const analyst = await call(node, 'GET', '/v1/me', { token: await node.token('analyst', '00', `analyst-${world.suffix}`) });
      expectStatus(analyst, 200);
      expect(analyst.json).to.deep.equal({ principal: { subject: `analyst-${world.suffix}`, role: 'analyst', province: '00' } });
      expectStatus(await call(node, 'GET', '/v1/me'), 401, 'no token');
    });
  });

  describe('GET /v1/projections', () => {
    it('shows auditors and admins every projection with its checkpoint and lag', async () => {
      for (const role of ['auditor', 'admin'] as const) {
        const reply = await call(node, 'GET', '/v1/projections', { token: await node.token(role, '00', `${role}-${world.suffix}`) });
        expectStatus(reply, 200, role);
        const projections = reply.json.projections as Record<string, unknown>[];
        const names = projections.map((p) => p.name);
        expect(names).to.include.members(['case-views', 'case-timeline', 'citizen-lookup', 'custody-log']);
        expect(names.length).to.equal((await node.projectionRunner!.status()).length);
        for (const p of projections) {
          expect(p.state).to.equal('running');
          expect(p.error).to.equal(null);
          expect(typeof p.lagEvents).to.equal('number');
          expect(typeof p.lagSeconds).to.equal('number');
          // The event store's opaque checkpoint; counts that are 64-bit come as decimal strings, never numbers.
          expect(p.checkpoint).to.be.a('string').and.not.equal('');
          expect(p.eventsSeen).to.match(/^\d+$/);
        }
      }
    });

    it('refuses everyone else', async () => {
      expectStatus(await call(node, 'GET', '/v1/projections'), 401, 'no token');
      for (const role of ['officer', 'supervisor', 'court', 'analyst', 'device'] as const) {
        const token = await node.token(role, '00', `${role}-${world.suffix}`);
        expectStatus(await call(node, 'GET', '/v1/projections', { token }), 403, role);
      }
    });

    it('answers 503 on a node that runs no projections', async () => {
      const bare = await startApiNode('workspace-bare', { sequencer: false });
      try {
        const reply = await call(bare, 'GET', '/v1/projections', { token: await bare.token('auditor', '00', 'auditor-bare') });
        expectStatus(reply, 503);
        expect(reply.json.type).to.contain('projections-not-running');
      } finally {
        await bare.close();
      }
    });
  });
});
