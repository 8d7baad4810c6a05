/**
 * Zero trust, table-driven: every role × route × province scope against one case of Hà Nội (01). Scopes:
 * `same` (a token of province 01), `other` (79), `national` (00). Expected: 401 without a token; 403 when the
 * role may not call the route; 404 (never 403) when the role may but the case lies outside its province;
 * otherwise the route's own answer (a write that reaches the domain gets the domain's refusal, which proves
 * the caller got through).
 */
import { expect } from 'chai';
import type { Role } from '../../../src/adapters/auth/roles.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { buildHoldSignoff, buildReviewSignoff, buildVoidSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  SAIGON,
  buildHttpWorld,
  call,
  expectStatus,
  ingest,
  signedDetection,
  type HttpWorld,
  type CallOptions,
} from './support/world.ts';

type Scope = 'same' | 'other' | 'national';
const SCOPES: Scope[] = ['same', 'other', 'national'];
const PROVINCE: Record<Scope, string> = { same: HANOI, other: SAIGON, national: '00' };
const ROLES: Role[] = ['device', 'officer', 'supervisor', 'auditor', 'court', 'analyst', 'admin'];
const PURPOSE = 'access matrix check';

interface Ctx {
  node: ApiNode;
  world: HttpWorld;
  caseId: string;
  digest: string;
  revision: number;
  evidence: string[];
}

interface Principal {
  role: Role;
  scope: Scope;
  province: string;
  subject: string;
  token: string;
  officerKeyId?: string;
  officerSecretKey?: Uint8Array;
}

interface Row {
  name: string;
  /** Roles the route admits at all. */
  roles: readonly Role[];
  /** Whether the case's province limits the route (404 outside it). */
  caseScoped: boolean;
  /** The status an admitted caller in scope gets. */
  ok: number | ((p: Principal) => number);
  /** Per-role scope rule for routes limited by something else than a case (statistics). */
  scopeRule?: (p: Principal) => number | undefined;
  request: (ctx: Ctx, p: Principal | undefined) => [string, string, CallOptions];
}

function signoffBody(ctx: Ctx, p: Principal, kind: 'review' | 'void') {
  const common = {
    caseId: ctx.caseId,
    caseRevision: ctx.revision,
    violationCode: 'x',
    plate: '30A-123.45',
    evidence: ctx.evidence,
    signedAt: new Date().toISOString(),
  };
  const payload =
    kind === 'review'
      ? buildReviewSignoff({ ...common, decision: 'confirm' })
      : buildVoidSignoff({ ...common, voidReason: 'matrix' });
  // A well-formed sign-off signed by a stranger under the officer's key id: the domain refuses it (422), which
  // shows the caller passed every access check before it.
  const signed = signSignoff(payload, generateKeyPair().secretKey);
  return { ...signed, keyId: p.officerKeyId ?? signed.keyId };
}

/** A hold order: an officer's signed hold/v1 sign-off (a court's request carries none). */
function holdBody(ctx: Ctx, p: Principal | undefined) {
  const fields = { holdId: `hold-${p?.role ?? 'none'}-${p?.scope ?? 'none'}`, reference: 'QĐ 1/2026', reason: 'matrix' };
  if (!p?.officerSecretKey) return fields;
  const signoff = buildHoldSignoff({ caseId: ctx.caseId, action: 'place', authority: 'officer', signedAt: new Date().toISOString(), ...fields });
  return { ...fields, ...signSignoff(signoff, p.officerSecretKey) };
}

const READERS: Role[] = ['officer', 'supervisor', 'auditor', 'court'];
const WRITERS: Role[] = ['officer', 'supervisor'];
const OFFICIALS: Role[] = ['officer', 'supervisor', 'auditor', 'court', 'analyst', 'admin'];

