/**
 * Issue 10, item 1 (a hostile test found it): a token whose subject is not an enrolled officer, or is a
 * suspended one, filed an appeal on a case decided with a signed penalty, resolved it as overturned, recorded
 * a payment and closed the case, all answered 200.
 *
 * Table-driven over HTTP: every officer write route × actor state (unknown subject, suspended officer, revoked
 * key for signed routes, wrong role, other province, device token, a token claiming to be a service) → refused
 * with its problem type, and nothing appended; then the allowed officer runs every route and succeeds.
 */
import { expect } from 'chai';
import { PROBLEM_BASE } from '../../../src/adapters/http/problem.ts';
import type { Role } from '../../../src/adapters/auth/roles.ts';
import { streams } from '../../../src/domain/record.ts';
import {
  buildAppealSignoff,
  buildDecisionSignoff,
  buildRecordSignoff,
  buildReviewSignoff,
  buildVoidSignoff,
  signSignoff,
} from '../../../src/domain/signoff/index.ts';
import { generateKeyPair, type Ed25519KeyPair } from '../../../src/domain/signoff/keys.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  SAIGON,
  buildHttpWorld,
  call,
  carViolation,
  expectStatus,
  ingest,
  signedDetection,
  type HttpWorld,
  type Reply,
} from './support/world.ts';

interface Actor {
  officerId: string;
  key: Ed25519KeyPair;
  token: string;
  supervisorToken: string;
}

interface Ctx {
  node: ApiNode;
  world: HttpWorld;
  /** A decided case with an open appeal `apl-1`, reached by the allowed officer. */
  appealedCase: string;
  /** A case only detected (the review route needs one). */
  detectedCase: string;
  /** A case reviewed, its owner noticed and the violation record drawn (the decision route needs one). */
  confirmedCase: string;
  /** A case reviewed and its owner noticed, without a record (the record route needs one). */
  noticedCase: string;
}

const PLATE = '30A-123.45';
const entry = carViolation();

async function revision(node: ApiNode, caseId: string): Promise<number> {
  return (await node.store.readStream(streams.case(caseId))).length - 1;
}
async function evidenceOf(node: ApiNode, caseId: string): Promise<string[]> {
  const [first] = await node.store.readStream(streams.case(caseId), { maxCount: 1 });
  const detection = (first!.record.data as { detection: { evidence: { digest: string }[] } }).detection;
  return detection.evidence.map((e) => e.digest).sort();
}

/** Bodies for each route, signed where the route takes a sign-off, at the case's current revision. */
async function common(node: ApiNode, caseId: string) {
  return {
    caseId,
    caseRevision: await revision(node, caseId),
    violationCode: entry.code,
    plate: PLATE,
    evidence: await evidenceOf(node, caseId),
    signedAt: new Date().toISOString(),
  };
}

interface RouteRow {
  name: string;
  signed: boolean;
  /** Routes only supervisors may call at the token level. */
  supervisorOnly?: boolean;
  request: (ctx: Ctx, who: Actor) => Promise<[string, unknown]>;
}

