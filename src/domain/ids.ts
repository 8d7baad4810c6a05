/**
 * Deterministic identifiers the domain derives rather than generates.
 */
import { v5 as uuidV5, validate as uuidValidate } from 'uuid';

/**
 * Fixed namespace for case ids (a random v4 UUID chosen once; it MUST never change, or the same detection
 * would map to a different case after an upgrade).
 */
export const CASE_ID_NAMESPACE = '5b0e3c52-8d0e-4f5a-9a52-1c9f6f0b7d21';

/**
 * The case id of a detection: UUID v5 of the detection id under CASE_ID_NAMESPACE. Two racing ingests of the
 * same detection therefore target the same stream, and the store's no-stream check makes ingest idempotent.
 */
export function caseIdForDetection(detectionId: string): string {
  return uuidV5(detectionId, CASE_ID_NAMESPACE);
}

const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lowercase UUID (the form every id in a record uses). */
export function isLowercaseUuid(value: unknown): value is string {
  return typeof value === 'string' && LOWERCASE_UUID.test(value) && uuidValidate(value);
}
