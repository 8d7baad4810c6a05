/**
 * 5. CHECKPOINT (bundle.md): the checkpoint is signed by the log key (for the manifest's origin), every
 * witness in keys.json cosigned it, and, when the user gave one, the log key is the trusted key.
 */
import { openCheckpointWith, verifyCosignatureWith } from '../../integrity/checkpoint-core.ts';
import { parseNote, type VerifierKey } from '../../integrity/note.ts';
import type { BundleKeys } from './facts.ts';
import type { BundleReader } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export interface CheckpointResult {
  failures: BundleFailure[];
  /** The witnesses whose cosignature verifies, in keys.json order. */
  witnesses: { name: string; keyId: string; timestamp?: number }[];
  /** Whether the log key is the trusted one; undefined when no trusted key was given. */
  trustedKeyMatched?: boolean;
}

export function checkCheckpoint(
  t: CheckTools,
  reader: BundleReader,
  keys: BundleKeys,
  manifestOrigin: string | undefined,
  trustedMatcher: ((log: VerifierKey) => boolean) | undefined,
): CheckpointResult {
  const result: CheckpointResult = { failures: [], witnesses: [] };
  const fail = (message: string) => result.failures.push(failure(message));
  for (const problem of keys.problems) if (problem.code === 'CHECKPOINT') fail(problem.message);
  const { logKey } = keys;
  const checkpointText = reader.checkpointText;
  if (!logKey) fail('no usable log key in keys.json');
  if (checkpointText === undefined) fail('checkpoint.txt is missing or not UTF-8');
  if (logKey && checkpointText !== undefined) {
    try {
      const opened = openCheckpointWith(t.p, checkpointText, [keys.logKeyText!]);
      if (manifestOrigin !== undefined && opened.checkpoint.origin !== manifestOrigin)
        fail(`checkpoint origin ${opened.checkpoint.origin} differs from the manifest origin ${manifestOrigin}`);
    } catch (e) {
      fail(`checkpoint signature: ${(e as Error).message}`);
    }
    for (const w of keys.witnessKeys) {
      let lines: string[] = [];
      try {
        lines = parseNote(checkpointText)
          .signatures.filter((s) => s.name === w.key.name && s.keyId === w.key.keyId)
          .map((s) => s.line);
      } catch {
        lines = [];
      }
      const timestamps = lines
        .map((line) => {
          try {
            return verifyCosignatureWith(t.p, checkpointText, line, w.text);
          } catch {
            return undefined; // the checkpoint itself does not parse: already an INCLUSION and CHECKPOINT failure
          }
        })
        .filter((ts) => ts !== undefined);
      if (timestamps.length === 0) fail(`no valid cosignature by witness ${w.key.name} (${w.key.keyId})`);
      else result.witnesses.push({ name: w.key.name, keyId: w.key.keyId, timestamp: timestamps[0] });
    }
  }
  if (trustedMatcher) {
    result.trustedKeyMatched = logKey !== undefined && trustedMatcher(logKey);
    if (!result.trustedKeyMatched) fail('the bundle is signed by a log key other than the trusted key');
  }
  return result;
}
