/**
 * 2. RECORD_HASH (bundle.md): every line of records.jsonl is `{leafIndex, hash, record}` holding a v1
 * record whose RFC 8785 form hashes to `hash`; ids are unique and lines sorted by leaf index. The records
 * that pass the shape checks are what every later check works on.
 */
import { canonicalBytes } from '../../integrity/canonical.ts';
import { fromUtf8 } from '../../integrity/encoding.ts';
import { isTreeSize } from '../../integrity/merkle-core.ts';
import { ENTRY } from '../format.ts';
import type { ParsedRecord } from './facts.ts';
import { HEX64, isObject, isString, type BundleReader, type Json } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export interface RecordHashResult {
  failures: BundleFailure[];
  records: ParsedRecord[];
}

export function checkRecordHash(t: CheckTools, reader: BundleReader): RecordHashResult {
  const failures: BundleFailure[] = [];
  const fail = (message: string, recordIds: string[] | undefined) => failures.push(failure(message, { recordIds }));
  const records: ParsedRecord[] = [];
  const recordsBytes = reader.entry(ENTRY.records);
  const recordsText = recordsBytes ? fromUtf8(recordsBytes) : undefined;
  if (recordsBytes && recordsText === undefined) failures.push(failure('records.jsonl is not valid UTF-8'));
  if (!recordsBytes) failures.push(failure('records.jsonl is missing'));
  const lines = (recordsText ?? '').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const seenIds = new Set<string>();
  let lastLeaf = -1;
  lines.forEach((text, i) => {
    const lineNo = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      failures.push(failure(`records.jsonl line ${lineNo} is not JSON`));
      return;
    }
    const r = isObject(value) && isObject(value.record) ? value.record : undefined;
    const id = r && isString(r.id) ? r.id : undefined;
    const ids = id ? [id] : undefined;
    if (!isObject(value) || !isTreeSize(value.leafIndex) || !isString(value.hash) || !HEX64.test(value.hash) || !r) {
      fail(`records.jsonl line ${lineNo} is not {leafIndex, hash, record}`, ids);
      return;
    }
    const meta = r.meta;
    const actor = isObject(meta) ? meta.actor : undefined;
    const shapeOk =
      r.v === 1 &&
      isString(id) &&
      isString(r.stream) &&
      isTreeSize(r.revision) &&
      isString(r.type) &&
      isObject(r.data) &&
      isObject(meta) &&
      isObject(actor) &&
      isString(actor.kind) &&
      isString(actor.id) &&
      isString(meta.recordedAt) &&
      isString(r.prev) &&
      HEX64.test(r.prev);
    if (!shapeOk) {
      fail(`records.jsonl line ${lineNo} does not hold a v1 record`, ids);
      return;
    }
    let computed: string | undefined;
    try {
      computed = t.sha256Hex(canonicalBytes(r));
    } catch (e) {
      fail(`record on line ${lineNo} cannot be canonicalized: ${(e as Error).message}`, ids);
      return;
    }
    if (computed !== value.hash) fail(`record hash mismatch: stated ${value.hash}, computed ${computed}`, ids);
    if (seenIds.has(id)) fail('record id appears twice', ids);
    seenIds.add(id);
    if (value.leafIndex <= lastLeaf) fail(`records are not sorted by leaf index at line ${lineNo}`, ids);
    lastLeaf = Math.max(lastLeaf, value.leafIndex);
    records.push({
      line: lineNo,
      leafIndex: value.leafIndex,
      hash: value.hash,
      id,
      stream: r.stream as string,
      revision: r.revision as number,
      type: r.type as string,
      data: r.data as Json,
      actor: { kind: actor.kind as string, id: actor.id as string },
      recordedAt: meta.recordedAt as string,
      prev: r.prev as string,
      raw: r,
    });
  });
  return { failures, records };
}
