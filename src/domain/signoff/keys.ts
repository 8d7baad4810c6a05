/**
 * Ed25519 keys as records carry them (integrity.md §4): raw 32-byte public keys in standard base64, 64-byte
 * signatures in base64, key id = first 16 hex characters of SHA-256(raw public key).
 *
 * Signing uses tweetnacl, which also runs in a browser (the review UI signs there). Verification and key ids
 * use the integrity kernel (node:crypto, about 60× faster); both implement RFC 8032 and agree byte for byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { keyId as kernelKeyId, verify as kernelVerify } from '../integrity/ed25519.ts';

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
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
    return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length || bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

/** Key id of a base64 raw public key; throws RangeError on anything but 32 bytes. */
export function keyIdOf(publicKey: string): string {
  const raw = decodeBase64(publicKey, 32);
  if (!raw) throw new RangeError('public key must be base64 of 32 bytes');
  return kernelKeyId(raw);
}

export function isValidPublicKey(publicKey: string): boolean {
  return decodeBase64(publicKey, 32) !== undefined;
}

export function signBytes(message: Uint8Array, secretKey: Uint8Array): string {
  return Buffer.from(nacl.sign.detached(message, secretKey)).toString('base64');
}

/** Verifies an Ed25519 signature; false (never a throw) for malformed keys or signatures. */
export function verifyBytes(message: Uint8Array, signature: string, publicKey: string): boolean {
  const raw = decodeBase64(publicKey, 32);
  const sig = decodeBase64(signature, 64);
  if (!raw || !sig) return false;
  return kernelVerify(message, sig, raw);
}
