/**
 * The integrity primitives in a browser: SHA-256 from @noble/hashes (synchronous, which the shared verifier
 * core requires; Web Crypto's digest is async only) and Ed25519 verification from tweetnacl. Both are pure
 * JavaScript, so the offline verifier page works from a `file://` URL too.
 */
import { sha256 } from '@noble/hashes/sha2';
import nacl from 'tweetnacl';
import type { IntegrityPrimitives } from '../../../src/domain/integrity/primitives.ts';

export const browserPrimitives: IntegrityPrimitives = {
  sha256: (data) => sha256(data),
  ed25519Verify: (message, signature, publicKey) => {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return nacl.sign.detached.verify(message, signature, publicKey);
    } catch {
      return false;
    }
  },
};
