export * from '../../ports/evidence.ts';
export * from '../../ports/evidence-errors.ts';
export { parseDigest, assertMediaType } from './digest.ts';
export { FileSystemEvidenceStore, DEFAULT_MAX_EVIDENCE_BYTES, DEFAULT_STALE_TMP_AGE_MS, MAX_UPLOAD_MS } from './filesystem.ts';
export type { FileSystemEvidenceStoreOptions } from './filesystem.ts';
export {
  checkEvidenceMedia,
  EvidenceMediaMismatchError,
  EvidenceMediaTypeUnsupportedError,
  INGEST_MEDIA_TYPES,
  type IngestMediaType,
  type MediaMismatchReason,
} from './media-check.ts';
