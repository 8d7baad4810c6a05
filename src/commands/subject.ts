/**
 * Data-subject requests (docs/data-protection.md, "The data subject"): receive a request (access, correction,
 * erasure) with its legal basis, answer it, and assemble what an access request discloses about the cases of
 * a vehicle: the privacy copies (redacted derived media) by reference, evidence destroyed under a policy, and
 * the custody log of who accessed the case's evidence and data, when and why. The published fields of each
 * case come from the read model (the HTTP layer adds them).
 */
import { caseDecider, parseCaseEvent } from '../domain/case/index.ts';
import { CUSTODY_EVENT_TYPE, EvidenceAccessedSchema } from '../domain/custody.ts';
import { fold } from '../domain/decider.ts';
import { streams, type EventRecord } from '../domain/record.ts';
import { destroyedEvidence } from '../domain/retention/destroyed.ts';
import { parseSubjectEvent, subjectDecider, type SubjectCommand, type SubjectEvent, type SubjectOutcome, type SubjectState } from '../domain/subject/index.ts';
import { StreamNotFoundError, type EventStore, type StoredRecord } from '../ports/eventstore.ts';
import { commandExecutor, commandServices } from './aggregate.ts';
import type { CommandDeps } from './deps.ts';
import type { Caller, CommandOptions, CommandOutcome } from './outcome.ts';
import { caseRetentionFacts, runRetention, type RetentionRunReport } from './retention.ts';
import { RETENTION_CATEGORIES, type RetentionPolicy } from '../domain/retention/policies.ts';
import type { EvidenceStore } from '../ports/evidence.ts';

export const executeSubjectCommand = commandExecutor<SubjectCommand, SubjectEvent, SubjectState>({
  stream: (command) => streams.subject(command.requestId),
  decider: subjectDecider,
  parseEvent: parseSubjectEvent,
  retrySafe: () => true,
});

const service = commandServices<SubjectCommand, SubjectState>(executeSubjectCommand);
export const receiveSubjectRequest = service('ReceiveSubjectRequest');
const answer = service('AnswerSubjectRequest');

