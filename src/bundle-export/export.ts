/**
 * Exports a court bundle (bundle.md, format v1) for one case from the event store, the ledger and the
 * evidence store.
 *
 * Order of work, and why:
 *  1. The export is itself a custody event (`EvidenceAccessed`, access `export`) appended to
 *     `custody-<caseId>` BEFORE anything is assembled, so every bundle in the world is in the log, and the
 *     bundle carries the record of its own export.
 *  2. Wait (briefly) until a signed checkpoint covers every record read, else `BundleNotSealedError`.
 *  3. Read the streams again and keep, per stream, the prefix whose leaves lie below the checkpoint's tree
 *     size: "included in full as of treeSize", even if the stream grew meanwhile. The camera, officer and
 *     model streams are those the included case records name.
 *  4. Build the entries, run `verifyBundle` on them against the node's own key, and refuse to hand out a
 *     bundle that fails (`BundleIntegrityError`): a node never signs a manifest over a broken bundle.
 *
 * Destroyed evidence (docs/data-protection.md, "Court bundles after destruction"): when originals of the case were
 * destroyed under a retention policy, the bundle carries the case's `retention-<caseId>` stream (its
 * `EvidenceDestroyed` records, checked like every record: hash, chain, inclusion) and omits exactly those
 * blobs; the verifier reports each as "destroyed under policy X at T", never as missing. The retention stream
 * is included whenever it exists (legal holds are part of the case's story too).
 */
import { StreamNotFoundError, type EventStore, type StoredRecord } from '../ports/eventstore.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import { SealTimeoutError, type LedgerPort, type StoredCheckpoint } from '../ports/ledger.ts';
import { recordEvidenceAccess } from '../commands/custody.ts';
import { caseDocumentInput, type CaseDocumentSources } from '../commands/documents.ts';
import type { IssuedDocumentKind } from '../domain/case/events.ts';
import { evidenceDigest } from '../domain/integrity/hash.ts';
import type { CommandDeps } from '../commands/deps.ts';
import type { Caller } from '../commands/outcome.ts';
import {
  buildBundleEntries,
  DOCUMENTS_PREFIX,
  readBundleZip,
  verifyBundle,
  writeBundleZip,
  type BundleReport,
} from '../domain/bundle/index.ts';
import { streams } from '../domain/record.ts';
import { originalEvidenceOf } from '../domain/case/originals.ts';
import { destroyedEvidence } from '../domain/retention/index.ts';
import { BundleIntegrityError, BundleNotSealedError, CaseNotFoundForExportError } from './errors.ts';

/** The ledger as the exporter uses it (the port in src/ports/ledger.ts; LedgerService satisfies it). */
export type BundleLedger = LedgerPort;

export interface BundleExportSources {
  store: EventStore;
  evidence: EvidenceStore;
  ledger: BundleLedger;
  /** Store, clock and ids for the custody record. */
  commandDeps: CommandDeps;
  /** Verifier keys of witnesses whose cosignatures the checkpoints carry. */
  witnessVerifierKeys?: string[];
  /**
   * The newest witness-cosigned checkpoint of at least `minSize` leaves (note plus cosignature lines, and the
   * witness key names that cosigned it). When there is one, the bundle is built at its size and carries it,
   * with the cosigning witnesses' keys in keys.json; otherwise the first checkpoint covering the case, alone.
   */
  cosignedCheckpoint?: (minSize: number) => Promise<{ treeSize: number; text: string; witnesses: string[] } | undefined>;
  /**
   * Renders the case documents (src/commands/documents.ts): with it, each included document also carries the
   * input it was rendered from (`documents/<kind>-<n>.json`) when rendering that again gives the recorded bytes.
   */
  documentSources?: CaseDocumentSources;
}

export interface ExportRequest {
  caseId: string;
  /** Who exports (recorded in the custody log and in manifest.exportedBy). */
  caller: Caller;
  /** Why (the X-Purpose header, or the CLI's --purpose). */
  purpose: string;
  /** How long to wait for sealing before `BundleNotSealedError` (default 3000 ms). */
  sealWaitMs?: number;
  correlationId?: string;
}

