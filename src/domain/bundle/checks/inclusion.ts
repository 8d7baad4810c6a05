/**
 * 4. INCLUSION (bundle.md): proofs.json is for the checkpoint's tree size (as is the manifest), and every
 * record's leaf is proven in the checkpoint's tree by its RFC 6962 inclusion proof.
 */
import { fromLowerHex } from '../../integrity/encoding.ts';
import { isTreeSize } from '../../integrity/merkle-core.ts';
import type { CheckpointBody, ParsedRecord } from './facts.ts';
import { isObject, isString, type BundleReader, type Json } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export function checkInclusion(
  t: CheckTools,
  reader: BundleReader,
  body: CheckpointBody,
  records: readonly ParsedRecord[],
  manifestTreeSize: number | undefined,
): BundleFailure[] {
  const failures: BundleFailure[] = [];
  const fail = (message: string, recordIds?: string[]) =>
    failures.push(recordIds === undefined ? failure(message) : failure(message, { recordIds }));
  const checkpoint = 'checkpoint' in body ? body.checkpoint : undefined;
  if ('error' in body) fail(`cannot read the checkpoint: ${body.error}`);
  const proofsValue = reader.proofs;
  const proofs =
    isObject(proofsValue) && isTreeSize(proofsValue.treeSize) && isObject(proofsValue.inclusion) ? proofsValue : undefined;
  if (!proofs) fail('proofs.json is missing or is not {treeSize, inclusion}');
  if (checkpoint && proofs) {
    if (proofs.treeSize !== checkpoint.size)
      fail(`proofs.json treeSize ${String(proofs.treeSize)} differs from the checkpoint size ${checkpoint.size}`);
    if (manifestTreeSize !== undefined && manifestTreeSize !== checkpoint.size)
      fail(`manifest treeSize ${manifestTreeSize} differs from the checkpoint size ${checkpoint.size}`);
    const inclusion = proofs.inclusion as Json;
    for (const r of records) {
      const path = inclusion[String(r.leafIndex)];
      const hashes = Array.isArray(path) ? path.map((h) => (isString(h) ? fromLowerHex(h, 32) : undefined)) : undefined;
      if (!hashes || hashes.some((h) => h === undefined)) {
        fail(`no well-formed inclusion proof for leaf ${r.leafIndex}`, [r.id]);
        continue;
      }
      const leaf = t.merkle.leafHash(fromLowerHex(r.hash, 32)!);
      if (!t.merkle.verifyInclusion(leaf, r.leafIndex, checkpoint.size, hashes as Uint8Array[], checkpoint.root))
        fail(`record at leaf ${r.leafIndex} is not proven in the tree of size ${checkpoint.size}`, [r.id]);
    }
  } else if (records.length > 0) {
    fail('no record can be proven without a checkpoint and proofs', records.map((r) => r.id));
  }
  return failures;
}
