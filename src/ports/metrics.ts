/**
 * The node's metrics as the application records them (projection lag, queue depth, sealing lag) and the HTTP
 * adapter exposes them. `createMetrics` (src/adapters/http/metrics.ts) builds one prom-client registry per node.
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  appends: Counter<'stream_kind'>;
  projectionLagEvents: Gauge<'projection'>;
  projectionLagSeconds: Gauge<'projection'>;
  queueDepth: Gauge<'queue' | 'state'>;
  sealingLagRecords: Gauge;
  sealingLagSeconds: Gauge;
  /** National witness: add-checkpoint requests by answer (cosign, conflict, bad-proof, …). */
  witnessRequests: Counter<'answer'>;
  /** National witness: fork alarms raised, by kind (a proven fork, or a checkpoint not proven consistent). */
  witnessForkAlarms: Counter<'kind'>;
  /**
   * `/log/records` bundles served to the national mirror, counted instead of one custody record per read
   * (docs/federation.md, "Reads of the records by the national mirror"): bundles and records served.
   */
  mirrorReads: Counter<'unit'>;
  /** National mirror, per province: mirrored size, the province's newest checkpoint size, seconds behind. */
  mirrorSize: Gauge<'province'>;
  mirrorProvinceSize: Gauge<'province'>;
  mirrorSecondsBehind: Gauge<'province'>;
  /** National mirror: rounds that failed (unreachable province, bad answer) by province; mismatches are fork alarms. */
  mirrorErrors: Counter<'province'>;
  /** National: 1 while a province's log is stale (checkpoint older than the threshold, or the mirror behind it). */
  federationStale: Gauge<'province'>;
  /** National: seconds since the witness last cosigned a province's checkpoint (since registration if never). */
  federationCheckpointAge: Gauge<'province'>;
  /** Province: submission rounds to the national witness by outcome (cosigned, already-cosigned, nothing-to-submit, failed). */
  witnessSubmissions: Counter<'outcome'>;
  /** Province: the newest tree size this node holds the national witness's cosignature for. */
  witnessCosignedSize: Gauge;
  /** Seconds until a federation token (mirror, handover) expires; negative once expired; absent when unknown. */
  federationTokenExpiresSeconds: Gauge<'credential'>;
}
