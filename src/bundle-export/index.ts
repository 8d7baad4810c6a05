/** Court bundle export (bundle.md): from the event store, the ledger and the evidence store. */
export {
  createBundleExporter,
  type BundleExporter,
  type BundleExportSources,
  type BundleLedger,
  type ExportRequest,
  type ExportedBundle,
} from './export.ts';
export { BundleIntegrityError, BundleNotSealedError, CaseNotFoundForExportError } from './errors.ts';