async function readOrEmpty(store: EventStore, stream: string): Promise<StoredRecord[]> {
  try {
    return await store.readStream(stream);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

/**
 * Erasure is allowed by law only when no case of the request is still open or ended with a sanction: every
 * case ended after its review rejected the detection (Decree 13/2023 Art. 9 cl. 5, "unless the law provides
 * otherwise"; a sanction file is archived). Conservative: an unknown case counts as not erasable.
 */
export async function erasureAllowed(store: EventStore, caseIds: readonly string[]): Promise<boolean> {
  for (const caseId of caseIds) {
    const facts = caseRetentionFacts(caseId, await readOrEmpty(store, streams.case(caseId)));
    if (!facts || facts.status !== 'ended' || !facts.rejected) return false;
  }
  return true;
}

/** Answers a request; for an erasure, whether the law allows it is read from the request's cases. */
export async function answerSubjectRequest(
  deps: CommandDeps,
  caller: Caller,
  fields: { requestId: string; outcome: SubjectOutcome; reason: string },
  options?: CommandOptions,
): Promise<CommandOutcome<SubjectState>> {
  const state = await loadSubjectRequest(deps.store, fields.requestId);
  const erasable = state.status !== 'none' && state.kind === 'erasure' ? await erasureAllowed(deps.store, state.caseIds) : false;
  return answer(deps, caller, { ...fields, erasable }, options);
}

/** The state of a request, folded from its stream (`none` when there is no such request). */
export async function loadSubjectRequest(store: EventStore, requestId: string): Promise<SubjectState> {
  const records = await readOrEmpty(store, streams.subject(requestId));
  return fold(subjectDecider, records.map((r) => parseSubjectEvent(r.record)));
}

/** The legal basis of an erasure a data subject obtained (Decree 13/2023/NĐ-CP Art. 9 cl. 5, verified). */
export const SUBJECT_ERASURE_BASIS = { instrument: 'Nghị định 13/2023/NĐ-CP', article: 'Điều 9 khoản 5', verified: true } as const;

/**
 * The policies under which an answered erasure destroys evidence: every category at once (no period), named
 * after the request, so each `EvidenceDestroyed` says "destroyed under policy subject-erasure.<id> at T" (a policy id
 * has the form `name[/YYYY-MM-DD]`).
 */
export function erasurePolicies(requestId: string): RetentionPolicy[] {
  return RETENTION_CATEGORIES.map((category) => ({
    id: `subject-erasure.${requestId.toLowerCase()}`,
    category,
    effectiveFrom: '1970-01-01',
    retainDays: 0,
    legalBasis: { ...SUBJECT_ERASURE_BASIS },
  }));
}

/**
 * Carries out an erasure answered `erased`: the evidence blobs (originals and derived media) of the request's
 * cases are destroyed exactly as the retention run destroys them — `EvidenceDestroyed` recorded first, then
 * crypto-shredded — and through the same decider, so a hold placed since the answer, an open case or a
 * pending appeal still stops it. Records stay (the law keeps the sanction file; the hashes prove the rest).
 * Idempotent: run again after a crash, it finishes what the first run recorded (`resumed`). Anything but an
 * answered erasure with outcome `erased` does nothing.
 */
export async function carryOutErasure(
  deps: CommandDeps & { evidence: EvidenceStore },
  requestId: string,
): Promise<RetentionRunReport | undefined> {
  const state = await loadSubjectRequest(deps.store, requestId);
  if (state.status !== 'answered' || state.kind !== 'erasure' || state.outcome !== 'erased') return undefined;
  return runRetention(deps, { policies: erasurePolicies(requestId), caseIds: state.caseIds });
}

export interface CaseDisclosure {
  caseId: string;
  /** Redacted copies of the evidence (the privacy copy), by reference: what may be shown to the owner. */
  privacyCopies: { digest: string; mediaType: string; size: number }[];
  /** Evidence destroyed under a retention policy. */
  destroyed: { digest: string; policy: string; at: string }[];
  /** Who accessed the case's evidence or data, when, how and why (the custody log). */
  custody: { accessedAt: string; actor: { kind: string; id: string }; access: string; purpose: string }[];
}

/** What an access request discloses about one case, from its case, retention and custody streams. */
export async function discloseCase(store: EventStore, caseId: string): Promise<CaseDisclosure> {
  const [caseRecords, retention, custody] = await Promise.all(
    [streams.case(caseId), streams.retention(caseId), streams.custody(caseId)].map(async (s) => (await readOrEmpty(store, s)).map((r) => r.record)),
  );
  return disclosureOf(caseId, { case: caseRecords!, retention: retention!, custody: custody! });
}

/**
 * The disclosure of one case from its records (pure): the node's own streams, or a province's streams as the
 * national mirror holds them (src/adapters/witness/national-views.ts, `mirroredCaseStreams`).
 */
export function disclosureOf(
  caseId: string,
  records: { case: readonly EventRecord[]; retention: readonly EventRecord[]; custody: readonly EventRecord[] },
): CaseDisclosure {
  const state = fold(caseDecider, records.case.map((r) => parseCaseEvent(r)));
  const privacyCopies =
    state.status === 'none'
      ? []
      : state.derivations
          .map((d) => d.derived)
          .filter((d) => d.kind === 'redacted')
          .map((d) => ({ digest: d.digest, mediaType: d.mediaType, size: d.size }));
  const destroyed = [...destroyedEvidence(records.retention)].map(([digest, d]) => ({ digest, policy: d.policy, at: d.at }));
  const custody = records.custody
    .filter((r) => r.type === CUSTODY_EVENT_TYPE)
    .flatMap((r) => {
      const parsed = EvidenceAccessedSchema.safeParse(r.data);
      if (!parsed.success) return [];
      return [{ accessedAt: parsed.data.accessedAt, actor: { kind: r.meta.actor.kind, id: r.meta.actor.id }, access: parsed.data.access, purpose: parsed.data.purpose }];
    });
  return { caseId, privacyCopies, destroyed, custody };
}
