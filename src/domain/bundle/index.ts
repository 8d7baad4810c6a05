/**
 * Court bundles (bundle.md): build, archive, read and verify. `verifyBundle` here is bound to node:crypto;
 * the browser builds its own with `createBundleVerifier(primitives)` from ./verify.ts.
 */
import { nodePrimitives } from '../integrity/ed25519.ts';
import {
  createBundleVerifier,
  parseTrustedKey,
  type VerifyBundleOptions,
  type BundleReport,
} from './verify.ts';

/** Verifies bundle entries on node:crypto. Pure apart from the CPU: no I/O. Never throws for bad bundles. */
export const verifyBundle: (entries: Map<string, Uint8Array>, options?: VerifyBundleOptions) => BundleReport =
  createBundleVerifier(nodePrimitives);

/** Throws `TrustedKeyError` unless `trustedKey` is a verifier key or a sha256 fingerprint. */
export function checkTrustedKey(trustedKey: string): void {
  parseTrustedKey(nodePrimitives, trustedKey);
}

export { createBundleVerifier, parseTrustedKey, TrustedKeyError } from './verify.ts';
export type {
  BundleReport,
  BundleCheck,
  BundleFailure,
  TimelineEntry,
  VerifyBundleOptions,
  VerifyBundle,
} from './verify.ts';
export { buildBundleEntries, type BundleBuildInput, type BundleRecordInput } from './build.ts';
export {
  readBundleZip,
  writeBundleZip,
  BundleReadError,
  BundleEntryTooLargeError,
  ENTRY_SIZE_LIMITS,
  entrySizeLimit,
  type EntrySizeLimits,
  type ReadBundleOptions,
} from './zip.ts';
export { bundleReadme } from './readme.ts';
export * from './format.ts';
