/**
 * Retention and legal hold (docs/data-protection.md, "Retention"): services for placing and lifting holds,
 * and the retention run that destroys evidence whose policy period has run out.
 *
 * A run, for each case: reads the case stream (its facts at decision time: open, appeal pending, ended when,
 * rejected, evidence), assesses every digest with the retention decider's own rule, and for each one due
 * runs `DestroyEvidence` (the `EvidenceDestroyed` record is durable first), then crypto-shreds the blob.
 * A run interrupted between the two finds the record on its next run and finishes the shredding.
 */
import { caseDecider, parseCaseEvent, type CaseEvent, type CaseState } from '../domain/case/index.ts';
import { fold } from '../domain/decider.ts';
import { streams } from '../domain/record.ts';
import {
  assessDestruction,
  DEFAULT_RETENTION_POLICIES,
  parseRetentionEvent,
  retentionDecider,
  type CaseRetentionFacts,
  type HoldOrder,
  type RetentionCommand,
  type RetentionEvent,
  type RetentionPolicy,
  type RetentionState,
} from '../domain/retention/index.ts';
import { StreamNotFoundError, type EventStore, type StoredRecord } from '../ports/eventstore.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import { commandExecutor, commandServices, type FieldsOf } from './aggregate.ts';
import { loadOfficerView } from './context.ts';
import type { CommandDeps } from './deps.ts';
import type { Caller, CommandOptions, CommandOutcome } from './outcome.ts';

export const executeRetentionCommand = commandExecutor<RetentionCommand, RetentionEvent, RetentionState>({
  stream: (command) => streams.retention(command.caseId),
  decider: retentionDecider,
  parseEvent: parseRetentionEvent,
  // Every retention command re-checks on the newest history (holds, destroyed digests): deciding again is right.
  retrySafe: () => true,
});

const service = commandServices<RetentionCommand, RetentionState>(executeRetentionCommand);
const placeHold = service('PlaceLegalHold');
const liftHold = service('LiftLegalHold');

/**
 * How the caller orders a hold, as the HTTP layer states it: an officer's signed `hold/v1` sign-off, or a
 * court's request (only for an authenticated court caller). The service adds the officer's view.
 */
export type HoldOrderInput = { kind: 'signed'; signoff: unknown; signature: string; keyId: string } | { kind: 'court-request' };
type HoldFields<T extends 'PlaceLegalHold' | 'LiftLegalHold'> = Omit<FieldsOf<RetentionCommand, T>, 'order'> & { order: HoldOrderInput };

async function resolveOrder(deps: CommandDeps, caller: Caller, order: HoldOrderInput): Promise<HoldOrder> {
  if (order.kind === 'court-request') return order;
  const officer = caller.actor.kind === 'officer' ? await loadOfficerView(deps.store, caller.actor.id) : undefined;
  return { ...order, officer };
}

export async function placeLegalHold(
  deps: CommandDeps,
  caller: Caller,
  fields: HoldFields<'PlaceLegalHold'>,
  options?: CommandOptions,
): Promise<CommandOutcome<RetentionState>> {
  return placeHold(deps, caller, { ...fields, order: await resolveOrder(deps, caller, fields.order) }, options);
}

export async function liftLegalHold(
  deps: CommandDeps,
  caller: Caller,
  fields: HoldFields<'LiftLegalHold'>,
  options?: CommandOptions,
): Promise<CommandOutcome<RetentionState>> {
  return liftHold(deps, caller, { ...fields, order: await resolveOrder(deps, caller, fields.order) }, options);
}

/**
 * The automatic hold on a court's request: a court that requests a case's evidence (its court bundle) puts the
 * case under a hold recorded as the court's request, with the purpose it stated as reference, before anything
 * is assembled. The court (or an officer recording the court's order, signed) lifts it like any hold.
 */
export async function holdOnCourtRequest(
  deps: CommandDeps,
  caller: Caller,
  request: { caseId: string; reference: string },
  options?: CommandOptions,
): Promise<CommandOutcome<RetentionState>> {
  return placeLegalHold(
    deps,
    caller,
    {
      caseId: request.caseId,
      holdId: `court-request-${deps.ids()}`,
      authority: 'court',
      reference: request.reference,
      reason: 'Evidence requested by a court (automatic hold)',
      order: { kind: 'court-request' },
    },
    options,
  );
}

