/**
 * `--tier province --province 01`: a provincial node accepts detections only from cameras of the provinces it
 * serves; a camera of another province is refused with `province-not-served` before anything is stored. The
 * default node (no tier) serves every province.
 */
import { expect } from 'chai';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { streams } from '../../../src/domain/record.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  SAIGON,
  buildHttpWorld,
  expectStatus,
  ingest,
  signedDetection,
  type HttpWorld,
} from './support/world.ts';

describe('HTTP ingest on a provincial node: only the provinces it serves', function () {
  this.timeout(60_000);
  let node: ApiNode;
  let world: HttpWorld;

  before(async () => {
    node = await startApiNode('http_province_tier');
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  it('given the default node (no tier), a Sài Gòn camera is accepted', async () => {
    delete node.services.servedProvinces;
    expectStatus(
      await ingest(node, world.cameras[SAIGON]!, await signedDetection(world.cameras[SAIGON]!)),
      201,
    );
  });

  it('given a node serving 01, a Sài Gòn camera is refused (province-not-served) and nothing is appended', async () => {
    node.services.servedProvinces = [HANOI];
    const signed = await signedDetection(world.cameras[SAIGON]!);
    const reply = await ingest(node, world.cameras[SAIGON]!, signed);
    expectStatus(reply, 403);
    expect((reply.json as { type: string }).type).to.match(/province-not-served$/);
    const caseRecords = await node.store
      .readStream(streams.case(caseIdForDetection(signed.detection.detectionId)))
      .catch(() => []);
    expect(caseRecords).to.deep.equal([]);
    expectStatus(
      await ingest(node, world.cameras[HANOI]!, await signedDetection(world.cameras[HANOI]!)),
      201,
    );
  });
});
