/**
 * The edge node's spool (docs/edge.md): what the edge has acknowledged to a camera and not yet handed to its
 * provincial node, durable on local disk.
 *
 *  - `<dir>/blobs/`: the evidence, in the same content-addressed write-once blob store as a node's
 *    (src/adapters/evidence/filesystem.ts: tmp file, fsync, link under the digest, fsync the directory), so a
 *    blob is either whole under its name or absent.
 *  - `<dir>/entries/<sequence>.json`: one file per accepted detection (the camera's signed detection, the
 *    edge's signed receipt, when it was received), written once: tmp file, fsync, rename, fsync the directory.
 *    The camera is answered only after that, so an acknowledged detection survives a SIGKILL or a power cut.
 *    An entry is never rewritten: it is deleted once the node has answered 200/201 for it (the node's
 *    ingest is idempotent, so a crash between the node's answer and the deletion only means one redelivery).
 *  - `<dir>/review/<sequence>.json`: originals later: what the background derivation made of an entry (the
 *    signed `edge-withheld/v1` statement naming the review copies, or none), written (tmp, fsync, rename,
 *    fsync) after the copies' blobs and before the first relay, so every relay of an entry sends the same
 *    statement and files, across crashes. Removed with the entry; kept beside a refused one.
 *  - `<dir>/refused/<sequence>.json`: an entry the node refused for good (a 4xx other than 408/429), with the
 *    node's problem document: kept for an operator, never silently dropped.
 *
 * The sequence numbers increase; per camera the entries are forwarded in sequence order. On start the spool
 * is rebuilt from the directory listing (entries, and the blobs they reference); a tmp file left by a crash
 * is removed (it was never acknowledged).
 *
 * Encryption at rest (on by default at the edge; docs/edge.md): given key-encryption keys, the blobs are
 * stored in the node's encrypted envelope (src/adapters/evidence/envelope.ts: AES-256-GCM per blob under a
 * random data key wrapped by the KEK file, which lives outside the spool directory), and so is every entry
 * file, its data key wrapped with the entry's file name as context (an entry file moved to another sequence
 * does not open). An entry that does not authenticate is moved to `quarantine/` at start and counted as
 * refused: the edge keeps running for the others, and the operator sees it in `tec edge status`.
 *
 * Clean-up: a blob that no pending or refused entry names (uploaded with `PUT /v1/evidence` for a detection
 * that never came) is removed by `collectOrphans` once it has been unnamed longer than the configured age.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSystemEvidenceStore } from '../evidence/filesystem.ts';
import { FileKeyEncryptionKeys } from '../evidence/kek-file.ts';
import { HEADER_BYTES, SegmentSealer, encodeHeader, encryptedFileSize, hasMagic, openAll, parseHeader } from '../evidence/envelope.ts';
import type { EvidenceStore } from '../../ports/evidence.ts';
import { EvidenceCorruptedError, EvidenceKeyUnavailableError, EvidenceKeyUnwrapError } from '../../ports/evidence-errors.ts';
import type { KeyEncryptionKeys } from '../../ports/key-encryption.ts';
import { AppError } from '../../domain/shared/errors.ts';
import type { Detection } from '../../domain/signoff/payloads.ts';
import type { SignedEdgeReceipt } from '../../domain/signoff/edge-receipt.ts';
import type { SignedEdgeWithheld } from '../../domain/signoff/edge-withheld.ts';

/** The spool has reached its quota: the camera keeps the detection and retries later (503 + Retry-After). */
export class SpoolFullError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'edge-spool-full';
  readonly retryAfterSeconds: number;
  constructor(usedBytes: number, quotaBytes: number, retryAfterSeconds = 60) {
    super('The edge node\'s spool is full; keep the detection and retry later', { usedBytes, quotaBytes });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface SpoolEntry {
  sequence: number;
  receivedAt: string;
  body: { detection: Detection; signature: string; keyId: string; modelId?: string };
  receipt: SignedEdgeReceipt;
  /**
   * Originals later (EDGE_ORIGINALS=later): the originals held back and the derived items sent instead, signed
   * by the edge (`edge-withheld/v1`). The derived items' blobs are in the spool beside the originals. Set from
   * the entry's review record (`review/<sequence>.json`, see `recordReview`); entries written before the
   * derivation moved off the acceptance path carry it in the entry file itself.
   */
  withheld?: SignedEdgeWithheld;
}

/** The review record of an entry: the derivation's outcome, durable before the entry is first relayed. */
interface ReviewRecord {
  sequence: number;
  withheld?: SignedEdgeWithheld;
}

/** Every blob an entry names: the detection's originals and the derived items of its `withheld`. */
export function entryBlobs(entry: SpoolEntry): { digest: string; size: number }[] {
  return [
    ...entry.body.detection.evidence.map((e) => ({ digest: e.digest, size: e.size })),
    ...(entry.withheld?.withheld.derived ?? []).map((d) => ({ digest: d.digest, size: d.size })),
  ];
}

/**
 * A withheld original whose detection the node has (its relay was answered 2xx): waiting in the spool for the
 * background lane (`PUT /v1/edge/originals/:digest`). Its file `originals/<sequence>-<hex>.json` is written
 * before the entry is deleted and removed only after the node's 2xx for the original.
 */
export interface PendingOriginal {
  file: string;
  sequence: number;
  digest: string;
  size: number;
  mediaType: string;
  detectionId: string;
  receivedAt: string;
}

interface Pending {
  entry: SpoolEntry;
  /** Bytes of the entry file. */
  fileBytes: number;
  /** Bytes of its review record, once written. */
  reviewBytes?: number;
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const ENTRY = /^(\d{16})\.json$/;
const ORIGINAL = /^(\d{16})-([0-9a-f]{64})\.json$/;
const REVIEW = /^(\d{16})\.review\.json$/;
const reviewName = (sequence: number) => `${String(sequence).padStart(16, '0')}.review.json`;
const name = (sequence: number) => `${String(sequence).padStart(16, '0')}.json`;
/** The wrap context of an entry's data key: its file name, so an entry file renamed to another sequence fails. */
const entryContext = (fileName: string) => Buffer.from(`tec-edge-spool-entry/1\0${fileName}`, 'latin1');

/** An entry file's bytes: JSON, or (encrypted) the evidence envelope around the JSON. */
async function sealEntry(text: string, fileName: string, keys: KeyEncryptionKeys | undefined): Promise<Buffer> {
  const plain = Buffer.from(text, 'utf8');
  if (!keys) return plain;
  const dataKey = randomBytes(32);
  const sealer = new SegmentSealer(dataKey);
  const segments = sealer.push(plain);
  const final = sealer.finish();
  const header = encodeHeader(plain.byteLength, await keys.wrap(dataKey, entryContext(fileName)));
  return Buffer.concat([header, ...segments, final]);
}

/**
 * The JSON of an entry file. A plaintext entry (written before encryption was turned on) still reads; an
 * encrypted one needs the keys: EvidenceKeyUnavailableError without them, EvidenceCorruptedError when it does
 * not authenticate.
 */
async function openEntry(bytes: Buffer, fileName: string, keys: KeyEncryptionKeys | undefined): Promise<string> {
  if (!hasMagic(bytes)) return bytes.toString('utf8');
  if (!keys) throw new EvidenceKeyUnavailableError(`Spool entry ${fileName} is encrypted and no spool key is configured`, 'not-configured');
  const header = parseHeader(fileName, bytes);
  for (const slot of header.slots) {
    if (!keys.has(slot.key.kekId)) continue;
    try {
      const dataKey = await keys.unwrap(slot.key, entryContext(fileName));
      return openAll(fileName, dataKey, header, bytes.subarray(HEADER_BYTES)).toString('utf8');
    } catch (error) {
      if (!(error instanceof EvidenceKeyUnwrapError)) throw error;
    }
  }
  if (header.slots.length > 0 && header.slots.every((slot) => !keys.has(slot.key.kekId)))
    throw new EvidenceKeyUnavailableError(`Spool entry ${fileName} is wrapped under a key the spool key file does not hold`, 'unknown-kek');
  throw new EvidenceCorruptedError(fileName, 'no wrapped data key authenticates (tampered entry)');
}

/**
 * The spool's key-encryption keys: the key file is loaded, or created (0600, outside the spool directory)
 * when nothing in the spool was ever encrypted. A spool that holds encrypted data and whose key file is
 * missing is refused (EvidenceKeyUnavailableError) rather than started with a fresh key that opens nothing.
 */
export async function spoolKeys(spoolDir: string, kekFile: string): Promise<KeyEncryptionKeys> {
  if ((await stat(kekFile).catch(() => undefined)) !== undefined) return FileKeyEncryptionKeys.load(kekFile);
  if (await spoolHoldsEncrypted(spoolDir))
    throw new EvidenceKeyUnavailableError(`The edge spool ${spoolDir} is encrypted at rest and its key file ${kekFile} is missing`, 'missing');
  return FileKeyEncryptionKeys.create(kekFile);
}

async function spoolHoldsEncrypted(spoolDir: string): Promise<boolean> {
  if (await FileSystemEvidenceStore.isMarkedEncrypted(join(spoolDir, 'blobs')).catch(() => false)) return true;
  for (const sub of ['entries', 'refused', 'originals', 'review']) {
    const files = await readdir(join(spoolDir, sub)).catch(() => [] as string[]);
    for (const file of files) {
      if (!ENTRY.test(file) && !ORIGINAL.test(file) && !REVIEW.test(file)) continue;
      const head = Buffer.alloc(8);
      const handle = await open(join(spoolDir, sub, file), 'r');
      try {
        await handle.read(head, 0, 8, 0);
      } finally {
        await handle.close();
      }
      if (hasMagic(head)) return true;
    }
  }
  return false;
}

export interface SpoolOptions {
  /** Largest total of entry files and blobs on disk, in bytes. */
  quotaBytes: number;
  /** Fraction of the quota at which the alarm is raised (default 0.8). */
  alarmFraction?: number;
  maxBlobBytes?: number;
  /** Encrypt blobs and entries at rest under these keys (the edge's default; see `spoolKeys`). */
  encryption?: KeyEncryptionKeys;
  /** The clock of the orphan clean-up (tests); defaults to Date.now. */
  now?: () => number;
}

export interface SpoolStats {
  depth: number;
  usedBytes: number;
  quotaBytes: number;
  oldestReceivedAt: string | undefined;
  nextSequence: number;
  refused: number;
  /** Blobs no pending or refused entry names (awaiting their detection, or the clean-up). */
  orphanBlobs: number;
  /** Withheld originals whose detection the node has, waiting for the background lane. */
  originalsPending: number;
  originalsPendingBytes: number;
}

interface Orphan {
  /** Plaintext size. */
  size: number;
  /** When it was last known to be named or stored (ms since the epoch). */
  since: number;
}

export class Spool {
  private readonly pending = new Map<number, Pending>();
  /** Digest → number of pending entries (and requests in flight) naming it, and its size. */
  private readonly refs = new Map<string, { count: number; size: number }>();
  /** Blobs on disk that nothing names (a PUT before its detection; left by a crash). */
  private readonly orphans = new Map<string, Orphan>();
  /** Blobs named by refused entries: kept with them for the operator, never collected. Digest → count, size. */
  private readonly held = new Map<string, { count: number; size: number }>();
  /** Blobs being removed right now (a request that pins one waits for the removal before storing it again). */
  private readonly destroying = new Map<string, Promise<unknown>>();
  private readonly byDetection = new Map<string, number>();
  private blobBytes = 0;
  private entryBytes = 0;
  private next = 0;
  private refusedCount = 0;
  private listeners: ((entry: SpoolEntry) => void)[] = [];
  private readonly originals = new Map<string, PendingOriginal>();
  private originalListeners: ((original: PendingOriginal) => void)[] = [];
  private readonly cameraTails = new Map<string, Promise<void>>();
  /** Sequences whose review record is written (pending or refused entries). */
  private readonly reviewed = new Set<number>();
  private markerWrites = 0;
  /** Entry files moved to quarantine/ at start because they did not read (tampered or damaged). */
  readonly quarantined: string[] = [];

  private constructor(
    private readonly dir: string,
    readonly blobs: EvidenceStore,
    private readonly options: SpoolOptions,
  ) {}

  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    await mkdir(join(dir, 'entries'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'refused'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'quarantine'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'originals'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'review'), { recursive: true, mode: 0o700 });
    const blobs = await FileSystemEvidenceStore.open(join(dir, 'blobs'), {
      ...(options.maxBlobBytes !== undefined ? { maxBytes: options.maxBlobBytes } : {}),
      ...(options.encryption ? { encryption: options.encryption } : {}),
    });
    const spool = new Spool(dir, blobs, options);
    await spool.load();
    return spool;
  }

  private async load(): Promise<void> {
    const entriesDir = join(this.dir, 'entries');
    const reviewDir = join(this.dir, 'review');
    // Review records first: an entry's blobs include the review copies its record names.
    const reviews = new Map<number, { record: ReviewRecord; file: string; bytes: number }>();
    for (const file of (await readdir(reviewDir)).sort()) {
      const match = REVIEW.exec(file);
      if (!match) {
        await rm(join(reviewDir, file), { force: true }); // a tmp file of a write that did not complete
        continue;
      }
      const bytes = await readFile(join(reviewDir, file));
      const record = (await this.readEntry(bytes, file, reviewDir)) as unknown as ReviewRecord | undefined;
      if (!record) continue;
      if (record.sequence !== Number(match[1])) {
        await rename(join(reviewDir, file), join(this.dir, 'quarantine', file));
        this.quarantined.push(file);
        continue;
      }
      reviews.set(record.sequence, { record, file, bytes: bytes.byteLength });
    }
    let highest = -1;
    for (const file of (await readdir(entriesDir)).sort()) {
      const match = ENTRY.exec(file);
      if (!match) {
        // A tmp file of an entry whose write did not complete: it was never acknowledged.
        await rm(join(entriesDir, file), { force: true });
        continue;
      }
      highest = Math.max(highest, Number(match[1]));
      const bytes = await readFile(join(entriesDir, file));
      const entry = await this.readEntry(bytes, file, entriesDir);
      if (!entry) continue;
      const review = reviews.get(entry.sequence);
      reviews.delete(entry.sequence);
      if (review) {
        if (review.record.withheld && !entry.withheld) entry.withheld = review.record.withheld;
        this.reviewed.add(entry.sequence);
      }
      this.track(entry, bytes.byteLength, review?.bytes);
    }
    for (const file of await readdir(join(this.dir, 'refused'))) {
      const match = ENTRY.exec(file);
      if (!match) continue;
      this.refusedCount++;
      highest = Math.max(highest, Number(match[1]));
      const entry = await this.readEntry(await readFile(join(this.dir, 'refused', file)), file, undefined);
      if (!entry) continue;
      const review = reviews.get(entry.sequence);
      reviews.delete(entry.sequence);
      if (review?.record.withheld && !entry.withheld) entry.withheld = review.record.withheld;
      this.hold(entryBlobs(entry));
    }
    // A record whose entry is gone (forwarded, or quarantined) was left by a crash before its removal.
    for (const { file } of reviews.values()) await rm(join(reviewDir, file), { force: true });
    const originalsDir = join(this.dir, 'originals');
    for (const file of (await readdir(originalsDir)).sort()) {
      const match = ORIGINAL.exec(file);
      if (!match) {
        await rm(join(originalsDir, file), { force: true }); // a tmp file of a write that did not complete
        continue;
      }
      highest = Math.max(highest, Number(match[1]));
      const original = (await this.readEntry(await readFile(join(originalsDir, file)), file, originalsDir)) as unknown as
        | PendingOriginal
        | undefined;
      if (!original) continue;
      if (original.file !== file || original.digest !== `sha256:${match[2]}`) {
        // Authenticated under its own name, so only a bug writes this; kept aside rather than trusted.
        await rename(join(originalsDir, file), join(this.dir, 'quarantine', file));
        this.quarantined.push(file);
        continue;
      }
      this.originals.set(file, original);
      this.pin([original]);
    }
    for (const file of await readdir(join(this.dir, 'quarantine'))) {
      const match = ENTRY.exec(file) ?? ORIGINAL.exec(file) ?? REVIEW.exec(file);
      if (!match) continue;
      this.refusedCount++;
      highest = Math.max(highest, Number(match[1]));
    }
    // Blobs on disk: those no pending entry names (uploaded with PUT before a detection that never came, or
    // left by a crash after forwarding) still count against the quota until `collectOrphans` removes them;
    // their age runs from the file's last modification.
    for await (const blob of this.blobs.list()) {
      if (this.refs.has(blob.digest) || this.held.has(blob.digest)) continue;
      const hex = blob.digest.slice('sha256:'.length);
      const modified = await stat(join(this.dir, 'blobs', 'sha256', hex.slice(0, 2), hex)).catch(() => undefined);
      this.orphans.set(blob.digest, { size: blob.size, since: modified?.mtimeMs ?? this.now() });
    }
    for (const file of await readdir(this.dir)) if (file.startsWith('.sequence.')) await rm(join(this.dir, file), { force: true });
    const marker = await readFile(join(this.dir, 'sequence'), 'utf8').catch(() => '-1');
    this.next = Math.max(highest, Number(marker.trim()) || -1) + 1;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Bytes a blob of this plaintext size takes on disk (the envelope adds a header and a tag per segment). */
  private onDisk(size: number): number {
    return this.options.encryption ? encryptedFileSize(size) : size;
  }

  /**
   * Reads an entry file. One that does not authenticate (tampered, or damaged) is moved from `fromDir` to
   * `quarantine/` and counted as refused; without `fromDir` (a refused entry) it is left where it is. A
   * missing key is not the entry's fault: that error stops the start.
   */
  private async readEntry(bytes: Buffer, file: string, fromDir: string | undefined): Promise<SpoolEntry | undefined> {
    try {
      return JSON.parse(await openEntry(bytes, file, this.options.encryption)) as SpoolEntry;
    } catch (error) {
      if (error instanceof EvidenceKeyUnavailableError) throw error;
      if (fromDir !== undefined) {
        await rename(join(fromDir, file), join(this.dir, 'quarantine', file));
        await fsyncDirectory(join(this.dir, 'quarantine'));
        await fsyncDirectory(fromDir);
        this.quarantined.push(file); // counted as refused by the listing of quarantine/ that follows
      }
      return undefined;
    }
  }

  private hold(items: readonly { digest: string; size: number }[]): void {
    for (const item of items) {
      const kept = this.held.get(item.digest);
      if (kept) {
        kept.count++;
        continue;
      }
      this.held.set(item.digest, { count: 1, size: item.size });
      this.orphans.delete(item.digest);
      // Counted once among the named blobs, whether a pending entry or a refused one names it.
      if (!this.refs.has(item.digest)) this.blobBytes += this.onDisk(item.size);
    }
  }

  private track(entry: SpoolEntry, fileBytes: number, reviewBytes: number | undefined): void {
    this.pending.set(entry.sequence, { entry, fileBytes, ...(reviewBytes !== undefined ? { reviewBytes } : {}) });
    this.byDetection.set(entry.body.detection.detectionId, entry.sequence);
    this.entryBytes += fileBytes + (reviewBytes ?? 0);
    this.pin(entryBlobs(entry));
  }

  /**
   * Holds these blobs while a request stores them and until its entry is forwarded: a blob another entry
   * shares is not removed under it when that entry is forwarded first.
   */
  pin(items: readonly { digest: string; size: number }[]): void {
    for (const item of items) {
      const ref = this.refs.get(item.digest);
      if (ref) {
        ref.count++;
        continue;
      }
      this.refs.set(item.digest, { count: 1, size: item.size });
      this.orphans.delete(item.digest); // now counted among the named blobs
      if (!this.held.has(item.digest)) this.blobBytes += this.onDisk(item.size);
    }
  }

  /** Resolves once no removal of these blobs is in flight (call after `pin`, before storing them). */
  async settled(items: readonly { digest: string }[]): Promise<void> {
    for (const item of items) await this.destroying.get(item.digest);
  }

  /** Releases a request's hold (its entry was not written): the blobs it stored stay, as orphans, until the clean-up. */
  unpin(items: readonly { digest: string; size: number }[]): void {
    for (const item of items) {
      if (!this.dropReference(item.digest)) continue;
      this.blobBytes -= this.onDisk(item.size);
      const orphan = { size: item.size, since: this.now() };
      this.orphans.set(item.digest, orphan);
      // A refused or broken upload may never have stored it: then it must not hold quota until the clean-up.
      void this.blobs.has(item.digest).then(
        (stored) => {
          if (!stored && this.orphans.get(item.digest) === orphan) this.orphans.delete(item.digest);
        },
        () => undefined,
      );
    }
  }

  get quotaBytes(): number {
    return this.options.quotaBytes;
  }

  usedBytes(): number {
    let orphanBytes = 0;
    for (const orphan of this.orphans.values()) orphanBytes += this.onDisk(orphan.size);
    return this.entryBytes + this.blobBytes + orphanBytes;
  }

  /** True at or above the alarm fraction of the quota. */
  alarmed(): boolean {
    return this.usedBytes() >= this.options.quotaBytes * (this.options.alarmFraction ?? 0.8);
  }

  /** Refuses, before a byte is written, a request that would take the spool past its quota. */
  requireRoom(incomingBytes: number): void {
    const used = this.usedBytes();
    if (used + Math.max(0, incomingBytes) > this.options.quotaBytes) throw new SpoolFullError(used, this.options.quotaBytes);
  }

  /** Counts a blob just stored by a PUT (not yet named by an entry). */
  blobStored(digest: string, size: number): void {
    if (!this.refs.has(digest) && !this.held.has(digest)) this.orphans.set(digest, { size, since: this.now() });
  }

  /**
   * Removes the blobs that no pending or refused entry has named for at least `maxAgeMs` (evidence whose
   * detection never came). A blob a request pins meanwhile is no longer an orphan and is skipped; a request
   * that pins one while it is being removed waits for the removal (`settled`) and stores it again. Returns
   * how many were removed.
   */
  async collectOrphans(maxAgeMs: number): Promise<number> {
    const cutoff = this.now() - maxAgeMs;
    let removed = 0;
    for (const [digest, orphan] of [...this.orphans]) {
      if (orphan.since > cutoff) continue;
      // Re-checked per blob: a request may have named it while an earlier removal was awaited.
      if (this.orphans.get(digest) !== orphan || this.refs.has(digest) || this.held.has(digest)) continue;
      this.orphans.delete(digest);
      const removal = this.blobs.destroy(digest).catch(() => undefined);
      this.destroying.set(digest, removal);
      await removal;
      if (this.destroying.get(digest) === removal) this.destroying.delete(digest);
      removed++;
    }
    return removed;
  }

  /** The pending sequence of this detection id, if the spool holds it. */
  pendingSequenceOf(detectionId: string): SpoolEntry | undefined {
    const sequence = this.byDetection.get(detectionId);
    return sequence === undefined ? undefined : this.pending.get(sequence)?.entry;
  }

  /**
   * Writes the next entry of a camera: per camera, one at a time, so the camera's entries are durable (and
   * queued for forwarding) in the order of their sequence numbers. `build` receives the sequence number (the
   * receipt names it before the entry is written).
   */
  appendNext(cameraId: string, build: (sequence: number) => SpoolEntry): Promise<SpoolEntry> {
    const previous = this.cameraTails.get(cameraId) ?? Promise.resolve();
    const work = previous.then(async () => {
      const entry = build(this.next++);
      await this.append(entry);
      return entry;
    });
    const tail = work.then(
      () => undefined,
      () => undefined,
    );
    this.cameraTails.set(cameraId, tail);
    void tail.then(() => {
      if (this.cameraTails.get(cameraId) === tail) this.cameraTails.delete(cameraId);
    });
    return work;
  }

  /**
   * Writes the entry durably (fsync of the file and of the directory); resolves only then. The caller pinned
   * the entry's blobs (`pin`) before storing them; the entry now holds that pin.
   */
  private async append(entry: SpoolEntry): Promise<void> {
    const entriesDir = join(this.dir, 'entries');
    const bytes = await sealEntry(JSON.stringify(entry), name(entry.sequence), this.options.encryption);
    const tmp = join(entriesDir, `.${name(entry.sequence)}.tmp`);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(entriesDir, name(entry.sequence)));
    await fsyncDirectory(entriesDir);
    const fileBytes = bytes.byteLength;
    this.pending.set(entry.sequence, { entry, fileBytes });
    this.byDetection.set(entry.body.detection.detectionId, entry.sequence);
    this.entryBytes += fileBytes;
    for (const listener of this.listeners) listener(entry);
  }

  onAppend(listener: (entry: SpoolEntry) => void): void {
    this.listeners.push(listener);
  }

  /** Pending entries in sequence order. */
  entries(): SpoolEntry[] {
    return [...this.pending.values()].map((p) => p.entry).sort((a, b) => a.sequence - b.sequence);
  }

  /**
   * True once the entry's review copies are settled: its review record is written, or it carries its
   * `withheld` in the entry file (written before derivation moved off the acceptance path, or by a test).
   */
  reviewSettled(entry: SpoolEntry): boolean {
    return entry.withheld !== undefined || this.reviewed.has(entry.sequence);
  }

  /**
   * Records, durably, what the background derivation made of a pending entry: `withheld` names the review
   * copies (whose blobs the caller stored and pinned; the entry now holds that pin), or nothing is withheld
   * and the originals go with the detection. Written once, before the entry's first relay, so a crash after
   * it relays the same statement and files again; resolves only once the record is on disk.
   */
  async recordReview(sequence: number, withheld: SignedEdgeWithheld | undefined): Promise<void> {
    const pending = this.pending.get(sequence);
    if (!pending) throw new Error(`No pending spool entry ${sequence} to record review copies for`);
    if (this.reviewSettled(pending.entry)) throw new Error(`Spool entry ${sequence} already has its review copies recorded`);
    const record: ReviewRecord = { sequence, ...(withheld ? { withheld } : {}) };
    const bytes = await this.writeDurably(join(this.dir, 'review'), reviewName(sequence), JSON.stringify(record));
    pending.reviewBytes = bytes;
    this.entryBytes += bytes;
    this.reviewed.add(sequence);
    if (withheld) pending.entry.withheld = withheld;
  }

  /** The node holds the entry: remove it, and the blobs no other pending entry names. */
  async forwarded(sequence: number): Promise<void> {
    await this.remove(sequence, undefined);
  }

  /** The node refused the entry for good: move it to refused/ with the node's answer. */
  async refused(sequence: number, problem: unknown): Promise<void> {
    await this.remove(sequence, problem);
  }

  private async remove(sequence: number, problem: unknown): Promise<void> {
    const pending = this.pending.get(sequence);
    if (!pending) return;
    const entriesDir = join(this.dir, 'entries');
    const withheld = pending.entry.withheld?.withheld;
    if (problem === undefined && withheld) {
      // The node has the detection: its withheld originals wait for the background lane, durably, before the
      // entry goes (a crash in between redelivers the relay, which is idempotent, and rewrites the same files).
      for (const digest of withheld.originals) {
        const item = pending.entry.body.detection.evidence.find((e) => e.digest === digest);
        if (!item) continue;
        const file = `${String(sequence).padStart(16, '0')}-${digest.slice('sha256:'.length)}.json`;
        if (this.originals.has(file)) continue;
        const original: PendingOriginal = {
          file,
          sequence,
          digest,
          size: item.size,
          mediaType: item.mediaType,
          detectionId: pending.entry.body.detection.detectionId,
          receivedAt: pending.entry.receivedAt,
        };
        await this.writeDurably(join(this.dir, 'originals'), file, JSON.stringify(original));
        this.originals.set(file, original);
        this.pin([original]);
        for (const listener of this.originalListeners) listener(original);
      }
    }
    if (problem !== undefined) {
      const refusedDir = join(this.dir, 'refused');
      await rename(join(entriesDir, name(sequence)), join(refusedDir, name(sequence)));
      const handle = await open(join(refusedDir, `${name(sequence)}.problem`), 'w', 0o600);
      try {
        await handle.writeFile(JSON.stringify(problem));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsyncDirectory(refusedDir);
      this.refusedCount++;
    } else {
      await rm(join(entriesDir, name(sequence)), { force: true });
    }
    await fsyncDirectory(entriesDir);
    // After the entry: a crash in between leaves a record without an entry, removed at the next start. A
    // refused entry keeps its record (it names the review copies held with it).
    if (problem === undefined && pending.reviewBytes !== undefined) {
      await rm(join(this.dir, 'review', reviewName(sequence)), { force: true });
      await fsyncDirectory(join(this.dir, 'review'));
    }
    this.reviewed.delete(sequence);
    // Never reuse a sequence number, also when the highest entry was the last one removed.
    await this.writeSequenceMarker();
    this.pending.delete(sequence);
    this.entryBytes -= pending.fileBytes + (pending.reviewBytes ?? 0);
    if (problem !== undefined) this.hold(entryBlobs(pending.entry));
    if (this.byDetection.get(pending.entry.body.detection.detectionId) === sequence)
      this.byDetection.delete(pending.entry.body.detection.detectionId);
    await this.release(entryBlobs(pending.entry));
  }

  /**
   * Drops one reference to a pinned blob. Answers its reference when that was the last and the blob is not
   * held in refused/ (a refused entry keeps its blobs for the operator, never collected): the caller takes it
   * off `blobBytes` and disposes of it.
   */
  private dropReference(digest: string): { size: number } | undefined {
    const ref = this.refs.get(digest);
    if (!ref) return undefined;
    ref.count--;
    if (ref.count > 0) return undefined;
    this.refs.delete(digest);
    return this.held.has(digest) ? undefined : ref;
  }

  /** Drops one reference to each blob; a blob nothing names any more is destroyed (it is at the node now). */
  private async release(items: readonly { digest: string }[]): Promise<void> {
    for (const item of items) {
      const ref = this.dropReference(item.digest);
      if (!ref) continue;
      this.blobBytes -= this.onDisk(ref.size);
      const removal = this.blobs.destroy(item.digest).catch(() => undefined);
      this.destroying.set(item.digest, removal);
      await removal;
      if (this.destroying.get(item.digest) === removal) this.destroying.delete(item.digest);
    }
  }

  /** tmp file, fsync, rename, fsync of the directory; sealed like an entry (its file name as the key's context). */
  private async writeDurably(dir: string, file: string, text: string): Promise<number> {
    const bytes = await sealEntry(text, file, this.options.encryption);
    const tmp = join(dir, `.${file}.${process.pid}.${++this.markerWrites}.tmp`);
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, file));
    await fsyncDirectory(dir);
    return bytes.byteLength;
  }

  /** Withheld originals waiting for the background lane, oldest first. */
  pendingOriginals(): PendingOriginal[] {
    return [...this.originals.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }

  onOriginal(listener: (original: PendingOriginal) => void): void {
    this.originalListeners.push(listener);
  }

  /** The node answered 2xx for this original: its record goes, and its blob once nothing else names it. */
  async originalDelivered(file: string): Promise<void> {
    const original = this.originals.get(file);
    if (!original) return;
    await rm(join(this.dir, 'originals', file), { force: true });
    await fsyncDirectory(join(this.dir, 'originals'));
    this.originals.delete(file);
    await this.release([original]);
  }

  private async writeSequenceMarker(): Promise<void> {
    // A name per write: two lanes may finish at once, and each rename must find its own tmp file.
    const tmp = join(this.dir, `.sequence.${process.pid}.${++this.markerWrites}.tmp`);
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(String(this.next - 1));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, 'sequence'));
  }

  stats(): SpoolStats {
    let oldest: string | undefined;
    for (const { entry } of this.pending.values()) if (oldest === undefined || entry.receivedAt < oldest) oldest = entry.receivedAt;
    return {
      depth: this.pending.size,
      usedBytes: this.usedBytes(),
      quotaBytes: this.options.quotaBytes,
      oldestReceivedAt: oldest,
      nextSequence: this.next,
      refused: this.refusedCount,
      orphanBlobs: this.orphans.size,
      originalsPending: this.originals.size,
      originalsPendingBytes: [...this.originals.values()].reduce((n, o) => n + o.size, 0),
    };
  }

  /** Size on disk of a file in the spool directory (for tests). */
  async fileSize(relative: string): Promise<number | undefined> {
    return (await stat(join(this.dir, relative)).catch(() => undefined))?.size;
  }
}