async function readOrEmpty(store: EventStore, stream: string): Promise<StoredRecord[]> {
  try {
    return await store.readStream(stream);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

const ENDING: ReadonlySet<CaseEvent['type']> = new Set(['CaseClosed', 'CaseExpired', 'CaseVoided']);

/** What retention needs of a case, from its stream's records (the case decider's own fold). */
export function caseRetentionFacts(caseId: string, records: readonly StoredRecord[]): CaseRetentionFacts | undefined {
  const events = records.map((r) => parseCaseEvent(r.record));
  const state: CaseState = fold(caseDecider, events);
  if (state.status === 'none') return undefined;
  const ended = state.status === 'closed' || state.status === 'expired' || state.status === 'voided';
  // The case ended at the first ending record the fold accepted; its time is the record's.
  const endRecord = ended ? records.find((r) => ENDING.has(r.record.type as CaseEvent['type'])) : undefined;
  return {
    caseId,
    status: ended ? 'ended' : 'open',
    ...(endRecord ? { endedAt: endRecord.record.meta.recordedAt } : {}),
    rejected: state.review?.decision === 'reject' || state.statusBeforeEnd === 'rejected',
    appealPending: state.appeals.some((a) => a.outcome === undefined),
    originals: state.originals.map((e) => e.digest),
    derived: state.derivations.map((d) => d.derived.digest),
  };
}

export async function loadRetentionState(store: EventStore, caseId: string): Promise<RetentionState> {
  const records = await readOrEmpty(store, streams.retention(caseId));
  return fold(retentionDecider, records.map((r) => parseRetentionEvent(r.record)));
}

export interface RetentionRunOptions {
  policies?: readonly RetentionPolicy[];
  /** Report what would be destroyed; write and delete nothing. */
  dryRun?: boolean;
  /** Only these cases (default: every case in the event store). */
  caseIds?: readonly string[];
}

export interface RetentionRunItem {
  caseId: string;
  digest: string;
  policy: string;
}

export interface RetentionRunReport {
  at: string;
  dryRun: boolean;
  /** Destroyed by this run (or, in a dry run, that would be). */
  destroyed: RetentionRunItem[];
  /** Blobs whose `EvidenceDestroyed` was recorded by an earlier, interrupted run and shredded now. */
  resumed: RetentionRunItem[];
  /** Cases with evidence kept because of a hold: by kind of hold. */
  held: { caseId: string; hold: 'open-case' | 'appeal-pending' | 'legal-hold' }[];
  /** Evidence kept because its period has not run out. */
  notDue: number;
}

/** Every case id in the event store, from the global feed (page by page). */
async function allCaseIds(store: EventStore): Promise<string[]> {
  const ids = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 1000 });
    for (const r of page) if (r.record.stream.startsWith('case-')) ids.add(r.record.stream.slice('case-'.length));
    const last = page.at(-1);
    if (!last || page.length < 1000) break;
    after = last.checkpoint;
  }
  return [...ids].sort();
}

/**
 * The scheduled retention job. `deps.clock` is the run's clock: a test moves it forward; the node passes
 * the system clock.
 */
export async function runRetention(
  deps: CommandDeps & { evidence: EvidenceStore },
  options: RetentionRunOptions = {},
): Promise<RetentionRunReport> {
  const policies = options.policies ?? DEFAULT_RETENTION_POLICIES;
  const now = deps.clock.now();
  const dryRun = options.dryRun === true;
  const report: RetentionRunReport = { at: now, dryRun, destroyed: [], resumed: [], held: [], notDue: 0 };
  const caseIds = options.caseIds ?? (await allCaseIds(deps.store));
  for (const caseId of caseIds) {
    const facts = caseRetentionFacts(caseId, await readOrEmpty(deps.store, streams.case(caseId)));
    if (!facts) continue;
    const caseRecords = await deps.store.readStream(streams.case(caseId), { maxCount: 1 });
    const province = caseRecords[0]?.record.meta.province ?? '00';
    const state = await loadRetentionState(deps.store, caseId);
    const digests = [...new Set([...facts.originals, ...facts.derived])];
    let heldReported = false;
    for (const digest of digests) {
      const assessment = assessDestruction(state, facts, digest, policies, now);
      switch (assessment.outcome) {
        case 'already-destroyed': {
          const info = state.destroyed[digest];
          if (!dryRun && info && (await deps.evidence.destroy(digest)) !== 'absent') {
            report.resumed.push({ caseId, digest, policy: info.policy });
          }
          break;
        }
        case 'held':
          if (!heldReported) report.held.push({ caseId, hold: assessment.hold });
          heldReported = true;
          break;
        case 'not-due':
          report.notDue += 1;
          break;
        case 'not-applicable':
          break;
        case 'destroy': {
          const item = { caseId, digest, policy: assessment.event.data.policy };
          if (!dryRun) {
            // The record first: a blob is never gone without its EvidenceDestroyed being durable.
            await executeRetentionCommand(deps, {
              type: 'DestroyEvidence',
              caseId,
              digest,
              facts,
              policies,
              now,
              actor: { kind: 'system', id: 'retention' },
              province,
            });
            await deps.evidence.destroy(digest);
          }
          report.destroyed.push(item);
          break;
        }
        default: {
          const never: never = assessment;
          throw new Error(`Unexpected assessment ${JSON.stringify(never)}`);
        }
      }
    }
  }
  return report;
}
