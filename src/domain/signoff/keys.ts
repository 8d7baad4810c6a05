/**
 * Ed25519 keys as records carry them (integrity.md §4): raw 32-byte public keys in standard base64, 64-byte
 * signatures in base64, key id = first 16 hex characters of SHA-256(raw public key).
 *
 * Signing uses tweetnacl, which also runs in a browser (the review UI signs there). Verification uses
 * node:crypto, about 60× faster; both implement RFC 8032 and agree byte for byte.
 */
import { createHash, createPublicKey, randomBytes, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';

export interface Ed25519KeyPair {
  /** Base64 of the raw 32-byte public key. */
  publicKey: string;
  /** tweetnacl's 64-byte secret key (seed ‖ public key). Never logged, never stored in a record. */
  secretKey: Uint8Array;
  keyId: string;
}

/** Deterministic key pair from a 32-byte seed (fixtures, demo data). */
export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const pair = nacl.sign.keyPair.fromSeed(seed);
  const publicKey = Buffer.from(pair.publicKey).toString('base64');
  return { publicKey, secretKey: pair.secretKey, keyId: keyIdOf(publicKey) };
}

export function generateKeyPair(): Ed25519KeyPair {
  return keyPairFromSeed(new Uint8Array(randomBytes(32)));
}

/** Seed derived from a label: stable test and demo keys ("officer-01-0001"). Not for production keys. */
export function keyPairFromLabel(label: string): Ed25519KeyPair {
  return keyPairFromSeed(new Uint8Array(createHash('sha256').update(`tec-fixture-key:${label}`).digest()));
}

/** Decodes standard padded base64 of exactly `length` bytes, or undefined. */
export function decodeBase64(text: string, length: number): Uint8Array | undefined {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length || bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

/** Key id of a base64 raw public key; throws RangeError on anything but 32 bytes. */
export function keyIdOf(publicKey: string): string {
  const raw = decodeBase64(publicKey, 32);
  if (!raw) throw new RangeError('public key must be base64 of 32 bytes');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function isValidPublicKey(publicKey: string): boolean {
  return decodeBase64(publicKey, 32) !== undefined;
}

export function signBytes(message: Uint8Array, secretKey: Uint8Array): string {
  return Buffer.from(nacl.sign.detached(message, secretKey)).toString('base64');
}

const keyObjects = new Map<string, KeyObject>();
function publicKeyObject(publicKey: string, raw: Uint8Array): KeyObject {
  let key = keyObjects.get(publicKey);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
    if (keyObjects.size > 10_000) keyObjects.clear();
    keyObjects.set(publicKey, key);
  }
  return key;
}

/** Verifies an Ed25519 signature; false (never a throw) for malformed keys or signatures. */
export function verifyBytes(message: Uint8Array, signature: string, publicKey: string): boolean {
  const raw = decodeBase64(publicKey, 32);
  const sig = decodeBase64(signature, 64);
  if (!raw || !sig) return false;
  try {
    return cryptoVerify(null, message, publicKeyObject(publicKey, raw), sig);
  } catch {
    return false;
  }
}
