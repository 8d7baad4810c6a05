/**
 * Hostile input at the edge: arbitrary JSON bodies, paths, queries and headers get a typed 4xx problem, never
 * a 5xx, and never change the case (property-based, fast-check).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { streams } from '../../../src/domain/record.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  buildHttpWorld,
  call,
  expectStatus,
  ingest,
  signedDetection,
  type HttpWorld,
} from './support/world.ts';

describe('hostile input on the HTTP edge', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;
  let caseId: string;

  before(async () => {
    node = await startApiNode('http_hostile');
    world = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;
    const created = await ingest(node, camera, await signedDetection(camera));
    expectStatus(created, 201);
    caseId = created.json.caseId;
  });
  after(async () => node?.close());

  const problem = (status: number, type: unknown) =>
    status >= 400 &&
    status < 500 &&
    typeof type === 'string' &&
    type.startsWith('https://tec.csgt.vn/problems/');

  it('arbitrary JSON to every write route is a 4xx problem and appends nothing to the case', async () => {
    const officer = world.officers[HANOI]!;
    const camera = world.cameras[HANOI]!;
    const before = (await node.store.readStream(streams.case(caseId))).length;
    const routes: [string, string][] = [
      ['/v1/detections', camera.token],
      [`/v1/cases/${caseId}/review`, officer.token],
      [`/v1/cases/${caseId}/decision`, officer.token],
      [`/v1/cases/${caseId}/record`, officer.token],
      [`/v1/cases/${caseId}/transfer`, officer.token],
      [`/v1/cases/${caseId}/explanations`, officer.token],
      [`/v1/cases/${caseId}/driver`, officer.token],
      [`/v1/cases/${caseId}/void`, officer.supervisorToken],
      [`/v1/cases/${caseId}/owner`, officer.token],
      [`/v1/cases/${caseId}/notices`, officer.token],
      [`/v1/cases/${caseId}/payments`, officer.token],
      [`/v1/cases/${caseId}/appeals`, officer.token],
      ['/v1/admin/cameras', world.adminToken],
      ['/v1/admin/officers', world.adminToken],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.jsonValue({ maxDepth: 4 }),
        async ([path, token], body) => {
          const reply = await call(node, 'POST', path, { token, body });
          return problem(reply.status, reply.json?.type);
        },
      ),
      { numRuns: 150 },
    );
    expect((await node.store.readStream(streams.case(caseId))).length).to.equal(before);
  });

  it('hostile path parameters, queries, If-Match and X-Purpose headers are 4xx problems', async () => {
    const officer = world.officers[HANOI]!;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }),
        fc.constantFrom('id', 'digest', 'query', 'ifmatch', 'purpose'),
        async (text, where) => {
          // Prefixed so the segment is never empty or a dot segment (those are other routes, not hostile ids).
          const safe = `x${encodeURIComponent(text)}`;
          let reply;
          if (where === 'id')
            reply = await call(node, 'GET', `/v1/cases/${safe}`, {
              token: officer.token,
              purpose: 'fuzz test',
            });
          else if (where === 'digest')
            reply = await call(node, 'GET', `/v1/cases/${caseId}/evidence/${safe}`, {
              token: officer.token,
              purpose: 'fuzz test',
            });
          else if (where === 'query')
            reply = await call(node, 'GET', `/v1/ledger/proofs/consistency?from=${safe}&to=${safe}`, {
              token: officer.token,
            });
          else if (where === 'ifmatch') {
            const header = text.replace(/[^\x20-\x7e]/g, '') || '"x"';
            reply = await call(node, 'POST', `/v1/cases/${caseId}/notices`, {
              token: officer.token,
              body: { noticeId: 'n-1', channel: 'post' },
              headers: { 'if-match': header },
            });
          } else {
            const header = text.replace(/[^\x20-\x7e]/g, '') || '%';
            reply = await call(node, 'GET', `/v1/cases/${caseId}`, {
              token: officer.token,
              headers: { 'x-purpose': header },
            });
            if (reply.status === 200) return true; // a printable purpose is a purpose
          }
          return problem(reply.status, reply.json?.type);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses malformed and oversized JSON with 400 and 413', async () => {
    const officer = world.officers[HANOI]!;
    const malformed = await call(node, 'POST', `/v1/cases/${caseId}/notices`, {
      token: officer.token,
      raw: '{"noticeId":',
      headers: { 'content-type': 'application/json' },
    });
    expectStatus(malformed, 400);
    const huge = await call(node, 'POST', `/v1/cases/${caseId}/notices`, {
      token: officer.token,
      raw: JSON.stringify({ noticeId: 'x'.repeat(600_000), channel: 'post' }),
      headers: { 'content-type': 'application/json' },
    });
    expectStatus(huge, 413);
  });
});
