/**
 * Projections over case streams: `case-views` (summary and detail; the review queue is a query on it),
 * `case-timeline` (every record with actor) and `citizen-lookup` (published fields only). Each batch loads the touched rows once, folds every record
 * in memory, and writes each table with one statement.
 */
import type { EntityManager } from 'typeorm';
import type { StoredRecord } from '../../ports/eventstore.ts';
import { CASE_EVENT_TYPES, type CaseEvent } from '../../domain/case/events.ts';
import { caseIdOf } from '../../domain/record.ts';
import { caseEventOf } from '../events.ts';
import type { Projection } from '../projection.ts';
import { insertRows, loadRows, upsertRows, type Row } from '../sql.ts';
import { applyCaseEvent, timelineSummary, type CaseViewRow, type Envelope, type TimelineRow } from './case-view.ts';
import { applyCitizenEvent, type CitizenRow } from './citizen-view.ts';

function envelopeOf(stored: StoredRecord): Envelope {
  const r = stored.record;
  return {
    eventId: r.id,
    revision: r.revision,
    recordedAt: r.meta.recordedAt,
    actorKind: r.meta.actor.kind,
    actorId: r.meta.actor.id,
    hash: stored.hash,
  };
}

/** The case of a record of `caseStreamsOnly`. */
function caseIdOfRecord(stored: StoredRecord): string {
  return caseIdOf(stored.record.stream)!;
}

/** Loads, folds and stores one row per case touched by the batch. */
async function foldRows<R extends Row>(
  manager: EntityManager,
  table: string,
  batch: readonly StoredRecord[],
  apply: (row: R | undefined, event: CaseEvent, env: Envelope) => R | undefined,
): Promise<void> {
  const ids = [...new Set(batch.map(caseIdOfRecord))];
  const rows = await loadRows<R>(manager, table, 'case_id', ids);
  const touched = new Set<string>();
  for (const stored of batch) {
    const id = caseIdOfRecord(stored);
    const next = apply(rows.get(id), caseEventOf(stored), envelopeOf(stored));
    if (next) {
      rows.set(id, next);
      touched.add(id);
    }
  }
  await upsertRows(manager, table, ['case_id'], [...touched].map((id) => rows.get(id)!));
}

const caseStreamsOnly = (batch: readonly StoredRecord[]) => batch.filter((s) => caseIdOf(s.record.stream) !== undefined);

export const caseViewsProjection: Projection = {
  name: 'case-views',
  eventTypes: CASE_EVENT_TYPES,
  tables: ['rm_case'],
  async handle(batch, manager) {
    await foldRows<CaseViewRow>(manager, 'rm_case', caseStreamsOnly(batch), applyCaseEvent);
  },
};

/**
 * The case timeline as its own projection: append-only rows, written in a transaction of their own (in
 * parallel with `case-views` on PostgreSQL), so the two largest write streams of a replay overlap.
 */
export const caseTimelineProjection: Projection = {
  name: 'case-timeline',
  eventTypes: CASE_EVENT_TYPES,
  tables: ['rm_case_timeline'],
  async handle(batch, manager) {
    const records = caseStreamsOnly(batch);
    const timeline: TimelineRow[] = records.map((stored) => {
      const env = envelopeOf(stored);
      return {
        case_id: caseIdOfRecord(stored),
        revision: env.revision,
        event_id: env.eventId,
        type: stored.record.type,
        actor_kind: env.actorKind,
        actor_id: env.actorId,
        recorded_at: env.recordedAt,
        record_hash: env.hash,
        summary: timelineSummary(caseEventOf(stored)),
      };
    });
    await insertRows(manager, 'rm_case_timeline', timeline);
  },
};

export const citizenLookupProjection: Projection = {
  name: 'citizen-lookup',
  eventTypes: CASE_EVENT_TYPES,
  tables: ['rm_citizen_violation'],
  async handle(batch, manager) {
    await foldRows<CitizenRow>(manager, 'rm_citizen_violation', caseStreamsOnly(batch), (row, event) => applyCitizenEvent(row, event));
  },
};
