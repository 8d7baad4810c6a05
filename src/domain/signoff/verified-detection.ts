/**
 * A detection whose camera signature was verified once, at the edge (the ingest route), handed to the case
 * decider so it need not verify the same Ed25519 signature again.
 *
 * Trusted only from that path: a `VerifiedDetection` can be made only by `verifyDetectionOnce` below, which
 * verifies the signature and deep-freezes the detection object it verified; the decider accepts it only when
 * it is a genuine instance (`isVerifiedDetection`, a private-field brand check, so a look-alike object built
 * from JSON or by hand is not one) and covers exactly the command's detection object (same reference, frozen,
 * so its content cannot have changed since), signature, key id and the public key the decider itself
 * resolved as in force. Anything else, and the decider verifies the signature itself as before.
 */
import { verifyDetection } from './signing.ts';

const MINT = Symbol('VerifiedDetection.mint');

export class VerifiedDetection {
  readonly #brand = true;

  /** Not for use: construct with `verifyDetectionOnce`. The token keeps other code from minting one. */
  constructor(
    token: symbol,
    readonly detection: unknown,
    readonly signature: string,
    readonly keyId: string,
    readonly publicKey: string,
  ) {
    if (token !== MINT) throw new TypeError('VerifiedDetection is made only by verifyDetectionOnce');
    Object.freeze(this);
  }

  static isGenuine(value: unknown): value is VerifiedDetection {
    return typeof value === 'object' && value !== null && #brand in value;
  }

  /** True when this proof is about exactly this detection object, signature, key id and public key. */
  covers(detection: unknown, signature: string, keyId: string, publicKey: string): boolean {
    return (
      this.#brand &&
      this.detection === detection &&
      Object.isFrozen(detection) &&
      this.signature === signature &&
      this.keyId === keyId &&
      this.publicKey === publicKey
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Verifies `signature` over JCS(detection) under `publicKey`; on success deep-freezes `detection` (the caller
 * MUST hand this same object on) and returns the proof, otherwise undefined.
 */
export function verifyDetectionOnce(
  detection: unknown,
  signature: string,
  keyId: string,
  publicKey: string,
): VerifiedDetection | undefined {
  deepFreeze(detection);
  if (!verifyDetection(detection, signature, publicKey)) return undefined;
  return new VerifiedDetection(MINT, detection, signature, keyId, publicKey);
}

/** The decider's check: a genuine proof covering this command's detection, signature and key. */
export function isVerifiedFor(
  proof: unknown,
  detection: unknown,
  signature: string,
  keyId: string,
  publicKey: string,
): boolean {
  return VerifiedDetection.isGenuine(proof) && proof.covers(detection, signature, keyId, publicKey);
}
