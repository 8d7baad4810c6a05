/**
 * Wire-level building blocks shared by every aggregate's event and command schemas. Hashed and signed data
 * hold integers only (integrity.md §1): coordinates in microdegrees, confidence in basis points, money in VND.
 */
import { z } from 'zod';
import { ACTOR_KINDS } from '../record.ts';
import { DIGEST_PATTERN } from '../integrity/hash.ts';
import { isRfc3339Utc } from '../integrity/time.ts';
import { NATIONAL } from '../provinces/index.ts';

/** Province code of national staff and national records (model approvals). */
export const NATIONAL_PROVINCE: string = NATIONAL;

/**
 * True for an RFC 3339 timestamp in UTC ("Z") that names a real instant: the integrity layer's rule
 * (`isRfc3339Utc`), so a command, an event and a checkpoint accept exactly the same timestamps.
 */
export const isUtcTimestamp: (value: unknown) => value is string = isRfc3339Utc;

/** Milliseconds since the epoch of a timestamp already validated by `isUtcTimestamp` (sub-ms digits ignored). */
export function toMillis(timestamp: string): number {
  return Date.parse(timestamp);
}

/** The same instant one calendar year later, in UTC (29 Feb → 1 Mar). */
export function oneYearAfter(timestamp: string): number {
  const d = new Date(toMillis(timestamp));
  const later = new Date(d.getTime());
  later.setUTCFullYear(d.getUTCFullYear() + 1);
  return later.getTime();
}

/** Calendar date in Vietnam (UTC+7, no daylight saving) of an instant: the legal date of a violation. */
export function vietnamDate(timestamp: string): string {
  return new Date(toMillis(timestamp) + 7 * 3600_000).toISOString().slice(0, 10);
}

/** Tolerated difference between a signer's clock and the node's clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const UtcTimestampSchema = z
  .string()
  .refine(isUtcTimestamp, 'must be an RFC 3339 UTC timestamp ending in Z');
export const ProvinceCodeSchema = z.string().regex(/^\d{2}$/, 'must be a two-digit province code');
/** Identifiers chosen by operators (camera ids, officer ids, model ids, notice ids): printable, bounded. */
export const IdentifierSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be an identifier');
export const DigestSchema = z.string().regex(DIGEST_PATTERN, 'must be sha256:<64 lowercase hex>');
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
/** Base64 (standard, padded) of a raw 32-byte Ed25519 public key. */
export const PublicKeySchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be base64 of 32 bytes');
/** Base64 (standard, padded) of a 64-byte Ed25519 signature. */
export const SignatureSchema = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be base64 of 64 bytes');
/** First 16 hex characters of SHA-256(raw public key). */
export const KeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lowercase hex characters');
export const TextSchema = z.string().min(1).max(2000);
export const ShortTextSchema = z.string().min(1).max(200);
export const ActorSchema = z.strictObject({ kind: z.enum(ACTOR_KINDS), id: z.string().min(1).max(128) });

export const EVIDENCE_ROLES = [
  'overview',
  'plate',
  'video',
  'sensor',
  'context',
  'driver',
  'rear',
  'sign',
] as const;
export type EvidenceRole = (typeof EVIDENCE_ROLES)[number] | (string & {});

/** Reference to an evidence blob (integrity.md §3). */
export const EvidenceRefSchema = z.strictObject({
  digest: DigestSchema,
  mediaType: z.string().regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/),
  size: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** One of EVIDENCE_ROLES in practice; any short lowercase token is accepted so new roles need no new version. */
  role: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase role token'),
});
export type EvidenceRef = z.infer<typeof EvidenceRefSchema>;

/** Road types of the national camera programme: its coverage targets are set per road type. */
export const ROAD_TYPES = ['expressway', 'national-highway', 'provincial-road', 'urban', 'railway', 'inland-waterway'] as const;
export type RoadType = (typeof ROAD_TYPES)[number];

/** Where a camera stands / a detection happened. */
export const LocationSchema = z.strictObject({
  latMicro: z.int().min(-90_000_000).max(90_000_000),
  lonMicro: z.int().min(-180_000_000).max(180_000_000),
  description: ShortTextSchema,
  roadType: z.enum(ROAD_TYPES),
  commune: ShortTextSchema.optional(),
});
export type Location = z.infer<typeof LocationSchema>;

/** Confidence in basis points: 0 … 10000 (integrity.md §1). */
export const BasisPointsSchema = z.int().min(0).max(10_000);
