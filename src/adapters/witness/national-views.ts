/**
 * National views over the mirrored provincial feeds (docs/federation.md "National views"): read at query time
 * straight from `mirror_records`, so a view always equals a rebuild from the mirrored feeds (there is no
 * second copy to drift). Only verified records are ever in `mirror_records` (src/adapters/witness/mirror.ts).
 *
 * - `statistics()`: per province (the registered log's province), the case life cycle counted from the
 *   mirrored case records; a case handed over between provinces is counted once (see `COUNTED`).
 * - `plateLookup(plate)`: a vehicle's cases in every province, each with its provincial leaf indexes so a
 *   reader can prove any of them against the province's cosigned checkpoint.
 */
import type { Queryable } from '../ledger/store.ts';

/**
 * What is counted per province, by the name the statistics give it: a predicate over a mirrored case record
 * `r` (constant SQL, no input). A case handed over across nodes counts once in each count: `detected` where the
 * camera saw it (the receiving log has `CaseReceived`, counted as `received`, not a second detection), and
 * `closed` only where it ends (the sending log's `CaseClosed` with reason `transferred` is the handover, counted
 * as `transferredOut`, not an end). So `detected` summed over provinces is the number of cases, and so is the
 * sum of `detected + received - transferredOut` per province of the cases each province handles.
 */
const COUNTED = {
  detected: `r.type = 'ViolationDetected'`,
  received: `r.type = 'CaseReceived'`,
  confirmed: `r.type = 'ReviewConfirmed'`,
  rejected: `r.type = 'ReviewRejected'`,
  transferredOut: `r.type = 'CaseTransferred' AND r.record::jsonb #>> '{data,handover}' = 'federation'`,
  noticesIssued: `r.type = 'NoticeIssued'`,
  penaltiesDecided: `r.type = 'PenaltyDecided'`,
  paid: `r.type = 'PenaltyPaid'`,
  appeals: `r.type = 'AppealFiled'`,
  closed: `r.type = 'CaseClosed' AND r.record::jsonb #>> '{data,reason}' <> 'transferred'`,
} as const;
type Counted = keyof typeof COUNTED;

export interface ProvinceStatistics {
  province: string;
  /**
   * Records mirrored from the province's log (every stream, national staff's records in it included: a model
   * approval is filed under "00" but is part of the province's log).
   */
  records: number;
  cases: Record<Counted, number>;
}

export interface NationalPlateCase {
  province: string;
  origin: string;
  caseId: string;
  violationCode: string | undefined;
  observedAt: string | undefined;
  cameraId: string | undefined;
  /** The newest record type of the case stream, e.g. `ReviewConfirmed`. */
  lastEvent: string;
  /** Every record of the case stream as `[leafIndex, type]`, in stream order. */
  records: { leafIndex: number; type: string; recordedAt: string }[];
}

/**
 * A case handed over across nodes, as the national relay offers it to the receiving province: the sending
 * log's `CaseTransferred` record (verified and mirrored) and the cosigned checkpoint the mirror holds for that
 * log, which covers it. The receiving node trusts none of it blindly (docs/federation.md "Case handover").
 */
export interface RelayedHandover {
  origin: string;
  fromProvince: string;
  toProvince: string;
  caseId: string;
  leafIndex: number;
  /** The transfer record's hash, lowercase hex. */
  recordHash: string;
  transferredAt: string;
  /** The newest checkpoint this witness cosigned for the sending log (note plus cosignature line). */
  checkpoint: string;
}

/**
 * The relay's query: $1 receiving province, $2 limit, ($3, $4) the (origin, leaf) to start after. Answered by
 * the partial index `mirror_records_handover` (migration 1795479700000), whose expression is this one's.
 */
export const HANDOVER_RELAY_SQL = `SELECT r.origin, r.province, r.stream, r.leaf_index, encode(r.record_hash, 'hex') AS record_hash, r.recorded_at,
              r.record, w.checkpoint, w.cosignature
         FROM mirror_records r JOIN witness_logs w ON w.origin = r.origin
        WHERE r.type = 'CaseTransferred' AND r.stream LIKE 'case-%'
          AND r.record::jsonb #>> '{data,handover}' = 'federation'
          AND r.record::jsonb #>> '{data,signoff,toProvince}' = $1
          AND (r.origin, r.leaf_index) > ($3::text, $4::bigint)
        ORDER BY r.origin, r.leaf_index
        LIMIT $2`;

