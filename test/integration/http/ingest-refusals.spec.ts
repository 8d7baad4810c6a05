/**
 * Refused uploads release everything they opened (issue 10, item 4): a correctly signed multipart upload over
 * the size limit, and a client that goes away mid-upload, leave no temp file in the evidence store's tmp
 * directory and no descriptor open on one.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readdir, readlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { streams } from '../../../src/domain/record.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, call, expectStatus, multipartBody, signedDetection, type HttpWorld } from './support/world.ts';

/** The api node's upload limit (support/api-node.ts). */
const LIMIT = 4 * 1024 * 1024;

/** Bytes that start like a JPEG, so only their size is wrong. */
function jpegLike(size: number): Uint8Array {
  const bytes = new Uint8Array(randomBytes(size));
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return bytes;
}

describe('HTTP ingest: refused uploads leave no temp file and no open descriptor', function () {
  let node: ApiNode;
  let world: HttpWorld;
  let tmpDir: string;

  const tmpFiles = () => readdir(tmpDir);
  /** Descriptors of this process (the API server runs in it) open on a file in the tmp directory. */
  async function descriptorsOnTmp(): Promise<string[]> {
    const targets: string[] = [];
    for (const fd of await readdir('/proc/self/fd')) {
      const target = await readlink(join('/proc/self/fd', fd)).catch(() => '');
      if (target.startsWith(tmpDir)) targets.push(target);
    }
    return targets;
  }

  before(async function () {
    node = await startApiNode('http_ingest_refusals');
    world = await buildHttpWorld(node);
    tmpDir = join(node.evidence.root, 'tmp');
  });
  after(async () => node?.close());

  it('a correctly signed multipart upload over the limit is 413 and leaves no temp file and no descriptor behind', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera, { images: [jpegLike(LIMIT + 512 * 1024)] });
    expect(await tmpFiles()).to.deep.equal([]);
    const reply = await call(node, 'POST', '/v1/detections/upload', {
      token: camera.token,
      raw: multipartBody(signed, signed.images),
    });
    expectStatus(reply, 413);
    expect(reply.json.type).to.match(/evidence-too-large$/);
    expect(await tmpFiles()).to.deep.equal([]);
    expect(await descriptorsOnTmp()).to.deep.equal([]);
    expect(await node.evidence.has(evidenceDigest(signed.images[0]!))).to.equal(false);
  });

  it('a client that aborts a multipart upload midway leaves no temp file and no descriptor behind', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera, { images: [jpegLike(2 * 1024 * 1024)] });
    const encoded = new Request('http://127.0.0.1/', { method: 'POST', body: multipartBody(signed, signed.images) });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const url = new URL('/v1/detections/upload', node.url);
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${camera.token}`,
        'content-type': encoded.headers.get('content-type')!,
        'content-length': String(body.length),
      },
    });
    req.on('error', () => undefined); // the abort below
    req.write(body.subarray(0, body.length - 1024 * 1024));
    // The detection was authenticated and its evidence is being stored: a temp file exists.
    await waitFor(async () => (await tmpFiles()).length === 1, { what: 'the upload to reach the store' });
    req.destroy();
    await waitFor(async () => (await tmpFiles()).length === 0 && (await descriptorsOnTmp()).length === 0, {
      timeoutMs: 5000,
      what: 'the temp file and its descriptor to be released',
    });
    expect(await node.evidence.has(evidenceDigest(signed.images[0]!))).to.equal(false);
    const records = await node.store
      .readStream(streams.case(caseIdForDetection(signed.detection.detectionId)))
      .catch(() => []);
    expect(records).to.have.length(0);
  });

  it('a PUT /v1/evidence aborted midway leaves no temp file and no descriptor behind', async () => {
    const camera = world.cameras[HANOI]!;
    const bytes = jpegLike(2 * 1024 * 1024);
    const req = request(new URL('/v1/evidence', node.url), {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${camera.token}`,
        'content-type': 'image/jpeg',
        'content-length': String(bytes.length),
      },
    });
    req.on('error', () => undefined);
    req.write(bytes.subarray(0, 1024 * 1024));
    await waitFor(async () => (await tmpFiles()).length === 1, { what: 'the upload to reach the store' });
    req.destroy();
    await waitFor(async () => (await tmpFiles()).length === 0 && (await descriptorsOnTmp()).length === 0, {
      timeoutMs: 5000,
      what: 'the temp file and its descriptor to be released',
    });
    expect(await node.evidence.has(evidenceDigest(bytes))).to.equal(false);
  });
});
