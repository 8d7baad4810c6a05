/** The primitives the checks use, bound once to an `IntegrityPrimitives` (node:crypto or the browser's). */
import { canonicalize } from '../../integrity/canonical.ts';
import { toHex } from '../../integrity/encoding.ts';
import { createMerkle } from '../../integrity/merkle-core.ts';
import type { IntegrityPrimitives } from '../../integrity/primitives.ts';

export interface CheckTools {
  readonly p: IntegrityPrimitives;
  readonly merkle: ReturnType<typeof createMerkle>;
  sha256Hex(bytes: Uint8Array): string;
  /** Ed25519 verification that never throws (a browser-supplied primitive might). */
  safeVerify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  /** Whether two values have the same RFC 8785 form; false when either cannot be canonicalized. */
  sameCanonical(a: unknown, b: unknown): boolean;
}

export function checkTools(p: IntegrityPrimitives): CheckTools {
  return {
    p,
    merkle: createMerkle(p.sha256),
    sha256Hex: (bytes) => toHex(p.sha256(bytes)),
    safeVerify: (message, signature, publicKey) => {
      try {
        return p.ed25519Verify(message, signature, publicKey) === true;
      } catch {
        return false;
      }
    },
    sameCanonical: (a, b) => {
      try {
        return canonicalize(a) === canonicalize(b);
      } catch {
        return false;
      }
    },
  };
}
