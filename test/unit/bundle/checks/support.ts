/**
 * Inputs for the per-check specs: a fixture bundle read through the checks' reader, and the facts the
 * verifier derives once (as src/domain/bundle/verify.ts composes them), so each check runs on its own.
 */
import { nodePrimitives } from '../../../../src/domain/integrity/ed25519.ts';
import { sha256Hex, sign, toBase64, utf8 } from '../../../../src/domain/integrity/index.ts';
import {
  caseRecordsOf,
  caseStreamOf,
  evidenceEntries,
  groupByStream,
  manifestSummary,
  readCheckpointBody,
  readKeys,
} from '../../../../src/domain/bundle/checks/facts.ts';
import { originalsByRecord } from '../../../../src/domain/bundle/checks/originals.ts';
import { bundleReader } from '../../../../src/domain/bundle/checks/parts.ts';
import { checkRecordHash } from '../../../../src/domain/bundle/checks/record-hash.ts';
import { checkTools } from '../../../../src/domain/bundle/checks/tools.ts';
import { LOG_SEED } from '../fixture.ts';

export const tools = checkTools(nodePrimitives);

export const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

/** Everything a check takes, derived from the entries. */
export function derive(entries: Map<string, Uint8Array>) {
  const reader = bundleReader(entries);
  const summary = manifestSummary(reader);
  const keys = readKeys(tools, reader);
  const { records } = checkRecordHash(tools, reader);
  const byStream = groupByStream(records);
  const caseStream = caseStreamOf(summary.caseId);
  return {
    reader,
    summary,
    keys,
    records,
    byStream,
    caseStream,
    caseRecords: caseRecordsOf(byStream, caseStream),
    body: readCheckpointBody(reader),
    evidence: evidenceEntries(reader),
    originals: originalsByRecord(records),
  };
}

/** An insider holding the log key after editing entries: recompute the digests, re-sign the manifest. */
export function reseal(entries: Map<string, Uint8Array>, edit: (m: Record<string, unknown>) => void = () => {}): void {
  const manifest = JSON.parse(text(entries.get('manifest.json'))) as Record<string, unknown> & {
    files: Record<string, string>;
  };
  for (const name of Object.keys(manifest.files)) {
    const bytes = entries.get(name);
    if (bytes) manifest.files[name] = `sha256:${sha256Hex(bytes)}`;
  }
  edit(manifest);
  const bytes = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
  entries.set('manifest.json', bytes);
  entries.set('manifest.sig', utf8(toBase64(sign(bytes, LOG_SEED))));
}

/** Rewrites records.jsonl line by line. */
export function editRecords(entries: Map<string, Uint8Array>, edit: (lines: string[]) => string[]): void {
  const lines = text(entries.get('records.jsonl')).trimEnd().split('\n');
  entries.set('records.jsonl', utf8(`${edit(lines).join('\n')}\n`));
}
