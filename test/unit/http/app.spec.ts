import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { z } from 'zod';
import { createApp } from '../../../src/adapters/http/app.ts';
import { createMetrics } from '../../../src/adapters/http/metrics.ts';
import { route, NotFoundError } from '../../../src/adapters/http/route.ts';
import { DevIssuer, TokenVerifier } from '../../../src/adapters/auth/tokens.ts';

describe('HTTP edge: authentication, validation, problem details, OpenAPI', () => {
  const issuer = new DevIssuer(randomBytes(32), 'test-issuer', 'tec-api');
  const otherIssuer = new DevIssuer(randomBytes(32), 'test-issuer', 'tec-api');
  let server: Server;
  let base: string;

  before(async () => {
    const routes = [
      route({
        method: 'post',
        path: '/v1/echo/:id',
        summary: 'echo',
        tags: ['test'],
        auth: ['officer'],
        params: z.object({ id: z.string().uuid() }),
        body: z.object({ amountVnd: z.number().int().nonnegative() }),
        responses: { 200: { description: 'ok', schema: z.object({ id: z.string() }) } },
        handler: async ({ res, params, body, principal }) => {
          res.json({ id: params.id, amountVnd: body.amountVnd, subject: principal?.subject });
        },
      }),
      route({
        method: 'get',
        path: '/v1/evidence/:id',
        summary: 'evidence',
        tags: ['test'],
        auth: ['officer'],
        requiresPurpose: true,
        params: z.object({ id: z.string() }),
        responses: { 200: { description: 'ok' } },
        handler: async ({ params, purpose, res }) => {
          if (params.id === 'missing') throw new NotFoundError('No such evidence');
          res.json({ purpose });
        },
      }),
    ];
    const app = createApp({
      logger: pino({ level: 'silent' }),
      verifier: new TokenVerifier({ issuer: 'test-issuer', audience: 'tec-api', keys: [issuer.publicKey] }),
      metrics: createMetrics({ defaultMetrics: false }),
      routes,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));

  const id = '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60';
  const post = (token: string | undefined, body: unknown, path = `/v1/echo/${id}`) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('accepts a valid token of an allowed role and passes typed input to the handler', async () => {
    const token = await issuer.mint({ subject: 'officer-1', role: 'officer', province: '01' });
    const res = await post(token, { amountVnd: 5 });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ id, amountVnd: 5, subject: 'officer-1' });
  });

  it('answers 401 problem details without a token, with a token from an unknown issuer key, or an expired one', async () => {
    const forged = await otherIssuer.mint({ subject: 'officer-1', role: 'officer', province: '01' });
    const expired = await issuer.mint({ subject: 'officer-1', role: 'officer', province: '01', ttlSeconds: 60 }, Math.floor(Date.now() / 1000) - 3600);
    for (const token of [undefined, forged, expired, 'not.a.jwt']) {
      const res = await post(token, { amountVnd: 5 });
      expect(res.status).to.equal(401);
      expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
      const problem = (await res.json()) as { type: string; status: number };
      expect(problem.status).to.equal(401);
      expect(problem.type).to.match(/unauthenticated$/);
    }
  });

  it('answers 403 to a role the route does not allow', async () => {
    const token = await issuer.mint({ subject: 'cam-1', role: 'device', province: '01' });
    expect((await post(token, { amountVnd: 5 })).status).to.equal(403);
  });

  it('validates path and body at the edge with 400 problem details listing the issues', async () => {
    const token = await issuer.mint({ subject: 'officer-1', role: 'officer', province: '01' });
    const badBody = await post(token, { amountVnd: 1.5 });
    expect(badBody.status).to.equal(400);
    const problem = (await badBody.json()) as { errors: { path: string }[] };
    expect(problem.errors[0]?.path).to.equal('amountVnd');
    expect((await post(token, { amountVnd: 1 }, '/v1/echo/not-a-uuid')).status).to.equal(400);
    expect((await post(token, '{"amountVnd":')).status).to.equal(400);
  });

  it('refuses oversized bodies with 413', async () => {
    const token = await issuer.mint({ subject: 'officer-1', role: 'officer', province: '01' });
    const res = await post(token, { amountVnd: 1, pad: 'x'.repeat(400 * 1024) });
    expect(res.status).to.equal(413);
  });

  it('requires an X-Purpose header on routes that disclose evidence', async () => {
    const token = await issuer.mint({ subject: 'officer-1', role: 'officer', province: '01' });
    const without = await fetch(`${base}/v1/evidence/x`, { headers: { authorization: `Bearer ${token}` } });
    expect(without.status).to.equal(400);
    expect(((await without.json()) as { type: string }).type).to.match(/purpose-required$/);
    const withPurpose = await fetch(`${base}/v1/evidence/x`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'review of case' } });
    expect(await withPurpose.json()).to.deep.equal({ purpose: 'review of case' });
    const encoded = await fetch(`${base}/v1/evidence/x`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose': encodeURIComponent('Kiểm tra hồ sơ vi phạm') },
    });
    expect(await encoded.json()).to.deep.equal({ purpose: 'Kiểm tra hồ sơ vi phạm' });
    const broken = await fetch(`${base}/v1/evidence/x`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': '%E1%BB' } });
    expect(broken.status).to.equal(400);
    const missing = await fetch(`${base}/v1/evidence/missing`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'review' } });
    expect(missing.status).to.equal(404);
  });

  it('serves an OpenAPI 3.1 document describing the routes, and health without a token', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { parameters: { name: string }[] }>> };
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.paths['/v1/echo/{id}']?.post).to.exist;
    expect(doc.paths['/v1/evidence/{id}']?.get?.parameters.map((p) => p.name)).to.include('X-Purpose');
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    const unknown = await fetch(`${base}/nope`);
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get('x-request-id')).to.be.a('string');
  });
});
