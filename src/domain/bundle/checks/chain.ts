/**
 * 3. CHAIN (bundle.md): every stream the manifest declares is included with the declared number of
 * records, revisions run 0, 1, 2… with each `prev` the hash of the revision before, revisions were
 * integrated in order, and the case stream is included.
 */
import type { ParsedRecord } from './facts.ts';
import { isObject, type BundleReader } from './parts.ts';
import { failure, type BundleFailure } from './types.ts';

export function checkChain(
  reader: BundleReader,
  byStream: Map<string, ParsedRecord[]>,
  caseStream: string | undefined,
): BundleFailure[] {
  const failures: BundleFailure[] = [];
  const fail = (message: string, recordIds?: string[]) =>
    failures.push(recordIds === undefined ? failure(message) : failure(message, { recordIds }));
  const manifest = reader.manifest;
  const declared = manifest && isObject(manifest.streams) ? manifest.streams : undefined;
  if (manifest && !declared) fail('manifest.streams is missing');
  for (const [stream, count] of Object.entries(declared ?? {})) {
    if (!byStream.has(stream)) fail(`stream ${stream} is declared with ${String(count)} records but none are included`);
  }
  for (const [stream, list] of byStream) {
    const sorted = [...list].sort((a, b) => a.revision - b.revision);
    const expected = declared?.[stream];
    if (declared && expected === undefined)
      fail(`stream ${stream} is not declared in manifest.streams`, sorted.map((r) => r.id));
    else if (declared && expected !== sorted.length) {
      fail(
        `stream ${stream}: manifest declares ${String(expected)} records, the bundle holds ${sorted.length}`,
        sorted.map((r) => r.id),
      );
    }
    sorted.forEach((r, i) => {
      if (r.revision !== i) {
        const gap =
          r.revision > i ? `revision ${i} is missing before revision ${r.revision}` : `revision ${r.revision} appears twice`;
        fail(`stream ${stream}: ${gap}`, [r.id]);
      }
      const previous = i > 0 ? sorted[i - 1] : undefined;
      const expectedPrev =
        r.revision === 0 ? '0'.repeat(64) : previous && previous.revision === r.revision - 1 ? previous.hash : undefined;
      if (expectedPrev !== undefined && r.prev !== expectedPrev) {
        fail(`stream ${stream} revision ${r.revision}: prev does not equal the hash of revision ${r.revision - 1}`, [r.id]);
      }
      if (previous && previous.leafIndex > r.leafIndex) {
        fail(`stream ${stream} revision ${r.revision} was integrated before revision ${previous.revision}`, [r.id]);
      }
    });
  }
  if (caseStream && !byStream.has(caseStream)) fail(`the case stream ${caseStream} is not included`);
  return failures;
}
