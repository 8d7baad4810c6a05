/**
 * The record (integrity.md §2): the unit the event store keeps, the ledger seals and bundles carry.
 * A record is immutable once appended. Its hash is SHA-256 over its RFC 8785 canonical form and is
 * stored beside it, never inside it.
 */
export const ACTOR_KINDS = ['officer', 'device', 'service', 'citizen', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  kind: ActorKind;
  id: string;
}

export interface RecordMeta {
  actor: Actor;
  /** Province code ("01" Hà Nội, …, "00" for national records such as model approvals). */
  province: string;
  correlationId?: string;
  causationId?: string;
  /** RFC 3339 UTC with milliseconds, e.g. 2026-11-24T09:00:00.123Z. Supplied by the caller, never the store's clock. */
  recordedAt: string;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An event as a command handler proposes it; the store turns it into a record. */
export interface NewEvent {
  /** Lowercase UUID; re-appending the same id to the same stream is idempotent. */
  id: string;
  type: string;
  data: JsonObject;
  meta: RecordMeta;
}

export interface EventRecord {
  v: 1;
  id: string;
  stream: string;
  /** 0-based position in the stream. A JSON number in the record (streams never approach 2^53). */
  revision: number;
  type: string;
  data: JsonObject;
  meta: RecordMeta;
  /** Record hash of revision − 1, or 64 zeros for revision 0. */
  prev: string;
}

export const GENESIS_PREV = '0'.repeat(64);

/** Stream names (integrity.md §2). */
export const streams = {
  case: (caseId: string) => `case-${caseId}`,
  custody: (caseId: string) => `custody-${caseId}`,
  camera: (cameraId: string) => `camera-${cameraId}`,
  officer: (officerId: string) => `officer-${officerId}`,
  model: (modelId: string) => `model-${modelId}`,
  /** The national registry of provincial logs (one stream, province "00"). */
  provincialLogs: () => 'provincial-logs',
} as const;
