/**
 * The custody log: who accessed which evidence or case data, when, and why (integrity.md §2,
 * `custody-<caseId>`). Every read of original evidence or personal data through the API MUST be recorded here
 * before the bytes are returned, so an access that is not in the log did not happen through the system.
 *
 * Custody records are facts, not decisions: nothing to fold and nothing to refuse on state, so they are
 * appended with expected revision `any` and never conflict. The store still assigns revision and `prev`, so
 * the custody stream is hash-chained like every other.
 */
import { z } from 'zod';
import { expected, type StoredRecord } from '../ports/eventstore.ts';
import { isLowercaseUuid } from '../domain/ids.ts';
import { streams, type JsonObject } from '../domain/record.ts';
import { ValidationError } from '../domain/shared/errors.ts';
import { DigestSchema, ProvinceCodeSchema } from '../domain/signoff/primitives.ts';
import type { CommandDeps } from './deps.ts';
import type { Caller } from './outcome.ts';

export const CUSTODY_EVENT_TYPE = 'EvidenceAccessed';

/** What was done: read in the UI, downloaded, exported in a court bundle, or personal data looked up. */
export const ACCESS_KINDS = ['view', 'download', 'export', 'lookup'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

// No control characters: the purpose is shown to auditors and courts verbatim.
const PurposeSchema = z
  .string()
  .min(3)
  .max(200)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

export const EvidenceAccessSchema = z.strictObject({
  caseId: z.string().refine(isLowercaseUuid, 'must be a lowercase UUID'),
  /** The blob accessed; absent when the access is to case data (e.g. the owner's identity) rather than a blob. */
  digest: DigestSchema.optional(),
  access: z.enum(ACCESS_KINDS),
  purpose: PurposeSchema,
});
export type EvidenceAccess = z.infer<typeof EvidenceAccessSchema>;

export interface EvidenceAccessedData {
  caseId: string;
  digest?: string;
  access: AccessKind;
  purpose: string;
  accessedAt: string;
}

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
