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
import { streams, type EventRecord } from '../../domain/record.ts';
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

/** One record of a case as the national mirror holds it: which log, where in it, what. */
export interface NationalCaseRecord {
  origin: string;
  province: string;
  leafIndex: number;
  type: string;
  recordedAt: string;
}

/** A case's part in one provincial log: a case handed over across nodes has one part per province it went through. */
export interface NationalCasePart {
  province: string;
  origin: string;
  /** The newest record type of the case stream in this log (e.g. `CaseClosed` where it was handed over). */
  lastEvent: string;
}

/**
 * One case of the national plate lookup. A case handed over across nodes keeps its id on the receiving node, so
 * its parts in every log are one case here: `parts` in the order the case went through them (the detecting
 * province first), `records` across all of them; `province`, `origin` and `lastEvent` are those of the part
 * where the case is handled now (the last one).
 */
export interface NationalPlateCase {
  province: string;
  origin: string;
  caseId: string;
  violationCode: string | undefined;
  observedAt: string | undefined;
  cameraId: string | undefined;
  /** The newest record type of the case stream where it is handled now, e.g. `ReviewConfirmed`. */
  lastEvent: string;
  parts: NationalCasePart[];
  /** Every record of the case in every log, part by part, each in stream order. */
  records: NationalCaseRecord[];
}

/** A case's own streams (case, retention, custody) in one provincial log, as mirrored: the records verbatim. */
export interface MirroredCaseStreams {
  origin: string;
  province: string;
  case: EventRecord[];
  retention: EventRecord[];
  custody: EventRecord[];
}

/**
 * The citizen lookup's rows over every mirrored log, one per case (pure). A case handed over across nodes has a
 * row in the sending log (status `transferred`) and one in the receiving log: the row shown is the part where it
 * goes on, i.e. one not transferred; when the receiving node has not received it yet (or its log is not mirrored
 * yet), the last transfer, which names where it went.
 */
export function oneViolationPerCase<T extends { caseId: string; province: string; status: string; transferredTo: string | null }>(
  rows: readonly T[],
): T[] {
  const byCase = new Map<string, T[]>();
  for (const r of rows) byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), r]);
  const chosen = new Set<T>();
  for (const parts of byCase.values()) {
    const current =
      parts.find((p) => p.status !== 'transferred') ??
      parts.find((p) => !parts.some((q) => q !== p && q.province === p.transferredTo)) ??
      parts[0]!;
    chosen.add(current);
  }
  return rows.filter((r) => chosen.has(r));
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

  /**
   * Cases naming the plate (its comparison key, `plateKey`) in any mirrored province, newest first; a case
   * handed over across nodes is one case with a part per log (the receiving log's records need not name the
   * plate: the case id joins them).
   */
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
         FROM (SELECT DISTINCT stream FROM mirror_records WHERE plate = $1 AND stream LIKE 'case-%') p
        -- Every log by name, so each (origin, stream) is a lookup in the (origin, stream, revision) index.
        CROSS JOIN mirror_logs l
         JOIN mirror_records r ON r.origin = l.origin AND r.stream = p.stream
        ORDER BY r.stream, r.origin, r.revision`,
      [plate],
    );
    const cases = new Map<string, NationalPlateCase & { started: Map<string, string> }>();
    for (const r of rows) {
      const caseId = r.stream.slice('case-'.length);
      let c = cases.get(caseId);
      if (!c) {
        c = { province: r.province, origin: r.origin, caseId, violationCode: undefined, observedAt: undefined, cameraId: undefined, lastEvent: r.type, parts: [], records: [], started: new Map() };
        cases.set(caseId, c);
      }
      const recordedAt = r.recorded_at.toISOString();
      let part = c.parts.find((p) => p.origin === r.origin);
      if (!part) {
        part = { province: r.province, origin: r.origin, lastEvent: r.type };
        c.parts.push(part);
        c.started.set(r.origin, recordedAt);
      }
      part.lastEvent = r.type;
      c.records.push({ origin: r.origin, province: r.province, leafIndex: Number(r.leaf_index), type: r.type, recordedAt });
      if (r.type === 'ViolationDetected' && r.record) {
        const d = (JSON.parse(r.record) as { data?: { detection?: { violationCode?: string; observedAt?: string; cameraId?: string } } }).data?.detection;
        c.violationCode = d?.violationCode;
        c.observedAt = d?.observedAt;
        c.cameraId = d?.cameraId;
      }
    }
    return [...cases.values()]
      .map(({ started, ...c }) => {
        // The parts in the order the case went through them: the detecting log first, then by first record.
        const rank = (p: NationalCasePart) => (c.records.some((x) => x.origin === p.origin && x.type === 'ViolationDetected') ? '' : started.get(p.origin)!);
        const parts = [...c.parts].sort((a, b) => rank(a).localeCompare(rank(b)) || a.origin.localeCompare(b.origin));
        const order = new Map(parts.map((p, i) => [p.origin, i]));
        const records = [...c.records].sort((a, b) => order.get(a.origin)! - order.get(b.origin)!);
        const current = parts.at(-1)!;
        return { ...c, province: current.province, origin: current.origin, lastEvent: current.lastEvent, parts, records };
      })
      .sort((a, b) => (b.observedAt ?? '').localeCompare(a.observedAt ?? ''));
  }

  /** A case's case, retention and custody streams in every mirrored log that holds them, by origin. */
  async mirroredCaseStreams(caseId: string): Promise<MirroredCaseStreams[]> {
    const { rows } = await this.db.query<{ origin: string; province: string; stream: string; record: string }>(
      `SELECT r.origin, r.province, r.stream, r.record
         FROM mirror_logs l JOIN mirror_records r ON r.origin = l.origin AND r.stream = ANY($1::text[])
        ORDER BY r.origin, r.stream, r.revision`,
      [[streams.case(caseId), streams.retention(caseId), streams.custody(caseId)]],
    );
    const byOrigin = new Map<string, MirroredCaseStreams>();
    for (const r of rows) {
      let o = byOrigin.get(r.origin);
      if (!o) {
        o = { origin: r.origin, province: r.province, case: [], retention: [], custody: [] };
        byOrigin.set(r.origin, o);
      }
      const record = JSON.parse(r.record) as EventRecord;
      if (r.stream === streams.case(caseId)) o.case.push(record);
      else if (r.stream === streams.retention(caseId)) o.retention.push(record);
      else o.custody.push(record);
    }
    return [...byOrigin.values()];
  }
}