const ROWS: Row[] = [
  {
    name: 'GET case detail',
    roles: READERS,
    caseScoped: true,
    ok: 200,
    request: (c, p) => ['GET', `/v1/cases/${c.caseId}`, { purpose: PURPOSE, token: p?.token }],
  },
  {
    name: 'GET evidence',
    roles: READERS,
    caseScoped: true,
    ok: 200,
    request: (c, p) => [
      'GET',
      `/v1/cases/${c.caseId}/evidence/${c.digest}`,
      { purpose: PURPOSE, token: p?.token },
    ],
  },
  {
    name: 'GET bundle',
    roles: READERS,
    caseScoped: true,
    ok: 200,
    request: (c, p) => ['GET', `/v1/cases/${c.caseId}/bundle`, { purpose: PURPOSE, token: p?.token }],
  },
  {
    name: 'POST legal hold',
    roles: ['officer', 'supervisor', 'court'],
    caseScoped: true,
    ok: 201,
    request: (c, p) => [
      'POST',
      `/v1/cases/${c.caseId}/holds`,
      { token: p?.token, body: holdBody(c, p) },
    ],
  },
  {
    name: 'GET retention state',
    roles: READERS,
    caseScoped: true,
    ok: 200,
    request: (c, p) => ['GET', `/v1/cases/${c.caseId}/retention`, { token: p?.token }],
  },
  {
    name: 'GET case list',
    roles: READERS,
    caseScoped: false,
    ok: 200,
    request: (_c, p) => ['GET', '/v1/cases?limit=10', { token: p?.token }],
  },
  {
    name: 'POST notice (case not reviewed: 409)',
    roles: WRITERS,
    caseScoped: true,
    ok: 409,
    request: (c, p) => [
      'POST',
      `/v1/cases/${c.caseId}/notices`,
      { token: p?.token, body: { noticeId: 'ntc-matrix', channel: 'post' } },
    ],
  },
  {
    name: 'POST review (stranger signature: 422)',
    roles: WRITERS,
    caseScoped: true,
    ok: 422,
    request: (c, p) => [
      'POST',
      `/v1/cases/${c.caseId}/review`,
      { token: p?.token, body: p ? signoffBody(c, p, 'review') : {} },
    ],
  },
  {
    name: 'POST void (stranger signature: 422)',
    roles: ['supervisor'],
    caseScoped: true,
    ok: 422,
    request: (c, p) => [
      'POST',
      `/v1/cases/${c.caseId}/void`,
      { token: p?.token, body: p ? signoffBody(c, p, 'void') : {} },
    ],
  },
  {
    name: 'POST calibration again (409)',
    roles: ['admin'],
    caseScoped: true,
    ok: 409,
    request: (c, p) => [
      'POST',
      `/v1/admin/cameras/${c.world.cameras[HANOI]!.cameraId}/calibrations`,
      {
        token: p?.token,
        body: {
          certificateId: `VMI-${HANOI}-${c.world.suffix}`,
          issuer: 'VMI',
          validFrom: '2026-01-01T00:00:00.000Z',
          validTo: '2027-01-01T00:00:00.000Z',
        },
      },
    ],
  },
  {
    name: 'GET ledger checkpoint',
    roles: OFFICIALS,
    caseScoped: false,
    ok: 200,
    request: (_c, p) => ['GET', '/v1/ledger/checkpoint', { token: p?.token }],
  },
  {
    name: 'GET provincial statistics (01)',
    roles: ['officer', 'supervisor', 'auditor', 'analyst'],
    caseScoped: false,
    ok: 200,
    scopeRule: (p) => (p.role === 'analyst' || p.scope === 'other' ? 403 : undefined),
    request: (_c, p) => ['GET', `/v1/statistics/violations?province=${HANOI}`, { token: p?.token }],
  },
  {
    name: 'GET national statistics',
    roles: ['officer', 'supervisor', 'auditor', 'analyst'],
    caseScoped: false,
    ok: 200,
    scopeRule: (p) => (p.role !== 'analyst' && p.scope !== 'national' ? 403 : undefined),
    request: (_c, p) => ['GET', '/v1/statistics/violations?province=national', { token: p?.token }],
  },
  {
    name: 'GET officer workload (01)',
    roles: ['supervisor', 'auditor'],
    caseScoped: false,
    ok: 200,
    scopeRule: (p) => (p.scope === 'other' ? 403 : undefined),
    request: (_c, p) => ['GET', `/v1/statistics/officers?province=${HANOI}`, { token: p?.token }],
  },
];

function expected(row: Row, p: Principal): number {
  if (!row.roles.includes(p.role)) return 403;
  const rule = row.scopeRule?.(p);
  if (rule !== undefined) return rule;
  if (row.caseScoped && p.scope === 'other') return 404;
  return typeof row.ok === 'number' ? row.ok : row.ok(p);
}

