/**
 * The file-backed key-encryption keys (`EVIDENCE_KEK_FILE`, default `$DATA_DIR/keys/evidence-kek.key`).
 *
 * Format: text, one base64 32-byte AES-256 key per line, `#` comments allowed. The first key is current (new
 * wraps use it); the others are older keys kept so data keys wrapped under them still unwrap until
 * `tec evidence rotate-key` has re-wrapped them. A key's id is derived from the key itself
 * (`kek-` + 16 hex of SHA-256 over a label and the key), so a different key never passes for the right one.
 * The file must not be readable by group or others (created 0600 in a 0700 directory).
 *
 * Wrap: AES-256-GCM, random 96-bit nonce, additional data = label, KEK id and the caller's context;
 * wrapped = nonce (12) ‖ ciphertext (32) ‖ tag (16).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { EvidenceKeyUnavailableError, EvidenceKeyUnwrapError } from '../../ports/evidence-errors.ts';
import type { KeyEncryptionKeys, WrappedDataKey } from '../../ports/key-encryption.ts';

const WRAP_LABEL = Buffer.from('tec-evidence-dek-wrap/1\0', 'latin1');

export function kekIdOf(key: Uint8Array): string {
  return `kek-${createHash('sha256').update('tec-evidence-kek-id/1\0').update(key).digest('hex').slice(0, 16)}`;
}

export class FileKeyEncryptionKeys implements KeyEncryptionKeys {
  private readonly keys: Map<string, Buffer>;
  readonly currentId: string;

  private constructor(keys: Buffer[]) {
    this.keys = new Map(keys.map((k) => [kekIdOf(k), k]));
    this.currentId = kekIdOf(keys[0]!);
  }

  /** Reads a key file; EvidenceKeyUnavailableError when it is absent, unsafe or malformed. */
  static load(path: string): FileKeyEncryptionKeys {
    if (!existsSync(path)) throw new EvidenceKeyUnavailableError(`Evidence key-encryption key file ${path} does not exist`, 'missing');
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new EvidenceKeyUnavailableError(`Evidence key-encryption key file ${path} has mode ${mode.toString(8)}; it must not be readable by group or others (chmod 600)`, 'wrong');
    }
    return new FileKeyEncryptionKeys(parseKeyFile(path));
  }

  /** Creates a key file with one fresh key (0600, exclusive); fails if the file exists. */
  static create(path: string): FileKeyEncryptionKeys {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${header()}${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return FileKeyEncryptionKeys.load(path);
  }

  /**
   * Rotation, step one: a fresh key becomes current, every key held so far stays for unwrapping. The file is
   * replaced atomically (temp file, fsync, rename). Returns the new key id.
   */
  static addCurrentKey(path: string): string {
    const existing = parseKeyFile(path);
    const fresh = randomBytes(32);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${header()}${[fresh, ...existing].map((k) => k.toString('base64')).join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return kekIdOf(fresh);
  }

  has(kekId: string): boolean {
    return this.keys.has(kekId);
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  async wrap(dataKey: Uint8Array, context: Uint8Array): Promise<WrappedDataKey> {
    const kek = this.keys.get(this.currentId)!;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, nonce);
    cipher.setAAD(aad(this.currentId, context));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { kekId: this.currentId, wrapped: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
  }

  async unwrap(wrapped: WrappedDataKey, context: Uint8Array): Promise<Uint8Array> {
    const kek = this.keys.get(wrapped.kekId);
    if (!kek) throw new EvidenceKeyUnavailableError(`Key-encryption key ${wrapped.kekId} is not in the key file`, 'unknown-kek');
    const w = Buffer.from(wrapped.wrapped);
    if (w.byteLength < 12 + 16 + 1) throw new EvidenceKeyUnwrapError(wrapped.kekId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, w.subarray(0, 12));
      decipher.setAAD(aad(wrapped.kekId, context));
      decipher.setAuthTag(w.subarray(w.byteLength - 16));
      return Buffer.concat([decipher.update(w.subarray(12, w.byteLength - 16)), decipher.final()]);
    } catch {
      throw new EvidenceKeyUnwrapError(wrapped.kekId);
    }
  }
}

function aad(kekId: string, context: Uint8Array): Buffer {
  return Buffer.concat([WRAP_LABEL, Buffer.from(`${kekId}\0`, 'latin1'), context]);
}

function header(): string {
  return '# Evidence key-encryption keys: first line current, older ones after. Keep outside the evidence directory; back it up.\n';
}

function parseKeyFile(path: string): Buffer[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const keys = lines.map((l) => Buffer.from(l, 'base64'));
  if (keys.length === 0 || keys.some((k) => k.byteLength !== 32)) {
    throw new EvidenceKeyUnavailableError(`Evidence key-encryption key file ${path} must hold base64 32-byte keys, one a line`, 'wrong');
  }
  return keys;
}
