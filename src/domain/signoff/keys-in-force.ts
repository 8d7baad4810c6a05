/**
 * Which key of a camera or officer was in force at a moment (integrity.md §4, "keys in force").
 *
 * A key is in force from the time of the event that registered it until the time of the rotation that
 * replaced it. A revoked key is never in force again, for any claimed time: a compromised key could
 * otherwise sign backdated payloads.
 */
import { toMillis } from './primitives.ts';

export interface KeyView {
  keyId: string;
  /** Base64 of the raw 32-byte public key. */
  publicKey: string;
  /** RFC 3339 UTC: when the registering event took effect. */
  validFrom: string;
  /** RFC 3339 UTC: when a rotation replaced it (exclusive). */
  validUntil?: string;
  /** RFC 3339 UTC: when it was revoked; a revoked key verifies nothing. */
  revokedAt?: string;
}

export type KeyCheck =
  | { ok: true; key: KeyView }
  | { ok: false; reason: 'unknown-key' | 'revoked' | 'not-yet-valid' | 'rotated-out' };

export function checkKeyAt(keys: readonly KeyView[], keyId: string, at: string): KeyCheck {
  const key = keys.find((k) => k.keyId === keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  if (key.revokedAt !== undefined) return { ok: false, reason: 'revoked' };
  const t = toMillis(at);
  if (t < toMillis(key.validFrom)) return { ok: false, reason: 'not-yet-valid' };
  if (key.validUntil !== undefined && t >= toMillis(key.validUntil))
    return { ok: false, reason: 'rotated-out' };
  return { ok: true, key };
}

/** The key with `keyId` if it was in force at `at`, else undefined. */
export function keyInForceAt(keys: readonly KeyView[], keyId: string, at: string): KeyView | undefined {
  const check = checkKeyAt(keys, keyId, at);
  return check.ok ? check.key : undefined;
}

/** The current (latest, unrevoked, not rotated out) key, if any. */
export function currentKey(keys: readonly KeyView[]): KeyView | undefined {
  return keys.find((k) => k.validUntil === undefined && k.revokedAt === undefined);
}

/** Immutable update helpers used by `evolve` (never throw: unknown key ids are ignored). */
export function withRotatedKey(
  keys: readonly KeyView[],
  added: { keyId: string; publicKey: string },
  at: string,
): KeyView[] {
  const closed = keys.map((k) =>
    k.validUntil === undefined && k.revokedAt === undefined ? { ...k, validUntil: at } : k,
  );
  return [...closed, { keyId: added.keyId, publicKey: added.publicKey, validFrom: at }];
}

export function withRevokedKey(keys: readonly KeyView[], keyId: string, at: string): KeyView[] {
  return keys.map((k) => (k.keyId === keyId && k.revokedAt === undefined ? { ...k, revokedAt: at } : k));
}
