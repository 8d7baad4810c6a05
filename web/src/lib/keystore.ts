/**
 * The officer's own Ed25519 signing key in the browser. Imported once from the key file `tec keygen` writes
 * (`{kind, subject, seed, publicKey, keyId}`), then kept ONLY encrypted in localStorage: the 32-byte seed
 * under AES-GCM with a key derived from the officer's passphrase by PBKDF2-SHA-256 (600,000 iterations, a
 * fresh random salt and IV). Unlocking decrypts it into memory for this tab; the private key never leaves
 * the browser, is never sent to the server and is never written anywhere in clear.
 */
import nacl from 'tweetnacl';
import { sha256 } from '@noble/hashes/sha2';
import { fromBase64, toBase64, toHex } from '../../../src/domain/integrity/encoding.ts';
import { createStore } from './store.ts';

export interface UnlockedKey {
  subject: string;
  publicKey: string;
  keyId: string;
  /** tweetnacl's 64-byte secret key (seed ‖ public key). Memory only. */
  secretKey: Uint8Array;
}

export interface StoredKey {
  v: 1;
  subject: string;
  publicKey: string;
  keyId: string;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  iv: string;
  ciphertext: string;
}

export class KeyFileError extends Error {
  constructor(readonly code: 'keyBadFile' | 'keyWrongSubject' | 'keyBadPassphrase' | 'passphraseShort') {
    super(code);
  }
}

export const PBKDF2_ITERATIONS = 600_000;
const STORAGE_PREFIX = 'tec.signing-key.';

export const unlockedKeyStore = createStore<UnlockedKey | undefined>(undefined);

/** Key id = first 16 hex of SHA-256(raw public key) (integrity.md §4). */
export function keyIdOfRaw(publicKey: Uint8Array): string {
  return toHex(sha256(publicKey)).slice(0, 16);
}

/** Parses and checks a key file: the seed must produce the stated public key and key id. */
export function parseKeyFile(text: string): { subject: string; seed: Uint8Array; publicKey: string; keyId: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeyFileError('keyBadFile');
  }
  const v = value as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || typeof v.subject !== 'string' || typeof v.seed !== 'string') throw new KeyFileError('keyBadFile');
  if (typeof v.kind === 'string' && !v.kind.startsWith('tec-ed25519-key/')) throw new KeyFileError('keyBadFile');
  const seed = fromBase64(v.seed, 32);
  if (!seed) throw new KeyFileError('keyBadFile');
  const pair = nacl.sign.keyPair.fromSeed(seed);
  const publicKey = toBase64(pair.publicKey);
  const keyId = keyIdOfRaw(pair.publicKey);
  if ((typeof v.publicKey === 'string' && v.publicKey !== publicKey) || (typeof v.keyId === 'string' && v.keyId !== keyId)) {
    throw new KeyFileError('keyBadFile');
  }
  return { subject: v.subject, seed, publicKey, keyId };
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The additional data binds the ciphertext to its owner and key id: swapping stored entries fails to decrypt. */
function aad(subject: string, keyId: string): Uint8Array {
  return new TextEncoder().encode(`tec-signing-key/v1\n${subject}\n${keyId}`);
}

export function storedKey(subject: string): StoredKey | undefined {
  try {
    const raw = localStorage.getItem(STORAGE_PREFIX + subject);
    return raw ? (JSON.parse(raw) as StoredKey) : undefined;
  } catch {
    return undefined;
  }
}

export function forgetKey(subject: string): void {
  localStorage.removeItem(STORAGE_PREFIX + subject);
  if (unlockedKeyStore.get()?.subject === subject) unlockedKeyStore.set(undefined);
}

export function lockKey(): void {
  const key = unlockedKeyStore.get();
  key?.secretKey.fill(0);
  unlockedKeyStore.set(undefined);
}

/** Imports a key file for `subject` (the signed-in officer), stores it encrypted and unlocks it. */
export async function importKeyFile(text: string, subject: string, passphrase: string, iterations = PBKDF2_ITERATIONS): Promise<UnlockedKey> {
  if (passphrase.length < 8) throw new KeyFileError('passphraseShort');
  const parsed = parseKeyFile(text);
  if (parsed.subject !== subject) throw new KeyFileError('keyWrongSubject');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, iterations);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(subject, parsed.keyId) as BufferSource }, key, parsed.seed as BufferSource),
  );
  const stored: StoredKey = {
    v: 1,
    subject,
    publicKey: parsed.publicKey,
    keyId: parsed.keyId,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) },
    iv: toBase64(iv),
    ciphertext: toBase64(ciphertext),
  };
  localStorage.setItem(STORAGE_PREFIX + subject, JSON.stringify(stored));
  const unlocked = { subject, publicKey: parsed.publicKey, keyId: parsed.keyId, secretKey: nacl.sign.keyPair.fromSeed(parsed.seed).secretKey };
  parsed.seed.fill(0);
  unlockedKeyStore.set(unlocked);
  return unlocked;
}

/** Decrypts the stored key of `subject` with the passphrase into memory. */
export async function unlockKey(subject: string, passphrase: string): Promise<UnlockedKey> {
  const stored = storedKey(subject);
  if (!stored) throw new KeyFileError('keyBadFile');
  const salt = fromBase64(stored.kdf.salt);
  const iv = fromBase64(stored.iv);
  const ciphertext = fromBase64(stored.ciphertext);
  if (!salt || !iv || !ciphertext) throw new KeyFileError('keyBadFile');
  const key = await deriveKey(passphrase, salt, stored.kdf.iterations);
  let seed: Uint8Array;
  try {
    seed = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad(subject, stored.keyId) as BufferSource }, key, ciphertext as BufferSource),
    );
  } catch {
    throw new KeyFileError('keyBadPassphrase');
  }
  const pair = nacl.sign.keyPair.fromSeed(seed);
  seed.fill(0);
  if (keyIdOfRaw(pair.publicKey) !== stored.keyId) throw new KeyFileError('keyBadFile');
  const unlocked = { subject, publicKey: stored.publicKey, keyId: stored.keyId, secretKey: pair.secretKey };
  unlockedKeyStore.set(unlocked);
  return unlocked;
}
