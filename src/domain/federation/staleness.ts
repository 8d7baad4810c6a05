/**
 * Staleness of a provincial log as the nation sees it (docs/federation.md "Staleness alarms"): pure.
 * A log is stale, past the threshold, when
 * - `checkpoint-old`: its newest cosigned checkpoint is older than the threshold (never cosigned: counted from
 *   its registration) while the province has published a newer one, or the mirror has not read the
 *   province's checkpoint yet. A quiet province publishes no new checkpoint and the witness does not re-cosign
 *   the same tree, so a cosignature's age alone would alarm on every province without new records;
 * - `province-unreachable`: the mirror last read the province's checkpoint longer ago than the threshold;
 * - `mirror-behind`: the mirror has been behind the province's newest checkpoint for longer than the threshold;
 * - `credentials-refused`: the province answered the mirror's token with 401 (expired, or not one it trusts).
 *   Raised at once, without the threshold: it never heals by itself; it clears on the next accepted read.
 * A retired log is never stale (it is never cosigned again). The alarm clears by itself once the province
 * submits and the mirror catches up.
 */
export const STALE_REASONS = ['checkpoint-old', 'province-unreachable', 'mirror-behind', 'credentials-refused'] as const;
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
  /** The newest size the witness cosigned; undefined if never. */
  witnessedSize: number | undefined;
  /** The province's newest checkpoint size and when the mirror read it; undefined if never read. */
  provinceSize: number | undefined;
  provinceSeenAt: string | undefined;
  /** Since when the province answers the mirror's token with 401; undefined when it accepts it (or is not asked). */
  credentialsRefusedSince?: string | undefined;
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
  const ageOf = (since: string | undefined) => (since === undefined ? undefined : Math.max(0, (Date.parse(now) - Date.parse(since)) / 1000));
  const age = ageOf(log.cosignedAt ?? log.registeredAt);
  const seen = ageOf(log.provinceSeenAt);
  const newerPublished =
    log.provinceSize === undefined || log.witnessedSize === undefined || log.provinceSize > log.witnessedSize;
  const reasons: StaleReason[] = [];
  if (!log.retired) {
    if (age !== undefined && age > thresholdSeconds && newerPublished) reasons.push('checkpoint-old');
    if (seen !== undefined && seen > thresholdSeconds) reasons.push('province-unreachable');
    if (log.mirrorSecondsBehind !== undefined && log.mirrorSecondsBehind > thresholdSeconds) reasons.push('mirror-behind');
    if (log.credentialsRefusedSince !== undefined) reasons.push('credentials-refused');
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
