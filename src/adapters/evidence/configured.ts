/**
 * Opens the filesystem evidence store the way the configuration says (EVIDENCE_ENCRYPTION, EVIDENCE_KEK_FILE),
 * for the node, the media worker and the `tec ledger` / `tec evidence` commands alike.
 *
 * Encryption on (the default): the KEK file is loaded; when it is absent it is created (0600) only if the
 * store has never been encrypted (no `encryption.json`) and the caller may create keys. A store that has been
 * encrypted with a missing or different KEK fails here with EvidenceKeyUnavailableError, before anything is
 * served. Encryption off: a store that has been encrypted refuses to open the same way.
 */
import { EvidenceKeyUnavailableError } from '../../ports/evidence-errors.ts';
import { FileSystemEvidenceStore } from './filesystem.ts';
import { FileKeyEncryptionKeys } from './kek-file.ts';
import { existsSync } from 'node:fs';

export interface EvidenceStoreConfig {
  evidenceDir: string;
  maxEvidenceBytes: number;
  evidenceEncryption: boolean;
  evidenceKekFile: string;
}

export async function openConfiguredEvidenceStore(
  config: EvidenceStoreConfig,
  options: { readOnly?: boolean; createKey?: boolean } = {},
): Promise<FileSystemEvidenceStore> {
  const base = { maxBytes: config.maxEvidenceBytes, ...(options.readOnly ? { readOnly: true } : {}) };
  if (!config.evidenceEncryption) return FileSystemEvidenceStore.open(config.evidenceDir, base);
  let keys: FileKeyEncryptionKeys;
  if (existsSync(config.evidenceKekFile)) {
    keys = FileKeyEncryptionKeys.load(config.evidenceKekFile);
  } else if (await FileSystemEvidenceStore.isMarkedEncrypted(config.evidenceDir)) {
    throw new EvidenceKeyUnavailableError(
      `Evidence store ${config.evidenceDir} is encrypted at rest and its key-encryption key file ${config.evidenceKekFile} is missing`,
      'missing',
    );
  } else if (options.createKey === false || options.readOnly) {
    // Nothing was ever encrypted here and this caller must not create keys: read the plaintext store.
    return FileSystemEvidenceStore.open(config.evidenceDir, base);
  } else {
    keys = FileKeyEncryptionKeys.create(config.evidenceKekFile);
  }
  return FileSystemEvidenceStore.open(config.evidenceDir, { ...base, encryption: keys });
}
