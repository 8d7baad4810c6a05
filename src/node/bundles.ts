/**
 * The node's case documents and its court-bundle exporter, built in one place so that every way out of the
 * node gives the same bundle: `GET /v1/cases/{id}/bundle` (the API role) and `tec export` (the CLI, which starts
 * a node without the API role) both use `node.bundles`. Before, the CLI built its own exporter without the
 * document sources, so its bundles carried the issued PDFs but not their inputs (`documents/<kind>-<n>.json`).
 */
import { DEMO_TREASURY } from '../adapters/http/routes/citizen-portal.ts';
import { PdfDocumentRenderer } from '../adapters/documents/pdf.ts';
import { issuingUnitFor } from '../adapters/documents/units.ts';
import { createBundleExporter, type BundleExporter, type BundleLedger } from '../bundle-export/index.ts';
import type { CaseDocumentSources } from '../commands/documents.ts';
import type { AppointmentSetting } from '../domain/documents/build.ts';
import type { CommandDeps } from '../commands/deps.ts';
import type { EventStore } from '../ports/eventstore.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import type { VehicleRegistry } from '../ports/registry.ts';

/** What the documents are rendered from besides the events: the registry's names and the unit's phone. */
export function caseDocumentSources(deps: {
  evidence: EvidenceStore;
  registry: Pick<VehicleRegistry, 'ownerContact'>;
  /** The handling unit's phone of a province (`HANDLING_UNIT_PHONES`), printed on the documents. */
  unitPhone: (province: string) => string | undefined;
  /** The handling unit's appointment setting of a province (`HANDLING_UNIT_APPOINTMENTS`), printed on notices. */
  unitAppointment?: (province: string) => AppointmentSetting | undefined;
}): CaseDocumentSources {
  return {
    renderer: new PdfDocumentRenderer(),
    evidence: deps.evidence,
    contact: (ref) => deps.registry.ownerContact(ref),
    unit: (province) => issuingUnitFor(province, deps.unitPhone(province)),
    treasury: DEMO_TREASURY,
    ...(deps.unitAppointment ? { appointment: deps.unitAppointment } : {}),
  };
}

export interface NodeBundleDeps {
  store: EventStore;
  evidence: EvidenceStore;
  ledger: BundleLedger;
  commandDeps: CommandDeps;
  documentSources: CaseDocumentSources;
  /** Province tier: the national witness's verifier key and the newest checkpoint it cosigned (integrity.md §10). */
  witness?: {
    verifierKey: string;
    cosignedCheckpoint: (minSize: number) => Promise<{ treeSize: number; text: string; witnesses: string[] } | undefined>;
  };
}

/** The one bundle exporter of a node (HTTP and CLI alike). */
export function nodeBundleExporter(deps: NodeBundleDeps): BundleExporter {
  return createBundleExporter({
    store: deps.store,
    evidence: deps.evidence,
    ledger: deps.ledger,
    commandDeps: deps.commandDeps,
    documentSources: deps.documentSources,
    ...(deps.witness
      ? { witnessVerifierKeys: [deps.witness.verifierKey], cosignedCheckpoint: deps.witness.cosignedCheckpoint }
      : {}),
  });
}
