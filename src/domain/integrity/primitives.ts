/**
 * The two cryptographic primitives everything in integrity.md reduces to, behind an interface so that the
 * same verification code runs on the server (node:crypto, `nodePrimitives` in ./node-primitives.ts) and in a
 * browser (tweetnacl and a JavaScript SHA-256). Both MUST be synchronous and MUST NOT throw: `ed25519Verify`
 * returns false for malformed keys or signatures.
 */
export interface IntegrityPrimitives {
  /** SHA-256 of `data`: 32 bytes. */
  sha256(data: Uint8Array): Uint8Array;
  /** RFC 8032 Ed25519 verification: raw 32-byte public key, 64-byte signature. */
  ed25519Verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
}

export type HashFn = (data: Uint8Array) => Uint8Array;
