/**
 * What the HTTP routes need from the node, and nothing more. The composition root (`src/node/`) builds one
 * `ApiServices` and passes it to `apiRoutes(services)`; tests build their own from real parts.
 *
 * Read models are reached only through `queries` (case lists, statistics, the citizen view). Case detail,
 * evidence and sign-offs are served from the event store itself, so an ETag is the case stream's revision
 * and never lags behind a projection.
 */
import type { EdgeOriginalRequests } from './edge-originals.ts';
import type { EventStore } from '../../../ports/eventstore.ts';
import type { AccessHistoryRow } from '../../../commands/access-history.ts';
import type { EvidenceStore } from '../../../ports/evidence.ts';
import type { LedgerReader } from '../../ledger/reader.ts';
import type { LogPublisher } from '../../ledger/log.ts';
import type { Witness } from '../../witness/witness.ts';
import type { MirrorLogStatus } from '../../witness/mirror.ts';
import type { NationalViews } from '../../witness/national-views.ts';
import type { NationalProjector } from '../../witness/national-projections.ts';
import type { FederationStaleness } from '../../witness/staleness.ts';
import type { StoredCheckpoint } from '../../../ports/ledger.ts';
import type { CommandDeps } from '../../../commands/deps.ts';
import type { BundleExporter } from '../../../bundle-export/index.ts';
import type { LookupBudget } from '../lookup-budget.ts';
import type { AuditServices } from './audit.ts';
import type { PaymentGateway } from '../../../ports/payments.ts';
import type { TreasuryAccount } from '../../../domain/documents/types.ts';
import type { CitizenGrants } from '../citizen-grant.ts';
import type { CaseDocumentSources } from '../../../commands/documents.ts';

/** The citizen portal's parts (docs/citizen-portal.md); defaults in `citizenPortalDefaults`. */
export interface CitizenPortalServices {
  /** The payment gateway; without it the portal shows the QR but cannot start a gateway payment (503). */
  gateway?: PaymentGateway;
  /** The State Treasury account fines are paid into (VietQR). */
  treasury: TreasuryAccount;
  /** The handling unit's phone per province code, when configured. */
  handlingUnitPhone?: (province: string) => string | undefined;
  /** Grants after a matching lookup; default: a per-process key. */
  grants?: CitizenGrants;
  /** Largest citizen attachment in bytes (default 5 MiB). */
  maxAttachmentBytes?: number;
}

/** The ledger as the routes read it: the reader plus the node's published verifier key. */
export type LedgerReadApi = Pick<
  LedgerReader,
  'latestCheckpoint' | 'leafForRecord' | 'inclusionProof' | 'consistencyProof' | 'checkpointAtOrAfter'
> & {
  verifierKey(): string;
  readonly origin: string;
};

/** A case as a list shows it: no plate, no owner, no evidence (without `include=plates` a list needs no custody record). */
export interface CaseSummary {
  caseId: string;
  province: string;
  status: string;
  violationCode: string;
  /** The vehicle class (the catalog entry, hence the fine range, depends on it). */
  vehicleClass: string;
  observedAt: string;
  cameraId: string;
  /** The camera's place (not personal data). */
  location: string;
  revision: number;
  /** The province whose police handle the case: the camera's, or the one it was transferred to. */
  handlingProvince: string;
  /**
   * The step the procedure still needs before a penalty can be decided (docs/legal-procedure.md), or null
   * when the case can be decided now (noticed, violation record drawn) or is past deciding.
   */
  missingStep: CaseMissingStep | null;
}

export const CASE_MISSING_STEPS = ['review', 'owner-lookup', 'notice', 'record'] as const;
export type CaseMissingStep = (typeof CASE_MISSING_STEPS)[number];

/** What a case in `status` still needs before a decision; `recordDrawn` once the biên bản exists. */
export function missingStepOf(status: string, recordDrawn: boolean): CaseMissingStep | null {
  switch (status) {
    case 'detected':
      return 'review';
    case 'confirmed':
      return 'owner-lookup';
    case 'owner-identified':
      return 'notice';
    case 'noticed':
      return recordDrawn ? null : 'record';
    default:
      return null;
  }
}