const ROUTES: RouteRow[] = [
  {
    name: 'review',
    signed: true,
    request: async (c, who) => [
      `/v1/cases/${c.detectedCase}/review`,
      signSignoff(
        buildReviewSignoff({ ...(await common(c.node, c.detectedCase)), decision: 'confirm' }),
        who.key.secretKey,
      ),
    ],
  },
  {
    name: 'decision',
    signed: true,
    request: async (c, who) => [
      `/v1/cases/${c.confirmedCase}/decision`,
      signSignoff(
        buildDecisionSignoff({
          ...(await common(c.node, c.confirmedCase)),
          fineVnd: entry.fineMinVnd,
          points: entry.points,
          legalBasis: { ...entry.legalBasis },
          offender: { kind: 'individual', ref: 'own-x' },
        }),
        who.key.secretKey,
      ),
    ],
  },
  {
    name: 'record',
    signed: true,
    request: async (c, who) => [
      `/v1/cases/${c.noticedCase}/record`,
      signSignoff(
        buildRecordSignoff({
          ...(await common(c.node, c.noticedCase)),
          recordId: 'bb-http-1',
          offender: { kind: 'individual', ref: 'own-x' },
        }),
        who.key.secretKey,
      ),
    ],
  },
  {
    name: 'void',
    signed: true,
    supervisorOnly: true,
    request: async (c, who) => [
      `/v1/cases/${c.appealedCase}/void`,
      signSignoff(
        buildVoidSignoff({ ...(await common(c.node, c.appealedCase)), voidReason: 'hostile test' }),
        who.key.secretKey,
      ),
    ],
  },
  {
    name: 'appeal resolution',
    signed: true,
    request: async (c, who) => [
      `/v1/cases/${c.appealedCase}/appeals/apl-1/resolution`,
      signSignoff(
        buildAppealSignoff({
          ...(await common(c.node, c.appealedCase)),
          appealId: 'apl-1',
          outcome: 'overturned',
          reason: 'clone plate',
          fineVnd: 0,
        }),
        who.key.secretKey,
      ),
    ],
  },
  {
    name: 'file appeal',
    signed: false,
    request: async (c) => [`/v1/cases/${c.appealedCase}/appeals`, { appealId: 'apl-2', grounds: 'again' }],
  },
  {
    name: 'payment',
    signed: false,
    request: async (c) => [
      `/v1/cases/${c.appealedCase}/payments`,
      { paymentRef: 'pay-hostile', amountVnd: entry.fineMinVnd, channel: 'state-treasury' },
    ],
  },
  { name: 'close', signed: false, request: async (c) => [`/v1/cases/${c.appealedCase}/close`, {}] },
  {
    name: 'owner',
    signed: false,
    request: async (c) => [
      `/v1/cases/${c.appealedCase}/owner`,
      { owner: { kind: 'individual', ref: 'own-x' }, registry: 'reg' },
    ],
  },
  {
    name: 'owner not found',
    signed: false,
    request: async (c) => [
      `/v1/cases/${c.appealedCase}/owner-not-found`,
      { registry: 'reg', reason: 'none' },
    ],
  },
  {
    name: 'notice',
    signed: false,
    request: async (c) => [`/v1/cases/${c.appealedCase}/notices`, { noticeId: 'ntc-1', channel: 'post' }],
  },
  {
    name: 'notice delivery',
    signed: false,
    request: async (c) => [`/v1/cases/${c.appealedCase}/notices/ntc-1/delivery`, { outcome: 'delivered' }],
  },
];

