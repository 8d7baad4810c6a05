/**
 * Refused uploads release everything they opened (issue 10, item 4): a correctly signed multipart upload over
 * the size limit, and a client that goes away mid-upload, leave no temp file in the evidence store's tmp
 * directory and no descriptor open on one. Evidence that is not what the signed detection declares (item 8) is
 * refused with a problem and leaves no blob and no event.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readdir, readlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { streams } from '../../../src/domain/record.ts';
import { signDetection } from '../../../src/domain/signoff/signing.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  buildHttpWorld,
  call,
  expectStatus,
  jpeg,
  multipartBody,
  signedDetection,
  type HttpWorld,
} from './support/world.ts';

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
    const encoded = new Request('http://127.0.0.1/', {
      method: 'POST',
      body: multipartBody(signed, signed.images),
    });
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

  /**
   * Sends a multipart upload whose detection signature is forged, writing the images in chunks with the
   * socket's backpressure as a camera does, and resolves with the answer once the whole body was written.
   */
  async function forgedUpload(imageBytes: number): Promise<{ status: number; connection: string | undefined; type: string; writeFailed: boolean }> {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera, { images: [jpegLike(imageBytes)] });
    const forged = { ...signed, signature: signed.signature.startsWith('A') ? `B${signed.signature.slice(1)}` : `A${signed.signature.slice(1)}` };
    const encoded = new Request('http://127.0.0.1/', { method: 'POST', body: multipartBody(forged, signed.images) });
    const body = new Uint8Array(await encoded.arrayBuffer());
    let writeFailed = false;
    const answer = new Promise<{ status: number; connection: string | undefined; type: string }>((resolve, reject) => {
      const req = request(new URL('/v1/detections/upload', node.url), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${camera.token}`,
          'content-type': encoded.headers.get('content-type')!,
          'content-length': String(body.length),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            connection: res.headers.connection,
            type: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string }).type,
          }),
        );
      });
      req.on('error', (error) => {
        writeFailed = true;
        reject(error);
      });
      const chunkBytes = 64 * 1024;
      let offset = 0;
      const writeMore = () => {
        while (offset < body.length) {
          const chunk = body.subarray(offset, offset + chunkBytes);
          offset += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', writeMore);
        }
        req.end();
      };
      writeMore();
    });
    const reply = await answer.catch((error: Error) => ({ status: 0, connection: undefined, type: error.message }));
    return { ...reply, writeFailed };
  }

  it('a forged upload refused while its images are still on the way is read to its end: the camera reads its 401 and the connection stays open', async () => {
    const reply = await forgedUpload(3 * 1024 * 1024);
    expect(reply.writeFailed).to.equal(false);
    expect(reply.status).to.equal(401);
    expect(reply.type).to.match(/detection-signature-invalid$/);
    expect(reply.connection).to.not.equal('close');
    expect(await tmpFiles()).to.deep.equal([]);
  });

  it('a refused upload declaring more than 8 MiB is not read: the answer goes out at once and the connection closes', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera, { images: [jpegLike(9 * 1024 * 1024)] });
    const forged = { ...signed, signature: signed.signature.startsWith('A') ? `B${signed.signature.slice(1)}` : `A${signed.signature.slice(1)}` };
    const encoded = new Request('http://127.0.0.1/', { method: 'POST', body: multipartBody(forged, signed.images) });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(new URL('/v1/detections/upload', node.url), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${camera.token}`,
          'content-type': encoded.headers.get('content-type')!,
          'content-length': String(body.length),
        },
      });
      req.on('error', () => undefined); // the node closes while the rest is unsent
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
        req.destroy();
      });
      req.on('close', () => reject(new Error('closed without an answer')));
      // Only the detection and the first part of the image: the node answers without waiting for the rest.
      req.write(body.subarray(0, 256 * 1024));
    });
    expect(answer.status).to.equal(401);
    expect(answer.connection).to.equal('close');
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