export interface CaseListFilter {
  /** Provinces the caller may see; `all` for national staff. */
  provinces: readonly string[] | 'all';
  status?: string;
  limit: number;
  /** Opaque cursor returned as `next` by the previous page. */
  after?: string;
}

/** Only the fields TT 73/2024 Art. 24 publishes for a camera case. */
export interface PublishedViolation {
  caseId: string;
  /** Province code of the detecting unit (files the citizen's custody record under it). */
  province: string;
  plate: string;
  plateColour: string | null;
  vehicleType: string;
  observedAt: string;
  place: string;
  violationCode: string;
  violation: string;
  detectingUnit: string;
  status: string;
  /** The owner did not respond 20 days after the notice: the registration and inspection agencies were warned. */
  ownerUnresponsive: boolean;
  /** Status `transferred`: the province the case was handed over to (another node), where it goes on. */
  transferredTo: string | null;
}

export interface StatisticsScope {
  /** One province, or `national` for the aggregate of every province. */
  province: string | 'national';
  /** Inclusive UTC dates (YYYY-MM-DD); absent = everything. */
  from?: string;
  to?: string;
}

/**
 * Read-model queries (src/projections/queries.ts implements them). Statistics come back as plain JSON; the
 * routes decide who may see which scope, the queries only answer.
 */
export interface ApiQueries {
  /** Cases in scope; the personal part is for the route to strip or to send after custody (routes/listed-plates.ts). */
  listCases(filter: CaseListFilter): Promise<{ items: (CaseSummary & ListedPersonal)[]; next?: string }>;
  /** Published (officer-confirmed) violations of one plate, compact form (upper case letters and digits). */
  citizenViolations(plateCompact: string): Promise<PublishedViolation[]>;
  /**
   * Every case recorded against a plate (compact form) by any of its readings (edge, AI, confirmed), in any
   * status, published or not: what a correction or erasure request concerns (rejected detections are never
   * published, and they are the ones the law lets an owner have erased). Ids and provinces only.
   */
  casesOfPlate(plateCompact: string): Promise<{ caseId: string; province: string }[]>;
  /**
   * Cases of ONE province awaiting human review, oldest observation first, SLA flags as of now. The caller
   * MUST have checked that the principal sees `province`.
   */
  reviewQueue(
    province: string,
    page: { limit: number; after?: string },
  ): Promise<{ items: (ReviewQueueEntry & ListedPersonal)[]; next?: string }>;
  violationStatistics(scope: StatisticsScope): Promise<unknown>;
  cameraCoverage(scope: StatisticsScope): Promise<unknown>;
  modelPerformance(scope: StatisticsScope): Promise<unknown>;
  /** Per-officer counts: staff personal data, never shown to analysts. */
  officerWorkload(scope: StatisticsScope): Promise<unknown>;
}

/** SLA flags of a queued case at the time of the request (docs/api.md, review queue). */
export interface ReviewSla {
  /** The owner notice is due within the warning window (10 days after detection, warned 3 days before). */
  noticeDueSoon: boolean;
  noticeOverdue: boolean;
  /** The one-year limitation ends within 30 days. */
  limitationApproaching: boolean;
  limitationPassed: boolean;
}

/** A case awaiting review as the queue shows it: no plate (a list is not a disclosure of personal data). */
export interface ReviewQueueEntry {
  caseId: string;
  province: string;
  status: string;
  cameraId: string;
  observedAt: string;
  location: string;
  roadType: string;
  violationCode: string;
  vehicleClass: string;
  flags: { calibration: boolean; modelNotApproved: boolean; plateMismatch: boolean; plateDoubt: boolean };
  noticeDueAt: string;
  limitationEndsAt: string;
  sla: ReviewSla;
}

/**
 * The personal part of a listed case: the plate as read (confirmed, else AI reading, else the camera's) and the
 * reference of the overview's thumbnail. The route sends it only to a caller who asked for it with a purpose,
 * after a custody record per listed case (routes/listed-plates.ts).
 */
