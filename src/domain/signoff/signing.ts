/**
 * Signing and verifying detections and sign-offs (node side: the API, workers, demo data and tests).
 * Signatures are Ed25519 over JCS(payload); verification uses the integrity kernel's node:crypto path.
 */
import { canonicalBytes } from '../integrity/canonical.ts';
import { keyIdOf, signBytes, verifyBytes } from './keys.ts';
import type { Detection, HoldSignoff, Signed, Signoff } from './payloads.ts';

/** Signs JCS(payload) with tweetnacl; `publicKey` (base64) names the key id. */
function signPayload<P>(payload: P, secretKey: Uint8Array): Signed<P> {
  const signature = signBytes(canonicalBytes(payload), secretKey);
  const publicKey = Buffer.from(secretKey.subarray(32)).toString('base64');
  return { payload, signature, keyId: keyIdOf(publicKey) };
}

/** The camera's signature over JCS(detection), in the shape `ViolationDetected.data` stores. */
export function signDetection(
  detection: Detection,
  secretKey: Uint8Array,
): { detection: Detection; signature: string; keyId: string } {
  const { payload, signature, keyId } = signPayload(detection, secretKey);
  return { detection: payload, signature, keyId };
}

/** An officer's signature over JCS(signoff), in the shape `ReviewConfirmed.data` etc. store. */
export function signSignoff<S extends Signoff | HoldSignoff>(
  signoff: S,
  secretKey: Uint8Array,
): { signoff: S; signature: string; keyId: string } {
  const { payload, signature, keyId } = signPayload(signoff, secretKey);
  return { signoff: payload, signature, keyId };
}

/** True when `signature` is the Ed25519 signature of JCS(detection) under `publicKey`. */
export function verifyDetection(detection: unknown, signature: string, publicKey: string): boolean {
  return verifyCanonical(detection, signature, publicKey);
}

/** True when `signature` is the Ed25519 signature of JCS(signoff) under `publicKey`. */
export function verifySignoff(signoff: unknown, signature: string, publicKey: string): boolean {
  return verifyCanonical(signoff, signature, publicKey);
}

function verifyCanonical(payload: unknown, signature: string, publicKey: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = canonicalBytes(payload);
  } catch {
    return false;
  }
  return verifyBytes(bytes, signature, publicKey);
}
