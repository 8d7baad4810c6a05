/**
 * The edge node's forwarding receipt (integrity.md §4 names edge nodes as devices with registered keys). An edge
 * node (`tec serve --tier edge`) that accepted a camera's signed detection, stored it durably and forwards it
 * to its provincial node signs JCS of this payload with its own device key. The node verifies it under the
 * edge's key in force at `receivedAt` (the edge is registered like a camera: `CameraRegistered` /
 * `DeviceKeyRotated` on `camera-<edgeId>`, with an id starting `edge-`) and records the relay in the case's
 * custody log, so the path of the evidence through the edge is part of the ledger.
 *
 * The receipt names the detection by the SHA-256 of JCS(detection), the camera signature and every evidence
 * digest: it cannot be moved to another detection.
 */
import { z } from 'zod';
import { canonicalBytes } from '../integrity/canonical.ts';
import { sha256Hex } from '../integrity/hash.ts';
import { keyIdOf, signBytes, verifyBytes } from './keys.ts';
import type { Detection } from './payloads.ts';
import { DigestSchema, IdentifierSchema, KeyIdSchema, SignatureSchema, UtcTimestampSchema } from './primitives.ts';

export const EDGE_RECEIPT_PURPOSE = 'edge-receipt/v1';
/** A request for a camera's keys, signed by the edge (`GET /v1/edge/cameras/:cameraId`). */
export const EDGE_SYNC_PURPOSE = 'edge-sync/v1';

/** Device ids of edge nodes start with this prefix; any other registered device is a camera. */
export const EDGE_ID_PREFIX = 'edge-';

export function isEdgeId(id: string): boolean {
  return id.startsWith(EDGE_ID_PREFIX);
}

export const EdgeReceiptSchema = z.strictObject({
  purpose: z.literal(EDGE_RECEIPT_PURPOSE),
  edgeId: IdentifierSchema,
  detectionId: IdentifierSchema,
  cameraId: IdentifierSchema,
  /** SHA-256 (hex) of JCS(detection). */
  detectionHash: z.string().regex(/^[0-9a-f]{64}$/),
  cameraSignature: SignatureSchema,
  evidence: z.array(DigestSchema).max(32),
  /** When the edge acknowledged the detection to the camera (durable on the edge's disk). */
  receivedAt: UtcTimestampSchema,
  /** The edge's spool sequence number (per edge, increasing). */
  sequence: z.number().int().nonnegative(),
});
export type EdgeReceipt = z.infer<typeof EdgeReceiptSchema>;

export const SignedEdgeReceiptSchema = z.strictObject({
  receipt: EdgeReceiptSchema,
  signature: SignatureSchema,
  keyId: KeyIdSchema,
});
export type SignedEdgeReceipt = z.infer<typeof SignedEdgeReceiptSchema>;

export function detectionHash(detection: Detection): string {
  return sha256Hex(canonicalBytes(detection));
}

export function buildEdgeReceipt(input: {
  edgeId: string;
  detection: Detection;
  cameraSignature: string;
  receivedAt: string;
  sequence: number;
}): EdgeReceipt {
  return {
    purpose: EDGE_RECEIPT_PURPOSE,
    edgeId: input.edgeId,
    detectionId: input.detection.detectionId,
    cameraId: input.detection.cameraId,
    detectionHash: detectionHash(input.detection),
    cameraSignature: input.cameraSignature,
    evidence: input.detection.evidence.map((e) => e.digest),
    receivedAt: input.receivedAt,
    sequence: input.sequence,
  };
}

export function signEdgeReceipt(receipt: EdgeReceipt, secretKey: Uint8Array): SignedEdgeReceipt {
  const publicKey = Buffer.from(secretKey.subarray(32)).toString('base64');
  return { receipt, signature: signBytes(canonicalBytes(receipt), secretKey), keyId: keyIdOf(publicKey) };
}

/**
 * True when the receipt is signed under `publicKey` and names exactly this detection and camera signature.
 */
export function verifyEdgeReceipt(
  signed: SignedEdgeReceipt,
  detection: Detection,
  cameraSignature: string,
  publicKey: string,
): boolean {
  const r = signed.receipt;
  if (r.detectionId !== detection.detectionId || r.cameraId !== detection.cameraId) return false;
  if (r.detectionHash !== detectionHash(detection) || r.cameraSignature !== cameraSignature) return false;
  const digests = detection.evidence.map((e) => e.digest);
  if (r.evidence.length !== digests.length || r.evidence.some((d, i) => d !== digests[i])) return false;
  return verifyBytes(canonicalBytes(r), signed.signature, publicKey);
}

/** The text an edge signs to read a camera's keys: purpose, edge id, camera id and the time, one per line. */
export function edgeSyncMessage(edgeId: string, cameraId: string, at: string): Uint8Array {
  return new TextEncoder().encode(`${EDGE_SYNC_PURPOSE}\n${edgeId}\n${cameraId}\n${at}`);
}

export function signEdgeSync(edgeId: string, cameraId: string, at: string, secretKey: Uint8Array): string {
  return signBytes(edgeSyncMessage(edgeId, cameraId, at), secretKey);
}

export function verifyEdgeSync(edgeId: string, cameraId: string, at: string, signature: string, publicKey: string): boolean {
  return verifyBytes(edgeSyncMessage(edgeId, cameraId, at), signature, publicKey);
}
