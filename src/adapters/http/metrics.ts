/**
 * Prometheus metrics (prom-client), one registry per node so tests can run several nodes in one process. The
 * `Metrics` shape is the port in src/ports/metrics.ts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../../ports/metrics.ts';

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'tec_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    appends: new Counter({ name: 'tec_appended_records_total', help: 'Records appended to the event store', labelNames: ['stream_kind'], registers: [registry] }),
    projectionLagEvents: new Gauge({ name: 'tec_projection_lag_events', help: 'Events behind the head, per projection', labelNames: ['projection'], registers: [registry] }),
    projectionLagSeconds: new Gauge({ name: 'tec_projection_lag_seconds', help: 'Seconds behind the head, per projection', labelNames: ['projection'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'tec_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [registry] }),
    sealingLagRecords: new Gauge({ name: 'tec_ledger_unsealed_records', help: 'Records appended but not yet covered by a checkpoint', registers: [registry] }),
    witnessRequests: new Counter({ name: 'tec_witness_requests_total', help: 'Witness add-checkpoint requests by answer', labelNames: ['answer'], registers: [registry] }),
    witnessForkAlarms: new Counter({ name: 'tec_witness_fork_alarms_total', help: 'Fork alarms the witness raised, by kind', labelNames: ['kind'], registers: [registry] }),
    mirrorReads: new Counter({ name: 'tec_log_records_mirror_reads_total', help: '/log/records served to the national mirror (unit: bundles, records); no custody record per read', labelNames: ['unit'], registers: [registry] }),
    mirrorSize: new Gauge({ name: 'tec_mirror_size', help: 'National mirror: leaves mirrored and verified, per province', labelNames: ['province'], registers: [registry] }),
    mirrorProvinceSize: new Gauge({ name: 'tec_mirror_province_checkpoint_size', help: "National mirror: the province's newest checkpoint size seen", labelNames: ['province'], registers: [registry] }),
    mirrorSecondsBehind: new Gauge({ name: 'tec_mirror_seconds_behind', help: "National mirror: seconds since the mirror last held the province's newest checkpoint", labelNames: ['province'], registers: [registry] }),
    mirrorErrors: new Counter({ name: 'tec_mirror_errors_total', help: 'National mirror rounds that failed, per province', labelNames: ['province'], registers: [registry] }),
    federationStale: new Gauge({ name: 'tec_federation_stale', help: "National: 1 while a province's log is stale (newest cosigned checkpoint older than FEDERATION_STALE_SECONDS, or the mirror behind by more)", labelNames: ['province'], registers: [registry] }),
    federationCheckpointAge: new Gauge({ name: 'tec_federation_checkpoint_age_seconds', help: "National: seconds since the witness last cosigned a province's checkpoint (since registration if never)", labelNames: ['province'], registers: [registry] }),
    witnessSubmissions: new Counter({ name: 'tec_witness_submissions_total', help: 'Province: checkpoint submission rounds to the national witness, by outcome', labelNames: ['outcome'], registers: [registry] }),
    witnessCosignedSize: new Gauge({ name: 'tec_witness_cosigned_size', help: "Province: the newest tree size holding the national witness's cosignature", registers: [registry] }),
    federationTokenExpiresSeconds: new Gauge({ name: 'tec_federation_token_expires_seconds', help: 'Seconds until a federation token (mirror, handover) expires; negative once expired', labelNames: ['credential'], registers: [registry] }),
    sealingLagSeconds: new Gauge({ name: 'tec_ledger_sealing_lag_seconds', help: 'Age of the oldest unsealed record', registers: [registry] }),
  };
}
