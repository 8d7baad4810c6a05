/**
 * The documents a person holds in their hand, made from a case's events (docs/documents.md): the notice, the
 * violation record, the penalty decision and each appeal's resolution as PDFs.
 *
 * Opening a document renders it from the events (plus the names and addresses behind the records' opaque
 * references, from the registry, and the issuing unit and treasury account from configuration), stores the PDF
 * in the evidence store (content-addressed, encrypted at rest: it holds personal data), and records
 * `DocumentIssued` with its digest the first time. Once issued, the stored bytes are what is served: the
 * person holds that document, even if the registry's address changed since.
 */
import type { EvidenceStore } from '../ports/evidence.ts';
import type { EventStore, StoredRecord } from '../ports/eventstore.ts';
import type { DocumentRenderer } from '../ports/documents.ts';
import type { OwnerContact } from '../ports/registry.ts';
import { caseDecider } from '../domain/case/decider.ts';
import { parseCaseEvent, type CaseEvent, type CaseEventData, type IssuedDocumentKind } from '../domain/case/events.ts';
import type { CaseState, ExistingCase, IssuedDocument } from '../domain/case/state.ts';
import {
  appealResolutionDocumentFor,
  DocumentSourceMissingError,
  DOCUMENT_KIND_OF,
  noticeDocumentFor,
  penaltyDecisionDocumentFor,
  violationRecordDocumentFor,
  type AppointmentSetting,
  type CaseDocument,
  type IssuingUnit,
  type Party,
  type TreasuryAccount,
} from '../domain/documents/index.ts';
import { evidenceDigest } from '../domain/integrity/hash.ts';
import { streams } from '../domain/record.ts';
import { AppError, ValidationError } from '../domain/shared/errors.ts';
import { StreamNotFoundError } from '../ports/eventstore.ts';
import { recordDocumentIssued } from './cases.ts';
import { loadOfficerView } from './context.ts';
import type { CommandDeps } from './deps.ts';
import type { Caller } from './outcome.ts';

/** What rendering needs beyond the events. */
export interface CaseDocumentSources {
  renderer: DocumentRenderer;
  evidence: EvidenceStore;
  /** The name and address behind an opaque owner or driver reference (the registry; never logged). */
  contact: (ref: string) => Promise<OwnerContact | undefined>;
  /** The police unit handling cases of a province. */
  unit: (province: string) => IssuingUnit;
  treasury: TreasuryAccount;
  /** The handling unit's appointment setting for notices (notice/v2); unset: `DEFAULT_APPOINTMENT`. */
  appointment?: (province: string) => AppointmentSetting | undefined;
}

/** The registry does not know the person a record names: the document cannot be addressed. */
export class DocumentPartyUnknownError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'document-party-unknown';
}

export interface DocumentRequest {
  caseId: string;
  kind: IssuedDocumentKind;
  /** The notice's id (kind `notice` only). */
  noticeId?: string;
  /** The resolved appeal's id (kind `appeal` only). */
  appealId?: string;
}

export interface CaseDocumentFile {
  kind: IssuedDocumentKind;
  noticeId?: string;
  appealId?: string;
  digest: string;
  templateVersion: string;
  bytes: Uint8Array;
  /** `notice-<noticeId>.pdf`, `record.pdf`, `decision.pdf`, `appeal-<appealId>.pdf`. */
  fileName: string;
  /** True when this call recorded `DocumentIssued`. */
  issuedNow: boolean;
}

