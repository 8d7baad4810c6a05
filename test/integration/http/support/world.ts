/**
 * A world built over HTTP with real tokens and Ed25519 keys: cameras in Hà Nội (01) and TP. Hồ Chí Minh (79),
 * officers of each province, a national supervisor, an approved plate model. Helpers make real JPEG evidence,
 * signed detections, sign-offs and HTTP calls.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { expect } from 'chai';
import { listViolations, type CatalogEntry } from '../../../../src/domain/catalog/index.ts';
import { evidenceDigest } from '../../../../src/domain/integrity/hash.ts';
import { buildDetectionPayload, signDetection } from '../../../../src/domain/signoff/index.ts';
import type { PlateColour } from '../../../../src/domain/plates/colours.ts';
import { generateKeyPair, type Ed25519KeyPair } from '../../../../src/domain/signoff/keys.ts';
import type { Detection } from '../../../../src/domain/signoff/payloads.ts';
import type { EvidenceRef, Location } from '../../../../src/domain/signoff/primitives.ts';
import type { ApiNode } from './api-node.ts';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  bytes: Uint8Array;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked field by field in the specs
  json: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  purpose?: string;
  headers?: Record<string, string>;
  raw?: FormData | Uint8Array | string;
}

export async function call(
  node: Pick<ApiNode, 'url'>,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose) headers['x-purpose'] = options.purpose;
  // Copied into a plain ArrayBuffer-backed view: fetch's BodyInit does not take shared-buffer views.
  let body: FormData | Uint8Array<ArrayBuffer> | string | undefined = options.raw instanceof Uint8Array ? new Uint8Array(options.raw) : options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = Buffer.from(bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, bytes, json };
}

export function expectStatus(reply: Reply, status: number, what = ''): void {
  expect(reply.status, `${what} ${reply.text.slice(0, 400)}`).to.equal(status);
}

export const HANOI = '01';
export const SAIGON = '79';

export const LOCATIONS: Record<string, Location> = {
  [HANOI]: {
    latMicro: 21_028_511,
    lonMicro: 105_804_817,
    description: 'Ngã tư Kim Mã – Liễu Giai',
    roadType: 'urban',
    commune: 'Ngọc Hà',
  },
  [SAIGON]: {
    latMicro: 10_776_000,
    lonMicro: 106_700_000,
    description: 'Nút giao Lê Lợi',
    roadType: 'urban',
    commune: 'Bến Thành',
  },
};

export interface CameraActor {
  cameraId: string;
  province: string;
  key: Ed25519KeyPair;
  token: string;
}

export interface OfficerActor {
  officerId: string;
  province: string;
  key: Ed25519KeyPair;
  /** Token with role `officer`. */
  token: string;
  /** Token with role `supervisor` (same subject). */
  supervisorToken: string;
}

export interface HttpWorld {
  suffix: string;
  adminToken: string;
  cameras: Record<string, CameraActor>;
  officers: Record<string, OfficerActor>;
  national: OfficerActor;
  modelId: string;
}

const DAY = 86_400_000;

/** A car violation without a measurement that a provincial police director may decide. */
export function carViolation(at = new Date().toISOString()): CatalogEntry {
  const entry = listViolations(at).find(
    (e) => e.vehicleClasses.includes('car') && e.fineMaxVnd <= 37_500_000 && !e.measurement,
  );
  if (!entry) throw new Error('no suitable car violation in the catalog');
  return entry;
}

async function enrol(
  node: Pick<ApiNode, 'url' | 'token'>,
  adminToken: string,
  province: string,
  officerId: string,
): Promise<OfficerActor> {
  const key = generateKeyPair();
  const reply = await call(node, 'POST', '/v1/admin/officers', {
    token: adminToken,
    body: {
      officerId,
      province,
      title: 'provincial-police-director',
      roles: ['reviewer', 'decider', 'supervisor'],
      publicKey: key.publicKey,
    },
  });
  expectStatus(reply, 201, 'enrol officer');
  return {
    officerId,
    province,
    key,
    token: await node.token('officer', province, officerId),
    supervisorToken: await node.token('supervisor', province, officerId),
  };
}

