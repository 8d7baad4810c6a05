/**
 * The custody log: who accessed which evidence or case data, when, and why (integrity.md §2,
 * `custody-<caseId>`). Every read of original evidence or personal data through the API MUST be recorded here
 * before the bytes are returned, so an access that is not in the log did not happen through the system.
 *
 * Custody records are facts, not decisions: nothing to fold and nothing to refuse on state, so they are
 * appended with expected revision `any` and never conflict. The store still assigns revision and `prev`, so
 * the custody stream is hash-chained like every other.
 */
import { expected, type StoredRecord } from '../ports/eventstore.ts';
import { CUSTODY_EVENT_TYPE, EvidenceAccessSchema, type EvidenceAccess, type EvidenceAccessedData } from '../domain/custody.ts';
import { streams, type JsonObject } from '../domain/record.ts';
import { ValidationError } from '../domain/shared/errors.ts';
import { ProvinceCodeSchema } from '../domain/signoff/primitives.ts';
import type { CommandDeps } from './deps.ts';
import type { Caller } from './outcome.ts';

// The custody event's schema lives in the domain (src/domain/custody.ts); re-exported for existing importers.
export {
  ACCESS_KINDS,
  CUSTODY_EVENT_TYPE,
  EvidenceAccessSchema,
  type AccessKind,
  type EvidenceAccess,
  type EvidenceAccessedData,
} from '../domain/custody.ts';

export interface CustodyOptions {
  correlationId?: string;
  causationId?: string;
  /** A deterministic event id (e.g. the request id), so a retried request records its access once. */
  eventId?: string;
  /**
   * The case's province, when the caller acts from another (national staff): the record SHOULD file under
   * the case's province so provincial auditors see every access to their cases. Default: the caller's.
   */
  caseProvince?: string;
}

/** Appends one `EvidenceAccessed` record to `custody-<caseId>`; durable when it resolves. */
export async function recordEvidenceAccess(
  deps: CommandDeps,
  caller: Caller,
  access: EvidenceAccess,
  options: CustodyOptions = {},
): Promise<{ stream: string; record: StoredRecord }> {
  const parsed = EvidenceAccessSchema.safeParse(access);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError('Invalid evidence access', { issues }, 'invalid-evidence-access');
  }
  if (options.caseProvince !== undefined && !ProvinceCodeSchema.safeParse(options.caseProvince).success) {
    throw new ValidationError('caseProvince is not a province code', { field: 'caseProvince' }, 'invalid-evidence-access');
  }
  const now = deps.clock.now();
  const data: EvidenceAccessedData = {
    caseId: parsed.data.caseId,
    ...(parsed.data.digest !== undefined ? { digest: parsed.data.digest } : {}),
    access: parsed.data.access,
    purpose: parsed.data.purpose,
    ...(parsed.data.receipt !== undefined ? { receipt: parsed.data.receipt } : {}),
    ...(parsed.data.withheld !== undefined ? { withheld: parsed.data.withheld } : {}),
    accessedAt: now,
  };
  const stream = streams.custody(parsed.data.caseId);
  const result = await deps.store.append(
    stream,
    [
      {
        id: options.eventId ?? deps.ids(),
        type: CUSTODY_EVENT_TYPE,
        data: data as unknown as JsonObject,
        meta: {
          actor: { kind: caller.actor.kind, id: caller.actor.id },
          province: options.caseProvince ?? caller.province,
          ...(options.correlationId !== undefined ? { correlationId: options.correlationId } : {}),
          ...(options.causationId !== undefined ? { causationId: options.causationId } : {}),
          recordedAt: now,
        },
      },
    ],
    expected.any,
  );
  const record = result.records[0];
  if (!record) throw new Error('The event store returned no record for an append');
  return { stream, record };
}

/** How many custody appends of one batch run at once: enough to hide round trips, few enough to spare the pool. */
const BATCH_CONCURRENCY = 8;

/**
 * Records one access per case of a batch (e.g. every case of a review-queue page whose plate is shown), each
 * in its own `custody-<caseId>` stream, before the caller discloses anything. Every access is validated first,
 * so a bad one writes nothing. The event store appends one stream at a time, so the batch is not atomic: when
 * an append fails the promise rejects and the caller MUST NOT disclose; the records already written then
 * stand for an access that did not happen, the safe side of an audit trail.
 */
export async function recordEvidenceAccesses(
  deps: CommandDeps,
  caller: Caller,
  accesses: readonly EvidenceAccess[],
  options: Omit<CustodyOptions, 'eventId'> = {},
): Promise<number> {
  for (const access of accesses) {
    const parsed = EvidenceAccessSchema.safeParse(access);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new ValidationError('Invalid evidence access', { issues }, 'invalid-evidence-access');
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < accesses.length) {
      const access = accesses[next++]!;
      await recordEvidenceAccess(deps, caller, access, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, accesses.length) }, worker));
  return accesses.length;
}
