/**
 * What the HTTP routes need from the node, and nothing more. The composition root (`src/node/`) builds one
 * `ApiServices` and passes it to `apiRoutes(services)`; tests build their own from real parts.
 *
 * Read models are reached only through `queries` (case lists, statistics, the citizen view). Case detail,
 * evidence and sign-offs are served from the event store itself, so an ETag is the case stream's revision
 * and never lags behind a projection.
 */
import type { EventStore } from '../../eventstore/port.ts';
import type { EvidenceStore } from '../../evidence/port.ts';
import type { LedgerReader } from '../../ledger/reader.ts';
import type { StoredCheckpoint } from '../../ledger/store.ts';
import type { CommandDeps } from '../../../commands/deps.ts';
import type { BundleExporter } from '../../../bundle-export/index.ts';

/** The ledger as the routes read it: the reader plus the node's published verifier key. */
export type LedgerReadApi = Pick<
  LedgerReader,
  'latestCheckpoint' | 'leafForRecord' | 'inclusionProof' | 'consistencyProof' | 'checkpointAtOrAfter'
> & {
  verifierKey(): string;
  readonly origin: string;
};

/** A case as a list shows it: no plate, no owner, no evidence (lists need no custody record). */
export interface CaseSummary {
  caseId: string;
  province: string;
  status: string;
  violationCode: string;
  observedAt: string;
  cameraId: string;
  revision: number;
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
  listCases(filter: CaseListFilter): Promise<{ items: CaseSummary[]; next?: string }>;
  /** Published (officer-confirmed) violations of one plate, compact form (upper case letters and digits). */
  citizenViolations(plateCompact: string): Promise<PublishedViolation[]>;
  violationStatistics(scope: StatisticsScope): Promise<unknown>;
  cameraCoverage(scope: StatisticsScope): Promise<unknown>;
  modelPerformance(scope: StatisticsScope): Promise<unknown>;
  /** Per-officer counts: staff personal data, never shown to analysts. */
  officerWorkload(scope: StatisticsScope): Promise<unknown>;
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
  bundles: BundleExporter;
  queries: ApiQueries;
  registry: VehicleRegistry;
  limits?: {
    /** Largest single evidence upload in bytes (default 20 MiB). */
    maxEvidenceBytes?: number;
    /** How long a bundle request waits for its records to be sealed before 409 + Retry-After (default 3 s). */
    sealWaitMs?: number;
  };
}

export type { StoredCheckpoint };
