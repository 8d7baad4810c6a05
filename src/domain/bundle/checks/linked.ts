/**
 * Linked parts (addition to bundle format v1, docs/federation.md "Bundle addition: linked parts"): a case
 * received from another node (`CaseReceived` first in its stream) carries the sending node's own v1 bundle of
 * the case under `linked/<sending province>/`. Each part is verified as a whole bundle with all of bundle.md's
 * checks, under its own log key and checkpoint, and linked to this case: the part's log is the origin and key
 * the `CaseReceived` names, and it holds the named `CaseTransferred` record, with the named hash, at the named
 * leaf, in this case's stream. A v1 verifier sees only entries listed in manifest.files, checks their digests
 * and ignores what they mean.
 */
import type { BundleReport, BundleCheck } from '../verify.ts';
import { LINKED_PART } from '../format.ts';
import type { ParsedRecord } from './facts.ts';
import { isObject, isString, parseJson } from './parts.ts';
import { failure, type BundleFailure } from './types.ts';

/** One linked part as the report shows it: its own checks, and whether it is the part this case names. */
export interface LinkedPartReport {
  /** `linked/<province>/` */
  path: string;
  province: string;
  origin?: string;
  caseId?: string;
  treeSize?: number;
  logKey?: string;
  logKeyFingerprint?: string;
  witnesses: { name: string; keyId: string; timestamp?: number }[];
  /** The part's own bundle.md checks. */
  checks: BundleCheck[];
  /** The link between this case's `CaseReceived` and the part. */
  link: { status: 'pass' | 'fail'; failures: BundleFailure[] };
  /** Whether the part records a review confirmed by an officer of the sending province (for RULES here). */
  reviewedByOfficer: boolean;
  valid: boolean;
}

export interface LinkedResult {
  parts: LinkedPartReport[];
  /** Failures of this bundle's own about its parts (a received case without its part, a part nobody names). */
  failures: BundleFailure[];
}

type Verify = (entries: Map<string, Uint8Array>) => BundleReport;

export function checkLinkedParts(
  entries: Iterable<[string, Uint8Array]>,
  caseRecords: readonly ParsedRecord[],
  verifyPart: Verify | undefined,
): LinkedResult {
  const byProvince = new Map<string, Map<string, Uint8Array>>();
  for (const [name, bytes] of entries) {
    const m = LINKED_PART.exec(name);
    if (!m) continue;
    const part = byProvince.get(m[1]!) ?? new Map<string, Uint8Array>();
    part.set(m[2]!, bytes);
    byProvince.set(m[1]!, part);
  }
  const failures: BundleFailure[] = [];
  const received = caseRecords.find((r) => r.revision === 0 && r.type === 'CaseReceived');
  const from = received && isObject(received.data.from) ? received.data.from : undefined;
  if (received && (!from || !isString(from.province) || !byProvince.has(from.province)))
    failures.push(failure('the case was received from another node but the bundle carries no linked part of it', { recordIds: [received.id] }));
  if (byProvince.size > 0 && !verifyPart)
    failures.push(failure('a linked part holds linked parts of its own (not supported)'));

  const parts: LinkedPartReport[] = [];
  for (const [province, part] of [...byProvince.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const report = verifyPart?.(part);
    const link: BundleFailure[] = [];
    if (!from || from.province !== province) link.push(failure(`no CaseReceived of this case names the linked part of province ${province}`));
    else if (report) {
      if (report.origin !== from.origin) link.push(failure(`the linked part is of log ${JSON.stringify(report.origin)}, not ${JSON.stringify(from.origin)}`));
      if (report.logKey !== from.logKey) link.push(failure('the linked part is under another log key than CaseReceived names'));
      if (report.caseId !== received?.data.caseId) link.push(failure('the linked part is of another case'));
      const named = namedTransfer(part, from.leafIndex);
      if (!named || named.hash !== from.recordHash || named.type !== 'CaseTransferred' || named.stream !== `case-${String(received?.data.caseId)}`)
        link.push(failure(`the linked part holds no CaseTransferred of this case with the named hash at leaf ${String(from.leafIndex)}`, { recordIds: [received!.id] }));
    }
    const reviewedByOfficer = (report?.timeline ?? []).some((t) => t.type === 'ReviewConfirmed' && t.actor.kind === 'officer');
    const ownValid = report?.valid ?? false;
    parts.push({
      path: `linked/${province}/`,
      province,
      ...(report?.origin !== undefined ? { origin: report.origin } : {}),
      ...(report?.caseId !== undefined ? { caseId: report.caseId } : {}),
      ...(report?.treeSize !== undefined ? { treeSize: report.treeSize } : {}),
      ...(report?.logKey !== undefined ? { logKey: report.logKey } : {}),
      ...(report?.logKeyFingerprint !== undefined ? { logKeyFingerprint: report.logKeyFingerprint } : {}),
      witnesses: report?.witnesses ?? [],
      checks: report?.checks ?? [],
      link: { status: link.length === 0 ? 'pass' : 'fail', failures: link },
      reviewedByOfficer: ownValid && link.length === 0 && reviewedByOfficer,
      valid: ownValid && link.length === 0,
    });
  }
  return { parts, failures };
}

/** The record line at `leafIndex` of the part's records.jsonl (hash, type, stream), if any. */
function namedTransfer(part: Map<string, Uint8Array>, leafIndex: unknown): { hash: unknown; type: unknown; stream: unknown } | undefined {
  const bytes = part.get('records.jsonl');
  if (!bytes || typeof leafIndex !== 'number') return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const parsed = parseJson(new TextEncoder().encode(line));
    if (!isObject(parsed) || parsed.leafIndex !== leafIndex) continue;
    const record = isObject(parsed.record) ? parsed.record : {};
    return { hash: parsed.hash, type: record.type, stream: record.stream };
  }
  return undefined;
}
