/**
 * What the national node answers about the two tiers (docs/federation.md), as the dashboard reads it. The
 * routes declare no response schema, so these shapes are written from the server's own types
 * (`MirrorLogStatus`, `Witness.status()`, `judgeStaleness`, the national routes in
 * src/adapters/http/routes/witness.ts); the provincial statistics' shapes come from the generated API types.
 *
 * The tier: `GET /v1/federation/status` answers only on the national node (404 elsewhere, 403 to anyone who is
 * not national staff), so a national session that gets it is on the national tier.
 */
import { api, type GetResponse } from './api.ts';

/** One provincial log as the national mirror follows it (`MirrorLogStatus`). */
export interface MirrorRow {
  origin: string;
  province: string;
  /** Records mirrored and verified. */
  size: number;
  checkpointSize?: number;
  provinceSize?: number;
  provinceSeenAt?: string;
  /** 0 when the mirror holds the province's newest checkpoint; otherwise seconds since it last did. */
  secondsBehind: number;
  stoppedAt?: string;
  stopReason?: string;
}

export interface LogRow {
  origin: string;
  province?: string;
  size?: number;
  cosignedAt?: string;
  forkAlarms: number;
  retired: boolean;
}

/** A log's staleness judgement (docs/federation.md "Staleness alarms"). */
export interface StaleLog {
  origin: string;
  stale: boolean;
  reasons: string[];
}

export interface Staleness {
  thresholdSeconds: number;
  logs: StaleLog[];
}

/** `GET /v1/federation/status`. */
export interface FederationStatus {
  logs: LogRow[];
  mirror: MirrorRow[];
  /** Absent on a node that judges no staleness. */
  staleness?: Staleness;
}

/** The national session's view of the federation, or undefined when this node is not the national tier. */
export async function loadFederationStatus(): Promise<FederationStatus | undefined> {
  try {
    const r = await api<FederationStatus>('/v1/federation/status');
    return { logs: r.logs, mirror: r.mirror, ...(r.staleness ? { staleness: r.staleness } : {}) };
  } catch {
    return undefined; // not the national node (404) or not national staff (403)
  }
}

/** `GET /v1/national/camera-coverage`: the provincial coverage report over every mirrored log. */
export type NationalCoverage = GetResponse<'/v1/statistics/cameras'>['data'];

export type ModelRow = GetResponse<'/v1/statistics/models'>['data'][number];

/** `GET /v1/national/model-performance`. */
export interface NationalModels {
  national: ModelRow[];
  provinces: { origin: string; province: string; models: ModelRow[] }[];
}

export type OfficerRow = GetResponse<'/v1/statistics/officers'>['data'][number];

/** `GET /v1/national/officer-workload?from&to`. */
export interface NationalWorkload {
  from: string;
  to: string;
  provinces: { origin: string; province: string; officers: OfficerRow[] }[];
}

/** `GET /v1/national/statistics`: per province (the log's), case counts over the mirrored feed. */
export interface NationalStatistics {
  provinces: { province: string; records: number; cases: Record<string, number> }[];
}

/** `GET /v1/national/read-models`: each mirrored log's projections. */
export interface NationalReadModels {
  logs: {
    origin: string;
    province: string;
    projections: { name: string; state: 'running' | 'failed'; checkpoint: string | null; lagEvents: number; lagEventsCapped: boolean; lagSeconds: number }[];
  }[];
}

/** `POST /v1/national/read-models/check` `{origin}`: one log's read models against a rebuild from its feed. */
export interface ReadModelCheck {
  origin: string;
  identical: boolean;
  projections: {
    projection: string;
    checkpoint: string | null;
    identical: boolean;
    tables: { table: string; liveRows: number; replayRows: number; onlyInLive: number; onlyInReplay: number }[];
  }[];
}

/** `GET /v1/national/plates/{plate}/cases` (`NationalPlateCase`). */
export interface NationalPlateCases {
  plate: string;
  cases: {
    province: string;
    origin: string;
    caseId: string;
    violationCode?: string;
    observedAt?: string;
    cameraId?: string;
    lastEvent: string;
    records: { leafIndex: number; type: string; recordedAt: string }[];
  }[];
}
