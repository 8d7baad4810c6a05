/**
 * BullMQ sandboxed-processor shape of the media job (src/workers/media/processor.ts): `job.data` is a
 * `MediaJob`; the evidence store is the node's configured filesystem store (EVIDENCE_DIR / data dir), opened
 * once per process. Composition: it reads the configuration and picks the adapter, so it lives here.
 */
import { openConfiguredEvidenceStore, type FileSystemEvidenceStore } from '../adapters/evidence/index.ts';
import { loadConfig } from '../config.ts';
import { processMediaJob, type MediaJob, type StoredDerivedItem } from '../workers/media/processor.ts';

let defaultStore: Promise<FileSystemEvidenceStore> | undefined;

export default async function mediaProcessor(job: { data: unknown }): Promise<StoredDerivedItem[]> {
  defaultStore ??= (() => {
    const config = loadConfig();
    return openConfiguredEvidenceStore(config, { createKey: false });
  })();
  const evidence = await defaultStore;
  return processMediaJob(job.data as MediaJob, { evidence });
}