export async function buildHttpWorld(node: Pick<ApiNode, 'url' | 'token'>): Promise<HttpWorld> {
  const suffix = randomBytes(3).toString('hex');
  const adminToken = await node.token('admin', '00', `admin-${suffix}`);
  const now = Date.now();
  const cameras: Record<string, CameraActor> = {};
  for (const province of [HANOI, SAIGON]) {
    const cameraId = `cam-${province}-${suffix}`;
    const key = generateKeyPair();
    expectStatus(
      await call(node, 'POST', '/v1/admin/cameras', {
        token: adminToken,
        body: { cameraId, province, location: LOCATIONS[province], publicKey: key.publicKey },
      }),
      201,
      'register camera',
    );
    expectStatus(
      await call(node, 'POST', `/v1/admin/cameras/${cameraId}/calibrations`, {
        token: adminToken,
        body: {
          certificateId: `VMI-${province}-${suffix}`,
          issuer: 'Viện Đo lường Việt Nam',
          validFrom: new Date(now - 30 * DAY).toISOString(),
          validTo: new Date(now + 300 * DAY).toISOString(),
        },
      }),
      200,
      'calibration',
    );
    cameras[province] = { cameraId, province, key, token: await node.token('device', province, cameraId) };
  }
  const officers: Record<string, OfficerActor> = {};
  for (const province of [HANOI, SAIGON])
    officers[province] = await enrol(node, adminToken, province, `off-${province}-${suffix}`);
  const national = await enrol(node, adminToken, '00', `off-00-${suffix}`);
  const modelId = `ppocr-v4-${suffix}`;
  expectStatus(
    await call(node, 'POST', '/v1/admin/models', {
      token: adminToken,
      body: {
        modelId,
        name: 'PP-OCRv4',
        version: '4.0.0',
        files: [{ name: 'rec.onnx', sha256: 'c'.repeat(64) }],
      },
    }),
    201,
    'register model',
  );
  expectStatus(
    await call(node, 'POST', `/v1/admin/models/${modelId}/approve`, {
      token: national.supervisorToken,
      body: { note: 'Accuracy report 2026-11' },
    }),
    200,
    'approve model',
  );
  return { suffix, adminToken, cameras, officers, national, modelId };
}

/** A real JPEG of random pixels (about `width × height` / 2 bytes). */
export async function jpeg(width = 320, height = 240): Promise<Uint8Array> {
  const raw = randomBytes(width * height * 3);
  return new Uint8Array(
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 80 })
      .toBuffer(),
  );
}

/**
 * A photo-like JPEG (a sky-to-road gradient, a vehicle block and a plate): it compresses as a road scene does,
 * unlike the noise of `jpeg`, so review copies made from it are smaller than it (unique per call).
 */
export async function photo(width = 1600, height = 1200): Promise<Uint8Array> {
  const tint = randomBytes(3).toString('hex');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8ab"/><stop offset="1" stop-color="#${tint}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <rect x="${Math.round(width / 3)}" y="${Math.round(height / 2)}" width="${Math.round(width / 3)}" height="${Math.round(height / 4)}" fill="#334"/>
    <rect x="${Math.round(width / 2 - 80)}" y="${Math.round((height * 5) / 6)}" width="160" height="40" fill="#eee"/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer());
}

export interface SignedDetection {
  detection: Detection;
  signature: string;
  keyId: string;
  images: Uint8Array[];
}

export async function signedDetection(
  camera: CameraActor,
  options: {
    images?: Uint8Array[];
    detectionId?: string;
    plate?: string;
    observedAt?: string;
    modelId?: string;
    /** Sign `detection/v2` with this plate colour (absent: `detection/v1`). */
    plateColour?: PlateColour;
  } = {},
): Promise<SignedDetection> {
  const images = options.images ?? [await jpeg(), await jpeg(160, 80)];
  const roles = ['overview', 'plate', 'context', 'rear', 'sign', 'driver'];
  const evidence: EvidenceRef[] = images.map((bytes, i) => ({
    digest: evidenceDigest(bytes),
    mediaType: 'image/jpeg',
    size: bytes.length,
    role: roles[i % roles.length]!,
  }));
  const detection = buildDetectionPayload({
    detectionId: options.detectionId ?? `det-${randomBytes(8).toString('hex')}`,
    cameraId: camera.cameraId,
    observedAt: options.observedAt ?? new Date().toISOString(),
    location: LOCATIONS[camera.province]!,
    violationCode: carViolation().code,
    vehicleClass: 'car',
    plateRead: { text: options.plate ?? '30A-123.45', confidenceBp: 9650 },
    ...(options.plateColour !== undefined ? { plateColour: options.plateColour } : {}),
    evidence,
  });
  return { ...signDetection(detection, camera.key.secretKey), images };
}

/** The multipart body of `POST /v1/detections/upload`: the detection first, then one file per digest. */
export function multipartBody(
  signed: Omit<SignedDetection, 'images'>,
  images: Uint8Array[],
  fieldNames?: string[],
): FormData {
  const form = new FormData();
  form.append(
    'detection',
    JSON.stringify({ detection: signed.detection, signature: signed.signature, keyId: signed.keyId }),
  );
  images.forEach((bytes, i) => {
    form.append(
      fieldNames?.[i] ?? evidenceDigest(bytes),
      new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }),
      `evidence-${i}.jpg`,
    );
  });
  return form;
}

export async function ingest(
  node: Pick<ApiNode, 'url'>,
  camera: CameraActor,
  signed: SignedDetection,
): Promise<Reply> {
  return call(node, 'POST', '/v1/detections/upload', {
    token: camera.token,
    raw: multipartBody(signed, signed.images),
  });
}
