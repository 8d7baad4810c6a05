export * from '../../ports/evidence.ts';
export * from '../../ports/evidence-errors.ts';
export * from '../../ports/key-encryption.ts';
export { FileKeyEncryptionKeys, kekIdOf } from './kek-file.ts';
export { openConfiguredEvidenceStore, type EvidenceStoreConfig } from './configured.ts';
export { parseDigest, assertMediaType } from './digest.ts';
export { FileSystemEvidenceStore, DEFAULT_MAX_EVIDENCE_BYTES, DEFAULT_STALE_TMP_AGE_MS, MAX_UPLOAD_MS } from './filesystem.ts';
export type { FileSystemEvidenceStoreOptions, EncryptOutcome, RewrapOutcome } from './filesystem.ts';
export { ENCRYPTION_MARKER, fsyncDirectory } from './filesystem.ts';
export { DirectorySyncGroup, type DirectoryFsync } from './directory-sync.ts';
export {
  checkEvidenceMedia,
  EvidenceMediaMismatchError,
  EvidenceMediaTypeUnsupportedError,
  INGEST_MEDIA_TYPES,
  type IngestMediaType,
  type MediaMismatchReason,
} from './media-check.ts';
