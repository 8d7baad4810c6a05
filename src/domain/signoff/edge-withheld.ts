/**
 * `edge-withheld/v1` (docs/integrity.md, "Edge nodes: originals later"): what an edge node relays in place of
 * the originals it holds back until review needs them. The edge signs JCS of this payload with its device key;
 * the node verifies it under the edge's key in force at `receivedAt`, records one `EvidenceDerived` per derived
 * item with the edge as the deriving device, and keeps the signed statement in the relay's custody record, so
 * the ledger says which originals are still at which edge and what was made from them there.
 *
 * Binding: the detection hash (SHA-256 of JCS(detection)) ties it to one signed detection; every withheld
 * digest is an original that detection names (the camera's signature covers it, so the original, when it
 * arrives, is checked against what the camera signed); every derived item names one withheld original as
 * its source.
 */
import { z } from 'zod';
import { DerivationParametersSchema } from '../case/events.ts';
import { canonicalBytes } from '../integrity/canonical.ts';
import { keyIdOf, signBytes, verifyBytes } from './keys.ts';
import { detectionHash } from './edge-receipt.ts';
import type { Detection } from './payloads.ts';
import { DigestSchema, IdentifierSchema, KeyIdSchema, SignatureSchema, UtcTimestampSchema } from './primitives.ts';

export const EDGE_WITHHELD_PURPOSE = 'edge-withheld/v1';
/** The edge uploads a withheld original (`PUT /v1/edge/originals/:digest`). */
export const EDGE_ORIGINAL_PURPOSE = 'edge-original/v1';
/** The edge asks which withheld originals the node wants now (`GET /v1/edge/requests`). */
export const EDGE_REQUESTS_PURPOSE = 'edge-requests/v1';

/** The kinds an edge derives: a plate crop and a reduced overview (a `thumbnail` by kind). */
export const EDGE_DERIVED_KINDS = ['plate-crop', 'thumbnail'] as const;

export const EdgeDerivedItemSchema = z.strictObject({
  digest: DigestSchema,
  mediaType: z.literal('image/jpeg'),
  size: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  kind: z.enum(EDGE_DERIVED_KINDS),
  sourceDigest: DigestSchema,
  operation: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/),
  parameters: DerivationParametersSchema,
  producer: z.strictObject({ library: z.string().min(1).max(64), version: z.string().min(1).max(64) }),
});
export type EdgeDerivedItem = z.infer<typeof EdgeDerivedItemSchema>;

export const EdgeWithheldSchema = z.strictObject({
  purpose: z.literal(EDGE_WITHHELD_PURPOSE),
  edgeId: IdentifierSchema,
  detectionId: IdentifierSchema,
  /** SHA-256 (hex) of JCS(detection). */
  detectionHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Digests of the originals not sent with the relay (each one an original of the detection). */
  originals: z.array(DigestSchema).min(1).max(32),
  /** What the edge made from them and sent instead. */
  derived: z.array(EdgeDerivedItemSchema).min(1).max(64),
  /** The receipt's `receivedAt`: when the edge acknowledged the detection. */
  receivedAt: UtcTimestampSchema,
});
export type EdgeWithheld = z.infer<typeof EdgeWithheldSchema>;

export const SignedEdgeWithheldSchema = z.strictObject({
  withheld: EdgeWithheldSchema,
  signature: SignatureSchema,
  keyId: KeyIdSchema,
});
export type SignedEdgeWithheld = z.infer<typeof SignedEdgeWithheldSchema>;

export function signEdgeWithheld(withheld: EdgeWithheld, secretKey: Uint8Array): SignedEdgeWithheld {
  const publicKey = Buffer.from(secretKey.subarray(32)).toString('base64');
  return { withheld, signature: signBytes(canonicalBytes(withheld), secretKey), keyId: keyIdOf(publicKey) };
}

/** Why a withheld statement does not fit its detection (undefined when it fits). Pure; no signature check. */
export function withheldMismatch(withheld: EdgeWithheld, detection: Detection, edgeId: string, receivedAt: string): string | undefined {
  if (withheld.edgeId !== edgeId) return 'it names another edge';
  if (withheld.detectionId !== detection.detectionId || withheld.detectionHash !== detectionHash(detection))
    return 'it names another detection';
  if (withheld.receivedAt !== receivedAt) return 'its receivedAt differs from the receipt\'s';
  const originals = new Map(detection.evidence.map((e) => [e.digest, e]));
  const withheldSet = new Set(withheld.originals);
  if (withheldSet.size !== withheld.originals.length) return 'an original is withheld twice';
  if (withheld.originals.some((d) => !originals.has(d))) return 'it withholds a digest the detection does not name';
  const derivedDigests = new Set<string>();
  for (const item of withheld.derived) {
    if (!withheldSet.has(item.sourceDigest)) return 'a derived item\'s source is not a withheld original';
    if (originals.has(item.digest) || derivedDigests.has(item.digest)) return 'a derived item repeats a digest';
    derivedDigests.add(item.digest);
  }
  return undefined;
}

export function verifyEdgeWithheld(signed: SignedEdgeWithheld, publicKey: string): boolean {
  return verifyBytes(canonicalBytes(signed.withheld), signed.signature, publicKey);
}

/** The text an edge signs for a request to the node: purpose, edge id, subject and time, one per line. */
export function edgeRequestMessage(purpose: string, edgeId: string, subject: string, at: string): Uint8Array {
  return new TextEncoder().encode(`${purpose}\n${edgeId}\n${subject}\n${at}`);
}

export function signEdgeRequest(purpose: string, edgeId: string, subject: string, at: string, secretKey: Uint8Array): string {
  return signBytes(edgeRequestMessage(purpose, edgeId, subject, at), secretKey);
}

export function verifyEdgeRequest(purpose: string, edgeId: string, subject: string, at: string, signature: string, publicKey: string): boolean {
  return verifyBytes(edgeRequestMessage(purpose, edgeId, subject, at), signature, publicKey);
}
