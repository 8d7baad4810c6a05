/**
 * The bundle route while nothing is sealed (409 with Retry-After, and the custody record of the attempt is
 * still written first), and the OpenAPI document describing every /v1 route with its roles.
 */
import { expect } from 'chai';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { streams } from '../../../src/domain/record.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, call, expectStatus, ingest, signedDetection } from './support/world.ts';

describe('bundle route without sealing, and the OpenAPI document', function () {
  this.timeout(60_000);
  let node: ApiNode;

  before(async () => {
    node = await startApiNode('http_unsealed', { sequencer: false, sealWaitMs: 300 });
  });
  after(async () => node?.close());

  it('answers 409 with Retry-After while the case is not covered by a checkpoint', async () => {
    const world = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;
    const created = await ingest(node, camera, await signedDetection(camera));
    expectStatus(created, 201);
    const court = await node.token('court', HANOI, 'toa-an-01');
    const reply = await call(node, 'GET', `/v1/cases/${created.json.caseId}/bundle`, {
      token: court,
      purpose: 'court case file',
    });
    expectStatus(reply, 409);
    expect(reply.json.type).to.match(/bundle-not-sealed$/);
    expect(Number(reply.headers.get('retry-after'))).to.be.greaterThanOrEqual(1);
    const custody = await node.store.readStream(streams.custody(created.json.caseId));
    expect(custody.map((r) => (r.record.data as { access: string }).access)).to.deep.equal(['export']);
    expectStatus(await call(node, 'GET', '/v1/ledger/checkpoint', { token: court }), 404);
  });

  it('never serves a corrupted blob: the download is cut before it completes', async () => {
    const world = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const created = await ingest(node, camera, signed);
    expectStatus(created, 201);
    const digest = signed.detection.evidence[0]!.digest;
    const hex = digest.slice('sha256:'.length);
    const file = join(node.dir, 'evidence', 'sha256', hex.slice(0, 2), hex);
    const bytes = new Uint8Array(await readFile(file));
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await chmod(file, 0o640);
    await writeFile(file, bytes);
    const officer = world.officers[HANOI]!;
    let failed = false;
    try {
      const reply = await call(node, 'GET', `/v1/cases/${created.json.caseId}/evidence/${digest}`, {
        token: officer.token,
        purpose: 'integrity check',
      });
      failed = reply.status !== 200 || reply.bytes.length !== bytes.length;
    } catch {
      failed = true; // the connection was cut mid-body
    }
    expect(failed).to.equal(true);
  });

  it('describes every /v1 route in /openapi.json with its roles, and marks the citizen lookup public', async () => {
    const reply = await call(node, 'GET', '/openapi.json');
    expectStatus(reply, 200);
    const paths = reply.json.paths as Record<
      string,
      Record<string, { 'x-roles'?: string[]; security?: unknown[]; parameters: { name: string }[] }>
    >;
    for (const [path, method] of [
      ['/v1/evidence', 'put'],
      ['/v1/detections', 'post'],
      ['/v1/detections/upload', 'post'],
      ['/v1/cases', 'get'],
      ['/v1/cases/{caseId}', 'get'],
      ['/v1/cases/{caseId}/evidence/{digest}', 'get'],
      ['/v1/cases/{caseId}/review', 'post'],
      ['/v1/cases/{caseId}/decision', 'post'],
      ['/v1/cases/{caseId}/void', 'post'],
      ['/v1/cases/{caseId}/bundle', 'get'],
      ['/v1/admin/cameras', 'post'],
      ['/v1/admin/officers', 'post'],
      ['/v1/admin/models/{modelId}/approve', 'post'],
      ['/v1/ledger/checkpoint', 'get'],
      ['/v1/ledger/proofs/inclusion', 'get'],
      ['/v1/ledger/proofs/consistency', 'get'],
      ['/v1/statistics/violations', 'get'],
      ['/v1/public/violations', 'get'],
    ] as const) {
      expect(paths[path]?.[method], `${method} ${path}`).to.be.an('object');
    }
    expect(paths['/v1/public/violations']!.get!.security).to.deep.equal([]);
    expect(paths['/v1/detections']!.post!['x-roles']).to.deep.equal(['device']);
    expect(paths['/v1/cases/{caseId}/bundle']!.get!.parameters.map((p) => p.name)).to.include('X-Purpose');
  });
});
