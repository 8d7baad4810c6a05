/**
 * Minimisation on every route (docs/data-protection.md, "The data subject"): each operation of the OpenAPI
 * document is called with a vehicle's plate (display and compact), its owner's name and address in the query,
 * the body and the path, by an officer, an auditor and an anonymous caller, against a node whose logger
 * records everything (level trace). No plate, name or address may appear in the logs, in the metrics, or in
 * any error body (status ≥ 400). Successful bodies are not checked here: an officer's case detail shows the
 * plate by design; the public routes are checked by their own specs.
 */
import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/adapters/http/app.ts';
import { createMetrics } from '../../../src/adapters/http/metrics.ts';
import { apiRoutes } from '../../../src/adapters/http/routes/index.ts';
import { TokenVerifier } from '../../../src/adapters/auth/tokens.ts';
import { capturedLogger } from '../../support/stand-ins.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';

describe('minimisation: no plate, name or address in logs, metrics or error bodies, on every route', function () {
  this.timeout(300_000);
  let node: ApiNode;
  let world: HttpWorld;
  let server: Server;
  let url: string;
  const logs = capturedLogger();
  const metrics = createMetrics({ defaultMetrics: false });

  before(async () => {
    node = await startApiNode('http_minimise', { projections: false });
    world = await buildHttpWorld(node);
    const app = createApp({
      logger: logs.logger,
      verifier: new TokenVerifier({ issuer: node.issuer.issuer, audience: node.issuer.audience, keys: [node.issuer.publicKey] }),
      metrics,
      routes: apiRoutes(node.services),
      rateLimitPerMinute: 1_000_000,
      publicRateLimitPerMinute: 1_000_000,
    });
    server = await new Promise((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1');
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await node?.close();
  });

  it('calls every operation and finds none of the secrets outside successful bodies', async () => {
    const vehicle = [...node.registry.vehicles.values()][0]!;
    const display = `${vehicle.plate.slice(0, 3)}-${vehicle.plate.slice(3, 6)}.${vehicle.plate.slice(6)}`;
    const secrets = [vehicle.plate, display, vehicle.owner.name, ...(vehicle.owner.address ? [vehicle.owner.address] : [])].filter(
      (s): s is string => typeof s === 'string' && s.length >= 4,
    );
    const signed = await signedDetection(world.cameras[HANOI]!, { plate: display });
    const created = await ingest(node, world.cameras[HANOI]!, signed);
    expectStatus(created, 201);
    const caseId: string = created.json.caseId;
    const digest = signed.detection.evidence[0]!.digest;

    const doc = (await call(node, 'GET', '/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const tokens = [
      undefined,
      world.officers[HANOI]!.token,
      await node.token('auditor', '00', 'aud-minimise'),
      await node.token('court', '00', 'court-minimise'),
    ];
    const fill = (path: string): string =>
      path
        .replaceAll('{caseId}', caseId)
        .replaceAll('{digest}', digest)
        .replaceAll('{plate}', encodeURIComponent(display))
        .replace(/\{[A-Za-z]+\}/g, 'x-1');
    const query = `plate=${encodeURIComponent(display)}&certificate=${encodeURIComponent(vehicle.registrationNumber)}&name=${encodeURIComponent(vehicle.owner.name)}`;
    const body = { plate: display, certificate: 'WRONG-0000', name: vehicle.owner.name, address: vehicle.owner.address ?? 'x', kind: 'access' };
    const errors: string[] = [];
    let calls = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        for (const token of tokens) {
          const target = `${url}${fill(path)}${method === 'get' ? `?${query}` : ''}`;
          const res = await fetch(target, {
            method: method.toUpperCase(),
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              'x-purpose': `minimisation check ${display}`,
              ...(method !== 'get' ? { 'content-type': 'application/json' } : {}),
            },
            ...(method !== 'get' ? { body: JSON.stringify(body) } : {}),
          });
          const text = await res.text();
          calls++;
          if (res.status >= 400) for (const s of secrets) if (text.includes(s)) errors.push(`${method} ${path} ${res.status} body names ${s === vehicle.plate || s === display ? 'the plate' : 'the owner'}: ${text.slice(0, 200)}`);
        }
      }
    }
    expect(calls).to.be.greaterThan(50);
    const logText = logs.text();
    expect(logText.length, 'the logger recorded the requests').to.be.greaterThan(0);
    const metricsText = await metrics.registry.metrics();
    for (const s of secrets) {
      if (logText.includes(s)) errors.push(`the logs name ${s === vehicle.plate || s === display ? 'the plate' : 'the owner'}: …${logText.slice(Math.max(0, logText.indexOf(s) - 200), logText.indexOf(s) + 50)}`);
      if (metricsText.includes(s)) errors.push('the metrics name a secret');
    }
    expect(errors).to.deep.equal([]);
  });
});