export interface ListedPersonal {
  plate: string | null;
  thumbnail: { digest: string; mediaType: string; size: number } | null;
}

/** The vehicle registry stand-in (src/adapters/registry/): does this certificate belong to this plate? */
export interface VehicleRegistry {
  verifyRegistration(plateCompact: string, certificateNumber: string): Promise<boolean>;
}

export interface ApiServices {
  store: EventStore;
  evidence: EvidenceStore;
  /** Store, clock and ids for the application services (src/commands). */
  commandDeps: CommandDeps;
  ledger: LedgerReadApi;
  /** The published log (`/log/…`, integrity.md §9); without it those routes answer 503. */
  log?: LogPublisher;
  /**
   * Counts a `/log/records` bundle served to the national mirror (which gets no custody record per read:
   * docs/federation.md, "Reads of the records by the national mirror").
   */
  onMirrorRead?: (records: number) => void;
  bundles: BundleExporter;
  queries: ApiQueries;
  registry: VehicleRegistry;
  /**
   * The citizen lookup's per-plate failure budget (Redis-backed when the node has Redis); default: one in
   * this process, created by `publicRoutes`.
   */
  lookupBudget?: LookupBudget;
  /** The citizen portal: treasury account, payment gateway, grants (default: illustrative treasury, no gateway). */
  citizen?: CitizenPortalServices;
  /**
   * The node's projection runner (`ProjectionRunner.status()`), when this node runs projections. Without it
   * `GET /v1/projections` answers 503.
   */
  projections?: { status(): Promise<unknown[]> };
  /**
   * The national witness (`--tier national`): `POST /witness/add-checkpoint` and `GET /v1/federation/status`.
   * Without it those routes answer 404 `witness-not-served`.
   */
  witness?: Witness;
  /** The national mirror's freshness per provincial log (`--tier national`), shown in `/v1/federation/status`. */
  mirror?: { status(): Promise<MirrorLogStatus[]> };
  /** National views over the mirrored feeds (`/v1/national/…`); without them those routes answer 404. */
  nationalViews?: NationalViews;
  /**
   * The provincial read models projected over the mirrored feeds (`--tier national`): the national camera
   * coverage, model performance and officer workload routes, and the citizen lookup on the national node.
   */
  nationalReadModels?: NationalProjector;
  /**
   * The tokens this node presents to the others (`--tier national`: the mirror's): source, expiry state and the
   * nodes refusing them, in `/v1/federation/status` as `credentials` (never the tokens; src/node/federation-credentials.ts).
   */
  federationCredentials?: () => Promise<readonly object[]>;
  /** Staleness alarms over the registered logs (`--tier national`), in `/v1/federation/status`. */
  staleness?: { evaluate(): Promise<FederationStaleness> };
  /** The auditor's checks over this node's storage (`/v1/audit/…`); without them those routes answer 503. */
  audit?: AuditServices;
  /** Renders the auditor's access history as PDF (src/adapters/documents/access-history-pdf.ts); without it, CSV only. */
  accessHistoryPdf?: (rows: readonly AccessHistoryRow[], meta: { subject: string; generatedAt: string }) => Promise<Uint8Array>;
  /** Renders the case documents (notice, record, decision; src/commands/documents.ts); without it those routes answer 503. */
  documents?: CaseDocumentSources;
  /** `--tier province --province 01,79`: the provinces this node accepts records for; undefined = all. */
  servedProvinces?: readonly string[];
  /**
   * Requests for originals an edge node still holds back (docs/edge.md, "Originals later"); `apiRoutes` makes
   * one when absent, shared by the case routes that record requests and the edge routes that serve them.
   */
  edgeOriginals?: EdgeOriginalRequests;
  limits?: {
    /** Largest single evidence upload in bytes (default 20 MiB). */
    maxEvidenceBytes?: number;
    /** How long a bundle request waits for its records to be sealed before 409 + Retry-After (default 3 s). */
    sealWaitMs?: number;
  };
}

export type { StoredCheckpoint };