describe('access matrix: role × route × province', function () {
  this.timeout(120_000);
  const ctx = {} as Ctx;
  const principals: Principal[] = [];

  before(async function () {
    ctx.node = await startApiNode('http_matrix', { projections: true });
    ctx.world = await buildHttpWorld(ctx.node);
    const camera = ctx.world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const created = await ingest(ctx.node, camera, signed);
    expectStatus(created, 201);
    ctx.caseId = created.json.caseId;
    ctx.digest = evidenceDigest(signed.images[0]!);
    ctx.revision = 0;
    ctx.evidence = signed.detection.evidence.map((e) => e.digest).sort();
    for (const role of ROLES) {
      for (const scope of SCOPES) {
        const province = PROVINCE[scope];
        let subject = `${role}-${province}`;
        let officerKeyId: string | undefined;
        let officerSecretKey: Uint8Array | undefined;
        if (role === 'device') {
          if (scope === 'national') continue; // devices belong to a province
          subject = ctx.world.cameras[province]!.cameraId;
        }
        if (role === 'officer' || role === 'supervisor') {
          const officer = scope === 'national' ? ctx.world.national : ctx.world.officers[province]!;
          subject = officer.officerId;
          officerKeyId = officer.key.keyId;
          officerSecretKey = officer.key.secretKey;
        }
        principals.push({
          role,
          scope,
          province,
          subject,
          token: await ctx.node.token(role, province, subject),
          ...(officerKeyId ? { officerKeyId } : {}),
          ...(officerSecretKey ? { officerSecretKey } : {}),
        });
      }
    }
  });
  after(async () => ctx.node?.close());

  for (const row of ROWS) {
    describe(row.name, () => {
      it('401 without a bearer token, and with a token from another issuer', async () => {
        const [method, path, options] = row.request(ctx, undefined);
        expectStatus(await call(ctx.node, method, path, { ...options, token: undefined }), 401);
        const { DevIssuer } = await import('../../../src/adapters/auth/tokens.ts');
        const stranger = new DevIssuer(new Uint8Array(32).fill(3), 'tec-test-issuer', 'tec-api');
        expectStatus(
          await call(ctx.node, method, path, {
            ...options,
            token: await stranger.mint({ subject: 'x', role: 'court', province: '00' }),
          }),
          401,
        );
      });
      for (const role of ROLES) {
        for (const scope of SCOPES) {
          if (role === 'device' && scope === 'national') continue;
          it(`${role} of ${scope} province`, async () => {
            const p = principals.find((x) => x.role === role && x.scope === scope)!;
            const [method, path, options] = row.request(ctx, p);
            const reply = await call(ctx.node, method, path, options);
            expectStatus(reply, expected(row, p), `${row.name} as ${role}/${scope}`);
          });
        }
      }
    });
  }

  it('hides the case from other provinces’ lists, shows it to its own and to national staff', async () => {
    const list = async (scope: Scope) => {
      const p = principals.find((x) => x.role === 'officer' && x.scope === scope)!;
      const reply = await call(ctx.node, 'GET', '/v1/cases?limit=200', { token: p.token });
      expectStatus(reply, 200);
      for (const item of reply.json.items) expect(item).to.not.have.property('plate');
      return (reply.json.items as { caseId: string }[]).map((i) => i.caseId);
    };
    const { waitFor } = await import('../../support/env.ts');
    await waitFor(async () => (await list('same')).includes(ctx.caseId), {
      what: 'the case list projection',
    });
    expect(await list('national')).to.include(ctx.caseId);
    expect(await list('other')).to.not.include(ctx.caseId);
  });

  describe('after the matrix', () => {
    it('files every custody record under the case’s province, also when national staff read', async () => {
      const { streams } = await import('../../../src/domain/record.ts');
      const custody = await ctx.node.store.readStream(streams.custody(ctx.caseId));
      const actors = new Set(custody.map((r) => r.record.meta.actor.id));
      expect(actors).to.include(ctx.world.national.officerId);
      expect(actors).to.include('court:court-00');
      for (const r of custody) expect(r.record.meta.province).to.equal(HANOI);
    });
  });

  it('devices only ingest: a camera of another province cannot submit this province’s detection', async () => {
    const signed = await signedDetection(ctx.world.cameras[HANOI]!);
    const other = principals.find((x) => x.role === 'device' && x.scope === 'other')!;
    const reply = await call(ctx.node, 'POST', '/v1/detections', {
      token: other.token,
      body: { detection: signed.detection, signature: signed.signature, keyId: signed.keyId },
    });
    expectStatus(reply, 403);
    for (const role of ROLES.filter((r) => r !== 'device')) {
      const p = principals.find((x) => x.role === role && x.scope === 'same')!;
      expectStatus(
        await call(ctx.node, 'POST', '/v1/detections', {
          token: p.token,
          body: { detection: signed.detection, signature: signed.signature, keyId: signed.keyId },
        }),
        403,
        role,
      );
    }
  });
});