/** A PNG whose header claims `width × height` pixels, with a tiny (invalid-length) image stream: a pixel bomb. */
function pngBomb(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

describe('HTTP ingest: evidence that is not what it declares is refused before anything is written', function () {
  let node: ApiNode;
  let world: HttpWorld;

  before(async function () {
    node = await startApiNode('http_ingest_media');
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  async function expectRefused(bytes: Uint8Array, mediaType: string, problem: RegExp): Promise<void> {
    const camera = world.cameras[HANOI]!;
    const base = await signedDetection(camera, { images: [bytes] });
    // Re-signed with the declared media type under test.
    const detection = {
      ...base.detection,
      evidence: base.detection.evidence.map((e) => ({ ...e, mediaType })),
    };
    const signed = { ...signDetection(detection, camera.key.secretKey), keyId: base.keyId, images: [bytes] };
    const reply = await call(node, 'POST', '/v1/detections/upload', {
      token: camera.token,
      raw: multipartBody(signed, signed.images),
    });
    expectStatus(reply, 422);
    expect(reply.json.type).to.match(problem);
    expect(await node.evidence.has(evidenceDigest(bytes))).to.equal(false, 'no blob');
    const records = await node.store
      .readStream(streams.case(caseIdForDetection(detection.detectionId)))
      .catch(() => []);
    expect(records, 'no event').to.have.length(0);
    expect(await readdir(join(node.evidence.root, 'tmp'))).to.deep.equal([]);
  }

  it('text declared as image/jpeg is refused with 422 evidence-media-mismatch', async () => {
    await expectRefused(
      new Uint8Array(Buffer.from('hello, this is not a photograph\n'.repeat(40))),
      'image/jpeg',
      /evidence-media-mismatch$/,
    );
  });

  it('a truncated JPEG is refused with 422 evidence-media-mismatch', async () => {
    const whole = await jpeg(640, 480);
    await expectRefused(
      whole.subarray(0, Math.floor(whole.length * 0.6)),
      'image/jpeg',
      /evidence-media-mismatch$/,
    );
  });

  it('a PNG bomb (50000 × 50000 pixels declared in a small file) is refused with 422 evidence-media-mismatch', async () => {
    const bomb = pngBomb(50_000, 50_000);
    expect(bomb.length).to.be.below(2048);
    await expectRefused(bomb, 'image/png', /evidence-media-mismatch$/);
  });

  it('a JPEG declared as image/png is refused, and a media type the system does not handle is refused before upload', async () => {
    await expectRefused(await jpeg(64, 64), 'image/png', /evidence-media-mismatch$/);
    await expectRefused(await jpeg(64, 64), 'text/plain', /evidence-media-type-unsupported$/);
  });

  it('blobs first: text uploaded as octet-stream is refused when a detection declares it image/jpeg (no case)', async () => {
    const camera = world.cameras[HANOI]!;
    const text = new Uint8Array(Buffer.from('plain text, not an image\n'.repeat(20)));
    const put = await call(node, 'PUT', '/v1/evidence', {
      token: camera.token,
      raw: text,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expectStatus(put, 201);
    const signed = await signedDetection(camera, { images: [text] });
    const posted = await call(node, 'POST', '/v1/detections', {
      token: camera.token,
      body: { detection: signed.detection, signature: signed.signature, keyId: signed.keyId },
    });
    expectStatus(posted, 422);
    expect(posted.json.type).to.match(/evidence-media-mismatch$/);
    const records = await node.store
      .readStream(streams.case(caseIdForDetection(signed.detection.detectionId)))
      .catch(() => []);
    expect(records).to.have.length(0);
    // Declared as image/jpeg on the raw upload, the same bytes are refused right away and not stored.
    const other = new Uint8Array(Buffer.from('more plain text\n'.repeat(20)));
    const typed = await call(node, 'PUT', '/v1/evidence', {
      token: camera.token,
      raw: other,
      headers: { 'content-type': 'image/jpeg' },
    });
    expectStatus(typed, 422);
    expect(await node.evidence.has(evidenceDigest(other))).to.equal(false);
  });

  it('a sound JPEG and a sound PNG still become a case', async () => {
    const camera = world.cameras[HANOI]!;
    const png = new Uint8Array(
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
        .png()
        .toBuffer(),
    );
    const base = await signedDetection(camera, { images: [await jpeg(), png] });
    const detection = {
      ...base.detection,
      evidence: base.detection.evidence.map((e, i) => ({
        ...e,
        mediaType: i === 1 ? 'image/png' : 'image/jpeg',
      })),
    };
    const signed = {
      ...signDetection(detection, camera.key.secretKey),
      keyId: base.keyId,
      images: base.images,
    };
    expectStatus(
      await call(node, 'POST', '/v1/detections/upload', {
        token: camera.token,
        raw: multipartBody(signed, signed.images),
      }),
      201,
    );
  });
});
