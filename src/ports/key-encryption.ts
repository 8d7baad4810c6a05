/**
 * Key-encryption keys for evidence at rest (docs/data-protection.md). Each evidence blob is encrypted with its
 * own random data key; the data key is stored only wrapped by a key-encryption key (KEK) held outside the
 * evidence directory. This port is what a key file, a KMS or an HSM implements: the blob store never sees
 * KEK material, only key ids and wrapped data keys.
 *
 * `context` is bound to the wrap (GCM additional data, a KMS encryption context): the blob's digest, so a
 * wrapped key moved to another blob's header does not unwrap.
 */
export interface WrappedDataKey {
  /** Which KEK wrapped it (at most 64 ASCII characters). */
  kekId: string;
  /** Opaque to the store (at most `MAX_WRAPPED_KEY_BYTES`). */
  wrapped: Uint8Array;
}

export interface KeyEncryptionKeys {
  /** The KEK new wraps use. */
  readonly currentId: string;
  /** True when `unwrap` can use this KEK (the current one or an older one kept for unwrapping). */
  has(kekId: string): boolean;
  wrap(dataKey: Uint8Array, context: Uint8Array): Promise<WrappedDataKey>;
  /**
   * The data key. Throws EvidenceKeyUnavailableError when `kekId` is not held, and EvidenceKeyUnwrapError when
   * the wrap does not authenticate under that KEK and context (tampered header or a different key).
   */
  unwrap(wrapped: WrappedDataKey, context: Uint8Array): Promise<Uint8Array>;
}

export const MAX_KEK_ID_LENGTH = 64;
export const MAX_WRAPPED_KEY_BYTES = 440;
