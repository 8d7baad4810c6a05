/**
 * Typed access to records for projections. Each record's payload is parsed once (against the aggregate's
 * schema) and the result shared by every projection in the batch; a payload that fails its schema throws a
 * typed error, which stops the projection at that record (a poison event is reported, never skipped).
 */
import type { StoredRecord } from '../ports/eventstore.ts';
import { CAMERA_EVENT_TYPES, parseCameraEvent, type CameraEvent } from '../domain/camera/events.ts';
import { CASE_EVENT_TYPES, parseCaseEvent, type CaseEvent } from '../domain/case/events.ts';
import { MODEL_EVENT_TYPES, parseModelEvent, type ModelEvent } from '../domain/model/events.ts';
import { OFFICER_EVENT_TYPES, parseOfficerEvent, type OfficerEvent } from '../domain/officer/events.ts';
import { caseIdOf } from '../domain/record.ts';
import { AppError } from '../domain/shared/errors.ts';
import { CUSTODY_EVENT_TYPE, EvidenceAccessedSchema, type EvidenceAccessedData } from '../domain/custody.ts';

export { CUSTODY_EVENT_TYPE, EvidenceAccessedSchema } from '../domain/custody.ts';
export type EvidenceAccessedEvent = { type: 'EvidenceAccessed'; data: EvidenceAccessedData };

export type FeedEvent = CaseEvent | CameraEvent | ModelEvent | OfficerEvent | EvidenceAccessedEvent;

/** A record whose payload does not fit its type's schema: the projection stops at it. */
export class UnreadableRecordError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'unreadable-record';
  constructor(readonly eventId: string, type: string, options?: { cause?: unknown }) {
    super(`Record ${eventId} of type ${type} does not match its schema`, { eventId, type }, options);
  }
}

const CASE_TYPES = new Set<string>(CASE_EVENT_TYPES);
const CAMERA_TYPES = new Set<string>(CAMERA_EVENT_TYPES);
const MODEL_TYPES = new Set<string>(MODEL_EVENT_TYPES);
const OFFICER_TYPES = new Set<string>(OFFICER_EVENT_TYPES);

const parsed = new WeakMap<StoredRecord, FeedEvent>();

function parse(stored: StoredRecord): FeedEvent {
  const { type, data } = stored.record;
  const input = { type, data };
  if (CASE_TYPES.has(type) && caseIdOf(stored.record.stream) !== undefined) return parseCaseEvent(input);
  if (CAMERA_TYPES.has(type)) return parseCameraEvent(input);
  if (MODEL_TYPES.has(type)) return parseModelEvent(input);
  if (OFFICER_TYPES.has(type)) return parseOfficerEvent(input);
  if (type === CUSTODY_EVENT_TYPE) return { type, data: EvidenceAccessedSchema.parse(data) };
  throw new Error(`no schema for ${type}`);
}

/** The record's payload as a typed event (memoised per record). Throws UnreadableRecordError. */
export function eventOf(stored: StoredRecord): FeedEvent {
  let event = parsed.get(stored);
  if (!event) {
    try {
      event = parse(stored);
    } catch (error) {
      throw new UnreadableRecordError(stored.record.id, stored.record.type, { cause: error });
    }
    parsed.set(stored, event);
  }
  return event;
}

export function caseEventOf(stored: StoredRecord): CaseEvent {
  const event = eventOf(stored);
  if (!CASE_TYPES.has(event.type)) throw new UnreadableRecordError(stored.record.id, stored.record.type);
  return event as CaseEvent;
}

