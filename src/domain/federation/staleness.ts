/**
 * Staleness of a provincial log as the nation sees it (docs/federation.md "Staleness alarms"): pure.
 * A log is stale when its newest cosigned checkpoint is older than the threshold (or, never cosigned, it was
 * registered longer ago than that), or when the national mirror has been behind the province's newest
 * checkpoint for longer than the threshold. A retired log is never stale (it is never cosigned again). The
 * alarm clears by itself once the province submits and the mirror catches up.
 */
export const STALE_REASONS = ['checkpoint-old', 'mirror-behind'] as const;
export type StaleReason = (typeof STALE_REASONS)[number];

export interface LogFreshness {
  origin: string;
  province: string | undefined;
  retired: boolean;
  registeredAt: string | undefined;
  /** When the witness last cosigned a checkpoint of this log; undefined if never. */
  cosignedAt: string | undefined;
  /** The mirror's seconds behind the province's newest checkpoint; undefined when not mirrored yet. */
  mirrorSecondsBehind: number | undefined;
}

export interface LogStaleness {
  origin: string;
  province: string | undefined;
  stale: boolean;
  reasons: StaleReason[];
  /** Seconds since the newest cosignature (or since registration, never cosigned); undefined if unknown. */
  checkpointAgeSeconds: number | undefined;
  mirrorSecondsBehind: number | undefined;
}

export function judgeStaleness(log: LogFreshness, now: string, thresholdSeconds: number): LogStaleness {
  const since = log.cosignedAt ?? log.registeredAt;
  const age = since === undefined ? undefined : Math.max(0, (Date.parse(now) - Date.parse(since)) / 1000);
  const reasons: StaleReason[] = [];
  if (!log.retired) {
    if (age !== undefined && age > thresholdSeconds) reasons.push('checkpoint-old');
    if (log.mirrorSecondsBehind !== undefined && log.mirrorSecondsBehind > thresholdSeconds) reasons.push('mirror-behind');
  }
  return {
    origin: log.origin,
    province: log.province,
    stale: reasons.length > 0,
    reasons,
    checkpointAgeSeconds: age,
    mirrorSecondsBehind: log.mirrorSecondsBehind,
  };
}
