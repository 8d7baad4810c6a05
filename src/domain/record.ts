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

/** Stream kinds, each the prefix of its streams' names before the first `-` (integrity.md §2). */
export const STREAM_KINDS = ['case', 'custody', 'camera', 'officer', 'model', 'retention', 'citizen', 'report', 'subject'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

/**
 * Stream names (integrity.md §2): `<kind>-<id>`. The only place a name is built; `parseStream` is the only
 * place one is taken apart.
 */
export const streams = {
  case: (caseId: string) => `case-${caseId}`,
  custody: (caseId: string) => `custody-${caseId}`,
  camera: (cameraId: string) => `camera-${cameraId}`,
  officer: (officerId: string) => `officer-${officerId}`,
  model: (modelId: string) => `model-${modelId}`,
  /** Legal holds and evidence destruction of one case (docs/data-protection.md, "Retention"). */
  retention: (caseId: string) => `retention-${caseId}`,
  /** What the vehicle's papers holder sent about one case through the public portal, and its payment (docs/citizen-portal.md). */
  citizen: (caseId: string) => `citizen-${caseId}`,
  /** The violations citizens reported in one province, and their review (its citizen-report queue). */
  report: (province: string) => `report-${province}`,
  /** One data-subject request and its answer (docs/data-protection.md, "The data subject"). */
  subject: (requestId: string) => `subject-${requestId}`,
  /** The national registry of provincial logs: one stream with no id (province "00"; not a kind `parseStream` reads). */
  provincialLogs: () => 'provincial-logs',
} as const satisfies { [K in StreamKind]: (id: string) => string } & { provincialLogs: () => string };

/**
 * The kind and id of a stream name built by `streams`; undefined for any other name (an unknown kind, or
 * no id after the kind's `-`). The id is everything after the first `-`, as the builder put it.
 */
export function parseStream(name: string): { kind: StreamKind; id: string } | undefined {
  const dash = name.indexOf('-');
  if (dash <= 0 || dash === name.length - 1) return undefined;
  const kind = name.slice(0, dash);
  if (!(STREAM_KINDS as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as StreamKind, id: name.slice(dash + 1) };
}

/** The id of a stream of `kind` (`streamIdOf('model', 'model-x')` is `x`); undefined for a stream of another kind. */
export function streamIdOf(kind: StreamKind, stream: string): string | undefined {
  const parsed = parseStream(stream);
  return parsed?.kind === kind ? parsed.id : undefined;
}

/** The case id of a `case-<caseId>` stream; undefined for any other stream. */
export function caseIdOf(stream: string): string | undefined {
  return streamIdOf('case', stream);
}
