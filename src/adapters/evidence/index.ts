export * from '../../ports/evidence.ts';
export * from '../../ports/evidence-errors.ts';
export { parseDigest, assertMediaType } from './digest.ts';
export { FileSystemEvidenceStore, DEFAULT_MAX_EVIDENCE_BYTES } from './filesystem.ts';
export type { FileSystemEvidenceStoreOptions } from './filesystem.ts';