describe('officer writes: every route × actor state (issue 10)', function () {
  this.timeout(180_000);
  const ctx = {} as Ctx;
  const actors = {} as Record<
    'allowed' | 'unknown' | 'suspended' | 'revoked' | 'wrongRole' | 'otherProvince',
    Actor
  >;

  const enrol = async (id: string, province: string, roles: string[]): Promise<Actor> => {
    const key = generateKeyPair();
    expectStatus(
      await call(ctx.node, 'POST', '/v1/admin/officers', {
        token: ctx.world.adminToken,
        body: {
          officerId: id,
          province,
          title: 'provincial-police-director',
          roles,
          publicKey: key.publicKey,
        },
      }),
      201,
      `enrol ${id}`,
    );
    // The token's province is the case's (01): the enrolment, not the token, decides where an officer acts.
    return {
      officerId: id,
      key,
      token: await ctx.node.token('officer', HANOI, id),
      supervisorToken: await ctx.node.token('supervisor', HANOI, id),
    };
  };
  const post = (path: string, token: string, body: unknown): Promise<Reply> =>
    call(ctx.node, 'POST', path, { token, body });
  const ok = async (row: RouteRow, who: Actor, c = ctx): Promise<Reply> => {
    const [path, body] = await row.request(c, who);
    const reply = await post(path, row.supervisorOnly ? who.supervisorToken : who.token, body);
    expectStatus(reply, 200, row.name);
    return reply;
  };
  const newCase = async (): Promise<string> => {
    const created = await ingest(
      ctx.node,
      ctx.world.cameras[HANOI]!,
      await signedDetection(ctx.world.cameras[HANOI]!),
    );
    expectStatus(created, 201);
    return created.json.caseId as string;
  };

  /** Review, owner and notice by the allowed officer: the case is ready for the violation record. */
  const noticeOwner = async (caseId: string): Promise<void> => {
    const route = (name: string) => ROUTES.find((r) => r.name === name)!;
    await ok(route('review'), actors.allowed, { ...ctx, detectedCase: caseId });
    await ok(route('owner'), actors.allowed, { ...ctx, appealedCase: caseId });
    await ok(route('notice'), actors.allowed, { ...ctx, appealedCase: caseId });
  };

  before(async function () {
    ctx.node = await startApiNode('http_officer_writes');
    ctx.world = await buildHttpWorld(ctx.node);
    const s = ctx.world.suffix;
    actors.allowed = await enrol(`ok-${s}`, HANOI, ['reviewer', 'decider', 'supervisor']);
    actors.suspended = await enrol(`susp-${s}`, HANOI, ['reviewer', 'decider', 'supervisor']);
    expectStatus(
      await post(`/v1/admin/officers/susp-${s}/suspend`, ctx.world.adminToken, { reason: 'inquiry' }),
      200,
      'suspend',
    );
    actors.revoked = await enrol(`rev-${s}`, HANOI, ['reviewer', 'decider', 'supervisor']);
    const oldKeyId = (await import('../../../src/domain/signoff/keys.ts')).keyIdOf(
      actors.revoked.key.publicKey,
    );
    expectStatus(
      await post(`/v1/admin/officers/rev-${s}/keys`, ctx.world.adminToken, {
        publicKey: generateKeyPair().publicKey,
      }),
      200,
      'rotate',
    );
    expectStatus(
      await post(`/v1/admin/officers/rev-${s}/keys/${oldKeyId}/revoke`, ctx.world.adminToken, {
        reason: 'lost',
      }),
      200,
      'revoke',
    );
    actors.wrongRole = await enrol(`anl-${s}`, HANOI, ['analyst', 'auditor']);
    actors.otherProvince = await enrol(`hcm-${s}`, SAIGON, ['reviewer', 'decider', 'supervisor']);
    actors.unknown = {
      officerId: `ghost-${s}`,
      key: generateKeyPair(),
      token: await ctx.node.token('officer', HANOI, `ghost-${s}`),
      supervisorToken: await ctx.node.token('supervisor', HANOI, `ghost-${s}`),
    };

    // The cases, driven by the allowed officer: detected, noticed, recorded, and decided with an open appeal.
    ctx.detectedCase = await newCase();
    ctx.noticedCase = await newCase();
    ctx.confirmedCase = await newCase();
    ctx.appealedCase = await newCase();
    for (const caseId of [ctx.noticedCase, ctx.confirmedCase, ctx.appealedCase])
      await noticeOwner(caseId);
    for (const caseId of [ctx.confirmedCase, ctx.appealedCase])
      await ok(ROUTES.find((r) => r.name === 'record')!, actors.allowed, { ...ctx, noticedCase: caseId });
    const decision = ROUTES.find((r) => r.name === 'decision')!;
    await ok(decision, actors.allowed, { ...ctx, confirmedCase: ctx.appealedCase });
    expectStatus(
      await post(`/v1/cases/${ctx.appealedCase}/appeals`, actors.allowed.token, {
        appealId: 'apl-1',
        grounds: 'not me',
      }),
      200,
    );
  });
  after(async () => ctx.node?.close());

  const STATES: { name: string; who: keyof typeof actors; type: string; signedOnly?: boolean }[] = [
    { name: 'an unknown subject', who: 'unknown', type: 'officer-not-enrolled' },
    { name: 'a suspended officer', who: 'suspended', type: 'officer-not-active' },
    {
      name: 'an officer whose signing key is revoked',
      who: 'revoked',
      type: 'officer-key-not-in-force',
      signedOnly: true,
    },
    { name: 'an officer without a role for the command', who: 'wrongRole', type: 'officer-lacks-role' },
    {
      name: 'an officer enrolled in another province',
      who: 'otherProvince',
      type: 'officer-outside-province',
    },
  ];

  for (const row of ROUTES) {
    describe(`POST ${row.name}`, () => {
      for (const state of STATES) {
        if (state.signedOnly && !row.signed) continue;
        it(`${state.name} → 403 ${state.type}, nothing appended`, async () => {
          const who = actors[state.who];
          const [path, body] = await row.request(ctx, who);
          const caseId = path.split('/')[3]!;
          const before = await revision(ctx.node, caseId);
          const reply = await post(path, row.supervisorOnly ? who.supervisorToken : who.token, body);
          expectStatus(reply, 403, `${row.name} as ${state.name}`);
          expect(reply.json.type).to.equal(`${PROBLEM_BASE}${state.type}`);
          expect(await revision(ctx.node, caseId)).to.equal(before);
        });
      }
      it('a device token → 403 forbidden', async () => {
        const [path, body] = await row.request(ctx, actors.allowed);
        const reply = await post(path, ctx.world.cameras[HANOI]!.token, body);
        expectStatus(reply, 403);
        expect(reply.json.type).to.equal(`${PROBLEM_BASE}forbidden`);
      });
      it('a token claiming to be a service → 401 (no token is ever a service actor)', async () => {
        const token = await ctx.node.issuer.mint({
          subject: 'owner-lookup-worker',
          role: 'service' as Role,
          province: HANOI,
        });
        const [path, body] = await row.request(ctx, actors.allowed);
        const reply = await post(path, token, body);
        expectStatus(reply, 401);
        expect(reply.json.type).to.equal(`${PROBLEM_BASE}unauthenticated`);
      });
    });
  }

  // A nested suite, so it runs after the refusals (mocha runs a suite's own tests before its child suites).
  describe('then the allowed officer', () =>
    it('runs every route to the end: resolve (signed), pay, close; owner-not-found; void', async () => {
      const route = (name: string) => ROUTES.find((r) => r.name === name)!;
      await ok(route('notice delivery'), actors.allowed);
      const resolved = await ok(route('appeal resolution'), actors.allowed);
      expect(resolved.json.status).to.equal('appeal-resolved');
      const [record] = (await ctx.node.store.readStream(streams.case(ctx.appealedCase))).slice(-1);
      expect(record!.record.type).to.equal('AppealResolved');
      expect((record!.record.data as { signoff: { purpose: string } }).signoff.purpose).to.equal('appeal/v1');
      expect(await ok(route('close'), actors.allowed)).to.have.nested.property('json.status', 'closed');
      await ok(route('file appeal'), actors.allowed);
      // A fresh case for payment: decided, paid, closed.
      const paidCase = await newCase();
      await noticeOwner(paidCase);
      await ok(route('record'), actors.allowed, { ...ctx, noticedCase: paidCase });
      await ok(route('decision'), actors.allowed, { ...ctx, confirmedCase: paidCase });
      await ok(route('payment'), actors.allowed, { ...ctx, appealedCase: paidCase });
      await ok(route('close'), actors.allowed, { ...ctx, appealedCase: paidCase });
      await ok(route('review'), actors.allowed);
      await ok(route('owner not found'), actors.allowed, { ...ctx, appealedCase: ctx.detectedCase });
      await ok(route('record'), actors.allowed);
      await ok(route('decision'), actors.allowed);
      await ok(route('void'), actors.allowed);
    }));
});
