/**
 * Issue 10 at the HTTP edge: rate limits keyed on the resolved client address (TRUST_PROXY), the citizen
 * lookup's per-plate failure budget, real calendar dates and instants in queries and cursors, tokens from the
 * future, the real revision in case lists, and a 404 that names the path.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import pino from 'pino';
import { parseTrustProxy, type TrustProxy } from '../../../src/config.ts';
import {
  DevIssuer,
  TokenVerifier,
  TOKEN_CLOCK_SKEW_SECONDS,
  UnauthenticatedError,
  privateKeyFromSeed,
} from '../../../src/adapters/auth/tokens.ts';
import { createApp } from '../../../src/adapters/http/app.ts';
import {
  InMemoryLookupBudget,
  RedisLookupBudget,
  type LookupBudget,
  type LookupBudgetPolicy,
} from '../../../src/adapters/http/lookup-budget.ts';
import { createMetrics } from '../../../src/adapters/http/metrics.ts';
import { apiRoutes } from '../../../src/adapters/http/routes/index.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { testRedisUrl, waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';

const PROBLEMS = 'https://tec.csgt.vn/problems/';

interface Served {
  url: string;
  close(): Promise<void>;
}

/** The node's services behind a second app with its own limits and proxy trust (and its own lookup budget). */
async function serve(
  node: ApiNode,
  options: { trustProxy?: TrustProxy; publicLimit?: number; limit?: number; lookupBudget?: LookupBudget },
): Promise<Served> {
  const app = createApp({
    logger: pino({ level: 'silent' }),
    verifier: new TokenVerifier({ issuer: node.issuer.issuer, audience: node.issuer.audience, keys: [node.issuer.publicKey] }),
    metrics: createMetrics({ defaultMetrics: false }),
    routes: apiRoutes({ ...node.services, ...(options.lookupBudget ? { lookupBudget: options.lookupBudget } : {}) }),
    rateLimitPerMinute: options.limit ?? 1_000_000,
    publicRateLimitPerMinute: options.publicLimit ?? 1_000_000,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1');
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const lookup = (plate: string, certificate: string) =>
  `/v1/public/violations?plate=${encodeURIComponent(plate)}&certificate=${encodeURIComponent(certificate)}`;

describe('HTTP edge (issue 10: rate limits, lookup budget, dates, token times, list revision, 404)', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;
  let served: Served[] = [];
  /** A vehicle the registry stand-in knows: its compact plate and certificate number. */
  let known: { plate: string; certificate: string };

  before(async () => {
    node = await startApiNode('http_edge', { projections: true });
    world = await buildHttpWorld(node);
    const vehicle = [...node.registry.vehicles.values()][0]!;
    known = { plate: vehicle.plate, certificate: vehicle.registrationNumber };
  });
  afterEach(async () => {
    for (const s of served) await s.close();
    served = [];
  });
  after(async () => node?.close());

  const start = async (options: Parameters<typeof serve>[1]) => {
    const s = await serve(node, options);
    served.push(s);
    return s;
  };

  describe('item 3: rate limits on the resolved client address', () => {
    it('a different junk Authorization header per request does not buy a fresh public allowance', async () => {
      const app = await start({ publicLimit: 3 });
      const replies = [];
      for (let i = 0; i < 6; i++) {
        replies.push(
          await call(app, 'GET', lookup(`30A-${100 + i}.45`, 'DK-0000001'), {
            headers: { authorization: `Bearer junk-${randomBytes(24).toString('hex')}` },
          }),
        );
      }
      expect(replies.slice(0, 3).map((r) => r.status)).to.deep.equal([200, 200, 200]);
      for (const r of replies.slice(3)) {
        expect(r.status).to.equal(429);
        expect(r.json.type).to.equal(`${PROBLEMS}rate-limited`);
      }
    });

    it('junk Authorization headers on authenticated routes share the address allowance too', async () => {
      const app = await start({ limit: 2 });
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await call(app, 'GET', '/v1/me', { headers: { authorization: `Bearer x${i}.y.z` } })).status);
      expect(statuses).to.deep.equal([401, 401, 429, 429]);
    });

    it('X-Forwarded-For is ignored unless TRUST_PROXY names the proxy', async () => {
      const direct = await start({ publicLimit: 2 });
      const spoofed = [];
      for (let i = 0; i < 4; i++)
        spoofed.push(
          (await call(direct, 'GET', lookup(`30A-${200 + i}.45`, 'DK-0000001'), { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } }))
            .status,
        );
      expect(spoofed).to.deep.equal([200, 200, 429, 429]);

      const proxied = await start({ publicLimit: 2, trustProxy: parseTrustProxy('loopback') });
      const clients = [];
      for (let i = 0; i < 4; i++)
        clients.push(
          (await call(proxied, 'GET', lookup(`30A-${300 + i}.45`, 'DK-0000001'), { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } }))
            .status,
        );
      expect(clients, 'behind a trusted proxy each client has its own allowance').to.deep.equal([200, 200, 200, 200]);
      const same = [];
      for (let i = 0; i < 3; i++)
        same.push(
          (await call(proxied, 'GET', lookup(`30A-${400 + i}.45`, 'DK-0000001'), { headers: { 'x-forwarded-for': '198.51.100.7' } })).status,
        );
      expect(same).to.deep.equal([200, 200, 429]);
    });

    it('TRUST_PROXY accepts false, a hop count or proxy addresses, and refuses true', () => {
      expect(parseTrustProxy(undefined)).to.equal(false);
      expect(parseTrustProxy('off')).to.equal(false);
      expect(parseTrustProxy('2')).to.equal(2);
      expect(parseTrustProxy('loopback, 10.0.0.0/8,2001:db8::1')).to.deep.equal(['loopback', '10.0.0.0/8', '2001:db8::1']);
      for (const bad of ['true', 'banana', '10.0.0.0/33', '0.0.0.0/0/1', '99'])
        expect(() => parseTrustProxy(bad), bad).to.throw(ValidationError);
    });
  });

  describe('item 3: the per-plate failure budget of the citizen lookup', () => {
    it('a known plate\'s certificate cannot be brute-forced, even from fresh addresses', async () => {
      const app = await start({ trustProxy: ['loopback'] });
      const from = (i: number) => ({ headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
      for (let i = 0; i < 5; i++) {
        const reply = await call(app, 'GET', lookup(known.plate, `DK-WRONG-${i}`), from(i));
        expectStatus(reply, 200, `guess ${i}`);
        expect(reply.json).to.deep.equal({ grant: null, violations: [] });
      }
      const refused = await call(app, 'GET', lookup(known.plate, 'DK-WRONG-X'), from(10));
      expectStatus(refused, 429);
      expect(refused.json.type).to.equal(`${PROBLEMS}lookup-budget-exhausted`);
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
      // Locked for everyone, even with the right papers, until the lock ends: the lock says nothing about them.
      expectStatus(await call(app, 'GET', lookup(known.plate, known.certificate), from(11)), 429);
      // Another plate is not affected.
      expectStatus(await call(app, 'GET', lookup('51F-999.99', 'DK-0000001'), from(12)), 200);
    });

    it('answers an unknown plate and a wrong certificate identically, and budgets both alike', async () => {
      const app = await start({});
      const unknownPlate = '29B-987.65';
      expect(node.registry.vehicles.has('29B98765')).to.equal(false);
      const wrong = await call(app, 'GET', lookup(known.plate, 'DK-NOT-THIS-ONE'));
      const unknown = await call(app, 'GET', lookup(unknownPlate, 'DK-NOT-THIS-ONE'));
      for (const reply of [wrong, unknown]) expectStatus(reply, 200);
      expect(unknown.text).to.equal(wrong.text);
      for (const header of ['content-type', 'cache-control', 'etag', 'content-length'])
        expect(unknown.headers.get(header), header).to.equal(wrong.headers.get(header));
      for (let i = 0; i < 4; i++) {
        expectStatus(await call(app, 'GET', lookup(known.plate, `DK-W-${i}`)), 200);
        expectStatus(await call(app, 'GET', lookup(unknownPlate, `DK-W-${i}`)), 200);
      }
      const a = await call(app, 'GET', lookup(known.plate, 'DK-W-9'));
      const b = await call(app, 'GET', lookup(unknownPlate, 'DK-W-9'));
      expect([a.status, b.status]).to.deep.equal([429, 429]);
      expect(b.json.type).to.equal(a.json.type);
    });

    const policy: LookupBudgetPolicy = { freeFailures: 2, baseBackoffMs: 1000, maxBackoffMs: 8000, decayMs: 60_000 };
    const budgets: [string, () => LookupBudget][] = [
      ['in process', () => new InMemoryLookupBudget(policy)],
      ['Redis', () => new RedisLookupBudget(testRedisUrl(), policy, `tec:test:budget:${randomBytes(4).toString('hex')}:`)],
    ];
    for (const [name, make] of budgets) {
      it(`${name}: backs off exponentially, recovers, and a success restores the budget`, async () => {
        const budget = make();
        try {
          const plate = `30A${randomBytes(3).toString('hex')}`;
          const t0 = Date.parse('2026-11-24T09:00:00Z');
          expect(await budget.attempt(plate, t0)).to.deep.equal({ ok: true });
          expect(await budget.attempt(plate, t0)).to.deep.equal({ ok: true }); // second failure: locked 1 s
          expect(await budget.attempt(plate, t0 + 500)).to.deep.equal({ ok: false, retryAfterSeconds: 1 });
          expect(await budget.attempt(plate, t0 + 1000)).to.deep.equal({ ok: true }); // third: locked 2 s
          expect(await budget.attempt(plate, t0 + 2999)).to.deep.equal({ ok: false, retryAfterSeconds: 1 });
          expect(await budget.attempt(plate, t0 + 3000)).to.deep.equal({ ok: true }); // fourth: locked 4 s
          expect(await budget.attempt(plate, t0 + 3000)).to.deep.equal({ ok: false, retryAfterSeconds: 4 });
          await budget.succeeded(plate);
          expect(await budget.attempt(plate, t0 + 3001)).to.deep.equal({ ok: true });
        } finally {
          await budget.close();
        }
      });
    }

    it('Redis: two API processes share one plate budget', async () => {
      const prefix = `tec:test:budget:${randomBytes(4).toString('hex')}:`;
      const one = new RedisLookupBudget(testRedisUrl(), policy, prefix);
      const two = new RedisLookupBudget(testRedisUrl(), policy, prefix);
      try {
        const t0 = Date.parse('2026-11-24T09:00:00Z');
        expect(await one.attempt('30A12345', t0)).to.deep.equal({ ok: true });
        expect(await two.attempt('30A12345', t0)).to.deep.equal({ ok: true });
        expect((await one.attempt('30A12345', t0 + 10)).ok).to.equal(false);
        expect((await two.attempt('30A12345', t0 + 10)).ok).to.equal(false);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });

  describe('item 5: real calendar dates and instants at the edge', () => {
    const invalid = (reply: Awaited<ReturnType<typeof call>>, field: string) => {
      expectStatus(reply, 400, field);
      expect(reply.json.type).to.equal(`${PROBLEMS}invalid-query`);
      expect(reply.json.errors.map((e: { path: string }) => e.path)).to.include(field);
    };

    it('statistics refuse impossible dates with 400 naming the field', async () => {
      const supervisor = world.officers[HANOI]!.supervisorToken;
      for (const path of ['violations', 'officers']) {
        for (const bad of ['2026-02-30', '2026-13-01', '9999-99-99', '0000-01-01', '2026-1-01', '']) {
          invalid(await call(node, 'GET', `/v1/statistics/${path}?province=${HANOI}&to=${bad}`, { token: supervisor }), 'to');
          invalid(await call(node, 'GET', `/v1/statistics/${path}?province=${HANOI}&from=${bad}`, { token: supervisor }), 'from');
        }
        const ok = await call(node, 'GET', `/v1/statistics/${path}?province=${HANOI}&from=2024-02-29&to=2026-02-28`, { token: supervisor });
        expectStatus(ok, 200, path);
      }
    });

    it('crafted cursors on /v1/cases and /v1/review-queue are 400 naming `after`', async () => {
      const officer = world.officers[HANOI]!.token;
      const zero = '00000000-0000-0000-0000-000000000000';
      const cursors = [
        ['2026-99-99T99:99:99Z', zero],
        ['2026-02-30T00:00:00Z', zero],
        ['2026-01-01T24:00:00Z', zero],
        ['0000-01-01T00:00:00Z', zero],
        ['2026-01-01T00:00:00Z', 'not-a-uuid'],
      ].map((c) => Buffer.from(JSON.stringify(c)).toString('base64url'));
      for (const after of [...cursors, 'bm90IGpzb24', '!!']) {
        invalid(await call(node, 'GET', `/v1/cases?after=${encodeURIComponent(after)}`, { token: officer }), 'after');
        invalid(await call(node, 'GET', `/v1/review-queue?after=${encodeURIComponent(after)}`, { token: officer }), 'after');
      }
      const real = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.123456Z', zero])).toString('base64url');
      expectStatus(await call(node, 'GET', `/v1/cases?after=${real}`, { token: officer }), 200);
      expectStatus(await call(node, 'GET', `/v1/review-queue?after=${real}`, { token: officer }), 200);
    });
  });

  describe('item 6: token times', () => {
    const now = () => Math.floor(Date.now() / 1000);

    it('refuses a token issued a year ahead (exp = iat + 900), and one beyond the clock skew', async () => {
      const mint = (at: number) => node.issuer.mint({ subject: `off-01-${world.suffix}`, role: 'officer', province: HANOI }, at);
      const yearAhead = await call(node, 'GET', '/v1/me', { token: await mint(now() + 365 * 86_400) });
      expectStatus(yearAhead, 401);
      expect(yearAhead.json.type).to.equal(`${PROBLEMS}unauthenticated`);
      expectStatus(await call(node, 'GET', '/v1/me', { token: await mint(now() + TOKEN_CLOCK_SKEW_SECONDS + 30) }), 401);
      expectStatus(await call(node, 'GET', '/v1/me', { token: await mint(now() + TOKEN_CLOCK_SKEW_SECONDS - 30) }), 200);
      expectStatus(await call(node, 'GET', '/v1/me', { token: await mint(now()) }), 200);
    });

    it('refuses nbf beyond the skew and exp too far ahead; accepts both within it (issuer key)', async () => {
      const seed = new Uint8Array(randomBytes(32));
      const issuer = new DevIssuer(seed, 'tec-test-issuer', 'tec-api');
      const verifier = new TokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, keys: [issuer.publicKey] });
      const key = privateKeyFromSeed(seed);
      const craft = (claims: { iat: number; exp: number; nbf?: number }) => {
        const jwt = new SignJWT({ role: 'officer', province: HANOI })
          .setProtectedHeader({ alg: 'EdDSA', kid: issuer.kid, typ: 'JWT' })
          .setIssuer(issuer.issuer)
          .setAudience(issuer.audience)
          .setSubject('officer-1')
          .setIssuedAt(claims.iat)
          .setExpirationTime(claims.exp);
        if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
        return jwt.sign(key);
      };
      const t = 1_790_000_000;
      const refused = async (token: string) => {
        try {
          await verifier.verify(token, t);
        } catch (error) {
          return error;
        }
        return undefined;
      };
      expect(await refused(await craft({ iat: t, exp: t + 900, nbf: t + TOKEN_CLOCK_SKEW_SECONDS + 1 }))).to.be.instanceOf(UnauthenticatedError);
      expect(await refused(await craft({ iat: t, exp: t + 900, nbf: t + TOKEN_CLOCK_SKEW_SECONDS }))).to.equal(undefined);
      expect(await refused(await craft({ iat: t + TOKEN_CLOCK_SKEW_SECONDS + 1, exp: t + 900 }))).to.be.instanceOf(UnauthenticatedError);
      expect(await refused(await craft({ iat: t + TOKEN_CLOCK_SKEW_SECONDS, exp: t + TOKEN_CLOCK_SKEW_SECONDS + 3600 }))).to.equal(undefined);
      expect(await refused(await craft({ iat: t, exp: t + 3601 }))).to.be.instanceOf(UnauthenticatedError);
      expect(await refused(await craft({ iat: t - 900, exp: t }))).to.be.instanceOf(UnauthenticatedError); // exp has no grace
      expect(await refused(await craft({ iat: t - 900, exp: t + 1 }))).to.equal(undefined);
    });
  });

  describe('item 9: the case list carries the real revision', () => {
    it('lists a case at the revision its detail ETag names', async () => {
      const officer = world.officers[HANOI]!;
      const created = await ingest(node, world.cameras[HANOI]!, await signedDetection(world.cameras[HANOI]!));
      expectStatus(created, 201);
      const caseId: string = created.json.caseId;
      const detail = await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'edge spec' });
      expectStatus(detail, 200);
      const basis = detail.json.signoffBasis;
      const review = signSignoff(
        buildReviewSignoff({ ...basis, decision: 'confirm', signedAt: new Date().toISOString() }),
        officer.key.secretKey,
      );
      const confirmed = await call(node, 'POST', `/v1/cases/${caseId}/review`, { token: officer.token, body: review });
      expectStatus(confirmed, 200, 'review');
      const etag = (await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'edge spec' })).headers.get('etag');
      const revision = Number(JSON.parse(etag!));
      expect(revision).to.be.greaterThan(0);
      const listed = await waitFor(
        async () => {
          const page = await call(node, 'GET', '/v1/cases?limit=200', { token: officer.token });
          const item = page.json.items.find((c: { caseId: string }) => c.caseId === caseId);
          return item?.status === confirmed.json.status ? item : undefined;
        },
        { what: 'the confirmed case in the list' },
      );
      expect(listed.revision).to.equal(revision);
      expect(listed.revision).to.equal(confirmed.json.revision);
    });
  });

  describe('item 10: unknown routes', () => {
    it('answer 404 naming the method and the path, without the query string', async () => {
      const reply = await call(node, 'GET', '/v1/no-such-route/x?plate=30A12345');
      expectStatus(reply, 404);
      expect(reply.json.type).to.equal(`${PROBLEMS}not-found`);
      expect(reply.json.method).to.equal('GET');
      expect(reply.json.path).to.equal('/v1/no-such-route/x');
      expect(reply.json.detail).to.include('GET /v1/no-such-route/x');
      expect(reply.text).not.to.include('30A12345');
      const post = await call(node, 'POST', '/nope', { body: {} });
      expect([post.status, post.json.method, post.json.path]).to.deep.equal([404, 'POST', '/nope']);
    });
  });
});
