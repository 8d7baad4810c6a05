/**
 * What the national node answers about the two tiers (docs/federation.md), as the dashboard reads it: the
 * shapes are the generated API types (`npm run gen:api`), from the response schemas the federation and
 * national routes declare (src/adapters/http/routes/witness.ts).
 *
 * The tier: `GET /v1/federation/status` answers only on the national node (404 elsewhere, 403 to anyone who is
 * not national staff), so a national session that gets it is on the national tier.
 */
import { api, type GetResponse, type PostResponse } from './api.ts';

type StatusResponse = GetResponse<'/v1/federation/status'>;

/** `GET /v1/federation/status`, the parts the dashboard shows (`staleness` is absent on a node that judges none). */
export type FederationStatus = Pick<StatusResponse, 'logs' | 'mirror' | 'staleness'>;
/** One provincial log as the national mirror follows it (`MirrorLogStatus`). */
export type MirrorRow = StatusResponse['mirror'][number];
export type LogRow = StatusResponse['logs'][number];
export type Staleness = NonNullable<StatusResponse['staleness']>;
/** A log's staleness judgement (docs/federation.md "Staleness alarms"). */
export type StaleLog = Staleness['logs'][number];
/** `GET /v1/federation/fork-alarms`: one alarm with both notes. */
export type ForkAlarm = GetResponse<'/v1/federation/fork-alarms'>['alarms'][number];

/** The national session's view of the federation, or undefined when this node is not the national tier. */
export async function loadFederationStatus(): Promise<FederationStatus | undefined> {
  try {
    const r = await api<StatusResponse>('/v1/federation/status');
    return { logs: r.logs, mirror: r.mirror, ...(r.staleness ? { staleness: r.staleness } : {}) };
  } catch {
    return undefined; // not the national node (404) or not national staff (403)
  }
}

/** `GET /v1/national/camera-coverage`: the provincial coverage report over every mirrored log. */
export type NationalCoverage = GetResponse<'/v1/national/camera-coverage'>;

/** `GET /v1/national/model-performance`. */
export type NationalModels = GetResponse<'/v1/national/model-performance'>;
export type ModelRow = NationalModels['national'][number];

/** `GET /v1/national/officer-workload?from&to`. */
export type NationalWorkload = GetResponse<'/v1/national/officer-workload'>;
export type OfficerRow = NationalWorkload['provinces'][number]['officers'][number];

/** `GET /v1/national/statistics`: per province (the log's), case counts over the mirrored feed. */
export type NationalStatistics = GetResponse<'/v1/national/statistics'>;

/** `GET /v1/national/read-models`: each mirrored log's projections. */
export type NationalReadModels = GetResponse<'/v1/national/read-models'>;

/** `POST /v1/national/read-models/check` `{origin}`: one log's read models against a rebuild from its feed. */
export type ReadModelCheck = PostResponse<'/v1/national/read-models/check'>;

/** `GET /v1/national/plates/{plate}/cases` (`NationalPlateCase`). */
export type NationalPlateCases = GetResponse<'/v1/national/plates/{plate}/cases'>;