async function caseRecords(store: EventStore, caseId: string): Promise<StoredRecord[]> {
  try {
    return await store.readStream(streams.case(caseId));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

interface CaseHistory {
  kase: ExistingCase;
  records: { event: CaseEvent; actorId: string }[];
}

function historyOf(records: StoredRecord[]): CaseHistory {
  let state: CaseState = caseDecider.initialState();
  const out: CaseHistory['records'] = [];
  for (const { record } of records) {
    const event = parseCaseEvent({ type: record.type, data: record.data });
    state = caseDecider.evolve(state, event);
    out.push({ event, actorId: record.meta.actor.id });
  }
  if (state.status === 'none') throw new DocumentSourceMissingError('No such case', {});
  return { kase: state, records: out };
}

function resolutionOf(history: CaseHistory, appealId: string | undefined): { data: CaseEventData<'AppealResolved'>; actorId: string } {
  const found = history.records.find((r) => r.event.type === 'AppealResolved' && r.event.data.appealId === appealId);
  if (!found) throw new DocumentSourceMissingError('The case has no such resolved appeal', {});
  return { data: found.event.data as CaseEventData<'AppealResolved'>, actorId: found.actorId };
}

function lastOf<T extends CaseEvent['type']>(history: CaseHistory, type: T): { data: CaseEventData<T>; actorId: string } {
  const found = [...history.records].reverse().find((r) => r.event.type === type);
  if (!found) throw new DocumentSourceMissingError(`The case has no ${type}`, {});
  return { data: found.event.data as CaseEventData<T>, actorId: found.actorId };
}

async function partyOf(sources: CaseDocumentSources, person: { kind: 'individual' | 'organisation'; ref: string }): Promise<Party> {
  const contact = await sources.contact(person.ref);
  if (!contact) throw new DocumentPartyUnknownError('The registry does not know the person the record names', {});
  return { kind: person.kind, name: contact.name, address: contact.address, registryRef: person.ref };
}

async function officerOf(store: EventStore, officerId: string): Promise<{ officerId: string; title: string }> {
  const view = await loadOfficerView(store, officerId);
  return { officerId, title: view?.title ?? officerId };
}

/** The typed input of a case's document, from its events and the sources (pure apart from the look-ups). */
export async function caseDocumentInput(
  store: EventStore,
  sources: CaseDocumentSources,
  request: DocumentRequest,
): Promise<CaseDocument> {
  const history = historyOf(await caseRecords(store, request.caseId));
  const { kase } = history;
  const handlingProvince = kase.transfer?.toProvince ?? kase.province;
  const unit = sources.unit(handlingProvince);
  switch (request.kind) {
    case 'notice': {
      if (!kase.owner) throw new DocumentSourceMissingError('A notice needs an identified owner', {});
      const addressee = await partyOf(sources, kase.owner);
      const appointment = sources.appointment?.(handlingProvince);
      return noticeDocumentFor(kase, request.noticeId ?? '', {
        unit,
        addressee,
        detectingUnit: sources.unit(kase.province),
        ...(appointment !== undefined ? { appointment } : {}),
      });
    }
    case 'record': {
      const drawn = lastOf(history, 'ViolationRecordDrawn');
      return violationRecordDocumentFor(kase, drawn.data, {
        unit,
        offender: await partyOf(sources, drawn.data.signoff.offender),
        officer: await officerOf(store, drawn.actorId),
      });
    }
    case 'decision': {
      const decided = lastOf(history, 'PenaltyDecided');
      return penaltyDecisionDocumentFor(kase, decided.data, {
        unit,
        offender: await partyOf(sources, decided.data.signoff.offender),
        decider: await officerOf(store, decided.actorId),
        treasury: sources.treasury,
      });
    }
    case 'appeal': {
      const resolved = resolutionOf(history, request.appealId);
      if (!kase.decision) throw new DocumentSourceMissingError('No penalty was decided', {});
      return appealResolutionDocumentFor(kase, resolved.data, {
        unit,
        complainant: await partyOf(sources, kase.decision.offender),
        resolver: await officerOf(store, resolved.actorId),
      });
    }
    default:
      throw new DocumentSourceMissingError('Unknown document kind', {});
  }
}

/** The document's identity beside its kind: the notice's or the appeal's id, when it has one. */
function identityOf(request: { noticeId?: string; appealId?: string }): { noticeId?: string; appealId?: string } {
  return {
    ...(request.noticeId !== undefined ? { noticeId: request.noticeId } : {}),
    ...(request.appealId !== undefined ? { appealId: request.appealId } : {}),
  };
}

/** The document as recorded for the case, or undefined when it was never issued. */
export function issuedDocumentOf(kase: ExistingCase, request: DocumentRequest): IssuedDocument | undefined {
  return (kase.documents ?? []).find((d) => d.kind === request.kind && d.noticeId === request.noticeId && d.appealId === request.appealId);
}

export function documentFileName(kind: IssuedDocumentKind, id: { noticeId?: string; appealId?: string } = {}): string {
  if (kind === 'notice') return `notice-${id.noticeId ?? ''}.pdf`;
  if (kind === 'appeal') return `appeal-${id.appealId ?? ''}.pdf`;
  return `${kind}.pdf`;
}

/**
 * Opens a case's document for an officer: the stored bytes of the issued one, or, the first time, renders
 * it, stores the PDF and records `DocumentIssued` (as the caller). The caller's scope is checked by the route.
 */
export async function openCaseDocument(
  deps: CommandDeps,
  sources: CaseDocumentSources,
  caller: Caller,
  request: DocumentRequest,
  /**
   * Runs once the document exists and may be handed out (rendered, its issue recorded), before the bytes are
   * returned: the custody record of the view. A request refused earlier (no source, another digest, a voided
   * case) thus writes nothing.
   */
  beforeDisclosure: () => Promise<unknown> = async () => undefined,
): Promise<CaseDocumentFile> {
  // An id that belongs to another kind of document is refused before anything is rendered or stored.
  if ((request.noticeId !== undefined && request.kind !== 'notice') || (request.appealId !== undefined && request.kind !== 'appeal'))
    throw new ValidationError('noticeId names a notice and appealId an appeal resolution; this document takes neither');
  const { kase } = historyOf(await caseRecords(deps.store, request.caseId));
  const fileName = documentFileName(request.kind, request);
  const issued = issuedDocumentOf(kase, request);
  if (issued && (await sources.evidence.has(issued.digest))) {
    const bytes = await sources.evidence.getBytes(issued.digest);
    await beforeDisclosure();
    return { kind: request.kind, ...identityOf(request), digest: issued.digest, templateVersion: issued.templateVersion, bytes, fileName, issuedNow: false };
  }
  const input = await caseDocumentInput(deps.store, sources, request);
  if (DOCUMENT_KIND_OF[request.kind] !== input.kind) throw new DocumentSourceMissingError('Unknown document kind', {});
  const bytes = await sources.renderer.render(input);
  const digest = evidenceDigest(bytes);
  await sources.evidence.put(bytes, { expectedDigest: digest, mediaType: 'application/pdf' });
  // The decider refuses other bytes than an earlier issue's (DocumentDigestConflictError): the first stands.
  const outcome = await recordDocumentIssued(deps, caller, {
    caseId: request.caseId,
    kind: request.kind,
    ...identityOf(request),
    digest,
    templateVersion: input.templateVersion,
  });
  await beforeDisclosure();
  return {
    kind: request.kind,
    ...identityOf(request),
    digest,
    templateVersion: input.templateVersion,
    bytes,
    fileName,
    issuedNow: outcome.events.length > 0,
  };
}
