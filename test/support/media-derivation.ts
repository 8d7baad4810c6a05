/**
 * Derives media for a case exactly as the media and inference workers do (real sharp over the case's stored
 * overview, the bytes put in the evidence store, one `EvidenceDerived` record per item under the media
 * worker's service identity), for specs whose node runs without the worker role.
 */
import { recordDerivedEvidence } from '../../src/commands/cases.ts';
import type { CommandDeps } from '../../src/commands/deps.ts';
import { streams } from '../../src/domain/record.ts';
import type { Detection } from '../../src/domain/signoff/payloads.ts';
import type { EvidenceStore } from '../../src/ports/evidence.ts';
import { MEDIA_WORKER } from '../../src/workers/pipeline.ts';
import { deriveMedia, type DeriveRequest } from '../../src/workers/media/derive.ts';
import { evidenceDerivedFields, type DerivedItem } from '../../src/workers/media/derived-item.ts';
import { serviceCaller } from '../../src/workers/notification/job-data.ts';

export async function deriveForCase(
  deps: { commands: CommandDeps; evidence: EvidenceStore },
  caseId: string,
  request: DeriveRequest,
): Promise<Omit<DerivedItem, 'bytes'>[]> {
  const [first] = await deps.commands.store.readStream(streams.case(caseId), { maxCount: 1 });
  const data = first!.record.data as unknown as { province: string; detection: Detection };
  const overview = data.detection.evidence.find((e) => e.role === 'overview') ?? data.detection.evidence[0]!;
  const items = await deriveMedia(await deps.evidence.getBytes(overview.digest, { expectedSize: overview.size }), request);
  const recorded: Omit<DerivedItem, 'bytes'>[] = [];
  for (const { bytes, ...item } of items) {
    await deps.evidence.put(new Uint8Array(bytes), { mediaType: item.mediaType, expectedDigest: item.digest });
    await recordDerivedEvidence(deps.commands, serviceCaller(MEDIA_WORKER, data.province), { caseId, ...evidenceDerivedFields(item) });
    recorded.push(item);
  }
  return recorded;
}
