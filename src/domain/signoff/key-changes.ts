/**
 * The decide side of a camera's or officer's key lifecycle (integrity.md §4): registering, rotating and
 * revoking a signing key follow one rule for both holders. What a holder must be for the change to be allowed
 * at all (registered, not decommissioned, enrolled…) stays with its own decider; these checks run after it.
 * Each throws a typed error and never reads a clock: times come in through the command.
 */
import {
  InvalidPublicKeyError,
  KeyAlreadyRegisteredError,
  KeyAlreadyRevokedError,
  UnknownKeyError,
} from './errors.ts';
import { describeInput, requireText } from './guards.ts';
import { currentKey, type KeyView } from './keys-in-force.ts';
import { isValidPublicKey, keyIdOf } from './keys.ts';

/** Who holds the keys, as named in refusals. */
export type KeyHolder = 'camera' | 'officer';

/** The key id of a well-formed public key (base64 of a raw 32-byte Ed25519 key); anything else is refused. */
export function requirePublicKey(publicKey: unknown): string {
  if (typeof publicKey !== 'string' || !isValidPublicKey(publicKey)) {
    throw new InvalidPublicKeyError('publicKey must be base64 of a raw 32-byte Ed25519 key');
  }
  return keyIdOf(publicKey);
}

export interface KeyRotation {
  publicKey: string;
  keyId: string;
  /** The key the rotation closes, when one is in force. */
  previousKeyId?: string;
}

/** A rotation to `publicKey`: refused when the key is malformed or was ever registered for this holder. */
export function decideKeyRotation(keys: readonly KeyView[], publicKey: string): KeyRotation {
  const keyId = requirePublicKey(publicKey);
  if (keys.some((k) => k.keyId === keyId))
    throw new KeyAlreadyRegisteredError('Key already registered', { keyId });
  const previous = currentKey(keys);
  return { publicKey, keyId, ...(previous ? { previousKeyId: previous.keyId } : {}) };
}

export interface KeyRevocation {
  keyId: string;
  reason: string;
}

/** A revocation of `keyId` for `reason`: refused without a reason, for a key this holder never had, or twice. */
export function decideKeyRevocation(
  keys: readonly KeyView[],
  revocation: { keyId: string; reason: string },
  holder: KeyHolder,
): KeyRevocation {
  requireText(revocation.reason, 'reason');
  const key = keys.find((k) => k.keyId === revocation.keyId);
  if (!key)
    throw new UnknownKeyError(`No such key for this ${holder}`, {
      keyId: describeInput(revocation.keyId, 32),
    });
  if (key.revokedAt !== undefined)
    throw new KeyAlreadyRevokedError('Key already revoked', { keyId: key.keyId });
  return { keyId: key.keyId, reason: revocation.reason };
}