export class NationalViews {
  constructor(private readonly db: Queryable) {}

  async statistics(): Promise<ProvinceStatistics[]> {
    const names = Object.keys(COUNTED) as Counted[];
    const { rows } = await this.db.query<Record<string, string>>(
      `SELECT l.province, count(r.*) AS records,
              ${names.map((n) => `count(*) FILTER (WHERE ${COUNTED[n]} AND r.stream LIKE 'case-%') AS "${n}"`).join(',\n              ')}
         FROM mirror_logs l JOIN mirror_records r ON r.origin = l.origin GROUP BY l.province ORDER BY l.province`,
    );
    return rows.map((r) => ({
      province: r.province!,
      records: Number(r.records),
      cases: Object.fromEntries(names.map((n) => [n, Number(r[n])])) as Record<Counted, number>,
    }));
  }

  /**
   * The relay queue of handovers to `toProvince`: every mirrored `CaseTransferred` with handover `federation`
   * naming it, in (origin, leaf) order, after `after` (exclusive) when given. Read at
   * query time from the mirrored feeds, so it is as durable as the mirror and the same on every retry.
   */
  async handovers(
    toProvince: string,
    after?: { origin: string; leafIndex: number },
    limit = 100,
  ): Promise<RelayedHandover[]> {
    const { rows } = await this.db.query<{
      origin: string;
      province: string;
      stream: string;
      leaf_index: string;
      record_hash: string;
      recorded_at: Date;
      record: string;
      checkpoint: string;
      cosignature: string;
    }>(
      HANDOVER_RELAY_SQL,
      [toProvince, limit, after?.origin ?? '', after?.leafIndex ?? -1],
    );
    return rows.map((r) => ({
      origin: r.origin,
      fromProvince: r.province,
      toProvince,
      caseId: r.stream.slice('case-'.length),
      leafIndex: Number(r.leaf_index),
      recordHash: r.record_hash,
      transferredAt: r.recorded_at.toISOString(),
      checkpoint: `${r.checkpoint}${r.cosignature}\n`,
    }));
  }

  /** Cases naming the plate (its comparison key, `plateKey`) in any mirrored province, newest first. */
  async plateLookup(plate: string): Promise<NationalPlateCase[]> {
    const { rows } = await this.db.query<{
      origin: string;
      province: string;
      stream: string;
      leaf_index: string;
      type: string;
      recorded_at: Date;
      record: string;
    }>(
      `SELECT r.origin, r.province, r.stream, r.leaf_index, r.type, r.recorded_at,
              CASE WHEN r.type = 'ViolationDetected' THEN r.record ELSE '' END AS record
         FROM mirror_records r
         JOIN (SELECT DISTINCT origin, stream FROM mirror_records WHERE plate = $1 AND stream LIKE 'case-%') p
           ON p.origin = r.origin AND p.stream = r.stream
        ORDER BY r.origin, r.stream, r.revision`,
      [plate],
    );
    const cases = new Map<string, NationalPlateCase>();
    for (const r of rows) {
      const key = `${r.origin} ${r.stream}`;
      let c = cases.get(key);
      if (!c) {
        c = {
          province: r.province,
          origin: r.origin,
          caseId: r.stream.slice('case-'.length),
          violationCode: undefined,
          observedAt: undefined,
          cameraId: undefined,
          lastEvent: r.type,
          records: [],
        };
        cases.set(key, c);
      }
      c.lastEvent = r.type;
      c.records.push({ leafIndex: Number(r.leaf_index), type: r.type, recordedAt: r.recorded_at.toISOString() });
      if (r.type === 'ViolationDetected' && r.record) {
        const d = (JSON.parse(r.record) as { data?: { detection?: { violationCode?: string; observedAt?: string; cameraId?: string } } }).data?.detection;
        c.violationCode = d?.violationCode;
        c.observedAt = d?.observedAt;
        c.cameraId = d?.cameraId;
      }
    }
    return [...cases.values()].sort((a, b) => (b.observedAt ?? '').localeCompare(a.observedAt ?? ''));
  }
}