export interface ExportedBundle {
  caseId: string;
  /** `case-<caseId>.zip` */
  fileName: string;
  bytes: Uint8Array;
  treeSize: number;
  /** The node's own verification of what it hands out (always valid when returned). */
  report: BundleReport;
}

export interface BundleExporter {
  exportCase(request: ExportRequest): Promise<ExportedBundle>;
}

const PAGE = 1000;
const DEFAULT_SEAL_WAIT_MS = 3000;

async function readWholeStream(store: EventStore, stream: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (;;) {
    let page: StoredRecord[];
    try {
      page = await store.readStream(stream, { fromRevision: BigInt(out.length), maxCount: PAGE });
    } catch (error) {
      if (error instanceof StreamNotFoundError && out.length === 0) return [];
      throw error;
    }
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

interface Sealed {
  record: StoredRecord;
  leafIndex: number;
}

/** The prefix of a stream whose records are integrated below `treeSize` (leaf order follows revision order). */
async function sealedPrefix(
  ledger: BundleLedger,
  records: StoredRecord[],
  treeSize: number,
): Promise<Sealed[]> {
  const out: Sealed[] = [];
  for (const record of records) {
    const leaf = await ledger.leafForRecord(record.record.id);
    if (!leaf || leaf.leafIndex >= treeSize) break;
    if (leaf.recordHash !== record.hash) {
      throw new BundleIntegrityError('A record hash differs between the event store and the ledger', {
        recordId: record.record.id,
      });
    }
    out.push({ record, leafIndex: leaf.leafIndex });
  }
  return out;
}

/** Camera, officer and model streams the given case records name. */
function namedStreams(caseRecords: StoredRecord[], custodyRecords: StoredRecord[]): string[] {
  const names = new Set<string>();
  for (const { record } of [...caseRecords, ...custodyRecords]) {
    if (record.meta.actor.kind === 'officer') names.add(streams.officer(record.meta.actor.id));
  }
  for (const { record } of caseRecords) {
    const data = record.data as Record<string, unknown>;
    if (record.type === 'ViolationDetected') {
      const detection = data.detection as { cameraId?: unknown } | undefined;
      if (typeof detection?.cameraId === 'string') names.add(streams.camera(detection.cameraId));
    }
    const model = data.model as { modelId?: unknown } | undefined;
    if (typeof model?.modelId === 'string') names.add(streams.model(model.modelId));
  }
  return [...names].sort();
}

interface EvidenceNeed {
  digest: string;
  mediaType: string;
  size: number;
}

function originalEvidence(caseRecords: StoredRecord[]): EvidenceNeed[] {
  return originalEvidenceOf(caseRecords.map((s) => s.record)).map((e) => ({
    digest: e.digest,
    mediaType: e.mediaType as string,
    size: e.size as number,
  }));
}

interface IssuedEntry {
  /** `documents/<kind>-<n>` (without extension). */
  base: string;
  kind: IssuedDocumentKind;
  noticeId?: string;
  appealId?: string;
  digest: string;
}

/** The case's `DocumentIssued` records as bundle entries: `documents/<kind>-<n>`, n counted per kind from 1. */
export function issuedDocuments(caseRecords: StoredRecord[]): IssuedEntry[] {
  const counts = new Map<string, number>();
  const out: IssuedEntry[] = [];
  for (const { record } of caseRecords) {
    if (record.type !== 'DocumentIssued') continue;
    const { kind, digest, noticeId, appealId } = record.data as { kind: IssuedDocumentKind; digest: string; noticeId?: string; appealId?: string };
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    out.push({
      base: `${DOCUMENTS_PREFIX}${kind}-${n}`,
      kind,
      ...(noticeId !== undefined ? { noticeId } : {}),
      ...(appealId !== undefined ? { appealId } : {}),
      digest,
    });
  }
  return out;
}

/**
 * The input a document was rendered from, when rendering it again today gives the recorded bytes (the
 * registry's answers or the renderer may have changed since: then no input is included, and the PDF alone
 * stands). Personal data, like the PDF itself: only in the bundle, never logged.
 */
async function documentInputOf(store: EventStore, sources: CaseDocumentSources, caseId: string, d: IssuedEntry): Promise<Uint8Array | undefined> {
  try {
    const input = await caseDocumentInput(store, sources, {
      caseId,
      kind: d.kind,
      ...(d.noticeId !== undefined ? { noticeId: d.noticeId } : {}),
      ...(d.appealId !== undefined ? { appealId: d.appealId } : {}),
    });
    if (evidenceDigest(await sources.renderer.render(input)) !== d.digest) return undefined;
    return new TextEncoder().encode(`${JSON.stringify(input, null, 2)}\n`);
  } catch {
    return undefined;
  }
}

/**
 * The linked part of a case received from another node: the sending node's bundle, kept as a blob when the case
 * was received (`CaseReceived.fromBundle`), carried entry by entry under `linked/<sending province>/`.
 */
async function linkedParts(
  evidence: EvidenceStore,
  caseRecords: StoredRecord[],
): Promise<{ province: string; entries: Map<string, Uint8Array> }[]> {
  const first = caseRecords[0]?.record;
  if (first?.type !== 'CaseReceived') return [];
  const data = first.data as { from?: { province?: string }; fromBundle?: { digest?: string; size?: number } };
  const digest = data.fromBundle?.digest;
  const province = data.from?.province;
  if (typeof digest !== 'string' || typeof province !== 'string') return [];
  const bytes = await evidence.getBytes(digest, data.fromBundle?.size !== undefined ? { expectedSize: data.fromBundle.size } : {});
  return [{ province, entries: await readBundleZip(bytes) }];
}

export function createBundleExporter(sources: BundleExportSources): BundleExporter {
  const { store, evidence, ledger, commandDeps } = sources;

  async function collect(caseId: string): Promise<Map<string, StoredRecord[]>> {
    const byStream = new Map<string, StoredRecord[]>();
    const caseRecords = await readWholeStream(store, streams.case(caseId));
    const custodyRecords = await readWholeStream(store, streams.custody(caseId));
    byStream.set(streams.case(caseId), caseRecords);
    byStream.set(streams.custody(caseId), custodyRecords);
    const retentionRecords = await readWholeStream(store, streams.retention(caseId));
    if (retentionRecords.length > 0) byStream.set(streams.retention(caseId), retentionRecords);
    for (const name of namedStreams(caseRecords, custodyRecords)) {
      const records = await readWholeStream(store, name);
      if (records.length > 0) byStream.set(name, records);
    }
    return byStream;
  }

  return {
    async exportCase(request: ExportRequest): Promise<ExportedBundle> {
      const { caseId } = request;
      const caseStream = streams.case(caseId);
      const head = await readWholeStream(store, caseStream);
      if (head.length === 0) throw new CaseNotFoundForExportError(caseId);
      const access = await recordEvidenceAccess(
        commandDeps,
        request.caller,
        { caseId, access: 'export', purpose: request.purpose },
        request.correlationId !== undefined ? { correlationId: request.correlationId } : {},
      );

      const first = await collect(caseId);
      const ids = [...first.values()].flat().map((r) => r.record.id);
      let checkpoint: StoredCheckpoint;
      const waitMs = request.sealWaitMs ?? DEFAULT_SEAL_WAIT_MS;
      try {
        checkpoint = await ledger.waitUntilSealed(ids, waitMs);
      } catch (error) {
        if (error instanceof SealTimeoutError)
          throw new BundleNotSealedError(caseId, Math.max(1, Math.ceil(waitMs / 1000)), { cause: error });
        throw error;
      }
      // The nation's word on the case: the newest cosigned checkpoint covering every record of it but this
      // export's own custody record (which no witness can have seen yet), when the witness has one. The
      // bundle then stops at that size: this export's custody record is in the node's log, not in the bundle.
      let cosigned: Awaited<ReturnType<NonNullable<BundleExportSources['cosignedCheckpoint']>>>;
      if (sources.cosignedCheckpoint) {
        let covered = 0;
        for (const id of ids) {
          if (id === access.record.record.id) continue;
          const leaf = await ledger.leafForRecord(id);
          if (leaf) covered = Math.max(covered, leaf.leafIndex + 1);
        }
        cosigned = await sources.cosignedCheckpoint(covered);
      }
      const witnessKeys = cosigned
        ? (sources.witnessVerifierKeys ?? []).filter((k) => cosigned.witnesses.includes(k.split('+')[0]!))
        : [];
      const treeSize = cosigned && witnessKeys.length > 0 ? cosigned.treeSize : checkpoint.treeSize;
      const checkpointText = cosigned && witnessKeys.length > 0 ? cosigned.text : checkpoint.note;

      // Fresh read: the case stream decides which other streams belong, as of treeSize.
      const caseSealed = await sealedPrefix(ledger, await readWholeStream(store, caseStream), treeSize);
      const custodySealed = await sealedPrefix(
        ledger,
        await readWholeStream(store, streams.custody(caseId)),
        treeSize,
      );
      const retentionSealed = await sealedPrefix(
        ledger,
        await readWholeStream(store, streams.retention(caseId)),
        treeSize,
      );
      const included: Sealed[] = [...caseSealed, ...custodySealed, ...retentionSealed];
      const caseRecords = caseSealed.map((s) => s.record);
      for (const name of namedStreams(
        caseRecords,
        custodySealed.map((s) => s.record),
      )) {
        included.push(...(await sealedPrefix(ledger, await readWholeStream(store, name), treeSize)));
      }

      const inclusionProofs = new Map<number, Uint8Array[]>();
      for (const s of included)
        inclusionProofs.set(s.leafIndex, await ledger.inclusionProof(s.leafIndex, treeSize));

      // Only a destruction the bundle itself proves (a sealed `EvidenceDestroyed` it carries) excuses an absent
      // original; a blob gone without such a record fails below as missing, as it must.
      const destroyed = destroyedEvidence(retentionSealed.map((s) => s.record.record));
      const blobs: { bytes: Uint8Array; mediaType: string }[] = [];
      for (const need of originalEvidence(caseRecords)) {
        if (destroyed.has(need.digest)) continue;
        blobs.push({
          bytes: await evidence.getBytes(need.digest, { expectedSize: need.size }),
          mediaType: need.mediaType,
        });
      }

      // Each issued document (addition to v1: documents/<kind>-<n>.pdf, the n-th DocumentIssued of its kind),
      // from the evidence store where it was kept when issued; getBytes verifies its digest.
      const documents = issuedDocuments(caseRecords);
      const documentEntries: { name: string; bytes: Uint8Array }[] = [];
      for (const d of documents) {
        documentEntries.push({ name: `${d.base}.pdf`, bytes: await evidence.getBytes(d.digest) });
        const input = sources.documentSources ? await documentInputOf(store, sources.documentSources, caseId, d) : undefined;
        if (input) documentEntries.push({ name: `${d.base}.json`, bytes: input });
      }

      const linked = await linkedParts(evidence, caseRecords);
      const logVerifierKey = ledger.verifierKey();
      const entries = buildBundleEntries({
        caseId,
        exportedAt: commandDeps.clock.now(),
        exportedBy: { kind: request.caller.actor.kind, id: request.caller.actor.id },
        origin: ledger.origin,
        treeSize,
        records: included.map((s) => ({
          leafIndex: s.leafIndex,
          hash: s.record.hash,
          record: s.record.record,
        })),
        inclusionProofs,
        checkpointText,
        logVerifierKey,
        witnessVerifierKeys: witnessKeys,
        evidence: blobs,
        documents: documentEntries,
        manifestSignerSeed: ledger.key.seed,
        linked,
      });
      const report = verifyBundle(entries, { trustedKey: logVerifierKey });
      if (!report.valid) {
        const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.code);
        throw new BundleIntegrityError('The assembled bundle does not verify; nothing was handed out', {
          caseId,
          failed,
        });
      }
      const bytes = await writeBundleZip(entries);
      return { caseId, fileName: `case-${caseId}.zip`, bytes, treeSize, report };
    },
  };
}
