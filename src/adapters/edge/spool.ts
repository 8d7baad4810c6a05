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
 *  - `<dir>/refused/<sequence>.json`: an entry the node refused for good (a 4xx other than 408/429), with the
 *    node's problem document: kept for an operator, never silently dropped.
 *
 * The sequence numbers increase; per camera the entries are forwarded in sequence order. On start the spool
 * is rebuilt from the directory listing (entries, and the blobs they reference); a tmp file left by a crash
 * is removed (it was never acknowledged).
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSystemEvidenceStore } from '../evidence/filesystem.ts';
import type { EvidenceStore } from '../../ports/evidence.ts';
import { AppError } from '../../domain/shared/errors.ts';
import type { Detection } from '../../domain/signoff/payloads.ts';
import type { SignedEdgeReceipt } from '../../domain/signoff/edge-receipt.ts';

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
}

interface Pending {
  entry: SpoolEntry;
  /** Bytes of the entry file. */
  fileBytes: number;
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
const name = (sequence: number) => `${String(sequence).padStart(16, '0')}.json`;

export interface SpoolOptions {
  /** Largest total of entry files and blobs on disk, in bytes. */
  quotaBytes: number;
  /** Fraction of the quota at which the alarm is raised (default 0.8). */
  alarmFraction?: number;
  maxBlobBytes?: number;
}

export interface SpoolStats {
  depth: number;
  usedBytes: number;
  quotaBytes: number;
  oldestReceivedAt: string | undefined;
  nextSequence: number;
  refused: number;
}

export class Spool {
  private readonly pending = new Map<number, Pending>();
  /** Digest → number of pending entries (and requests in flight) naming it, and its size. */
  private readonly refs = new Map<string, { count: number; size: number }>();
  /** Blobs on disk that nothing names (a PUT before its detection; left by a crash). */
  private readonly orphans = new Map<string, number>();
  /** Blobs being removed right now (a request that pins one waits for the removal before storing it again). */
  private readonly destroying = new Map<string, Promise<unknown>>();
  private readonly byDetection = new Map<string, number>();
  private blobBytes = 0;
  private entryBytes = 0;
  private next = 0;
  private refusedCount = 0;
  private listeners: ((entry: SpoolEntry) => void)[] = [];
  private readonly cameraTails = new Map<string, Promise<void>>();
  private markerWrites = 0;

  private constructor(
    private readonly dir: string,
    readonly blobs: EvidenceStore,
    private readonly options: SpoolOptions,
  ) {}

  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    await mkdir(join(dir, 'entries'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'refused'), { recursive: true, mode: 0o700 });
    const blobs = await FileSystemEvidenceStore.open(join(dir, 'blobs'), {
      ...(options.maxBlobBytes !== undefined ? { maxBytes: options.maxBlobBytes } : {}),
    });
    const spool = new Spool(dir, blobs, options);
    await spool.load();
    return spool;
  }

  private async load(): Promise<void> {
    const entriesDir = join(this.dir, 'entries');
    let highest = -1;
    for (const file of (await readdir(entriesDir)).sort()) {
      const match = ENTRY.exec(file);
      if (!match) {
        // A tmp file of an entry whose write did not complete: it was never acknowledged.
        await rm(join(entriesDir, file), { force: true });
        continue;
      }
      const text = await readFile(join(entriesDir, file), 'utf8');
      const entry = JSON.parse(text) as SpoolEntry;
      this.track(entry, Buffer.byteLength(text));
      highest = Math.max(highest, entry.sequence);
    }
    for (const file of await readdir(join(this.dir, 'refused'))) {
      const match = ENTRY.exec(file);
      if (match) {
        this.refusedCount++;
        highest = Math.max(highest, Number(match[1]));
      }
    }
    // Blobs on disk: those no pending entry names (uploaded with PUT before a detection that never came, or
    // left by a crash after forwarding) still count against the quota until `collect` removes them.
    for await (const blob of this.blobs.list()) {
      if (!this.refs.has(blob.digest)) this.orphans.set(blob.digest, blob.size);
    }
    for (const file of await readdir(this.dir)) if (file.startsWith('.sequence.')) await rm(join(this.dir, file), { force: true });
    const marker = await readFile(join(this.dir, 'sequence'), 'utf8').catch(() => '-1');
    this.next = Math.max(highest, Number(marker.trim()) || -1) + 1;
  }

  private track(entry: SpoolEntry, fileBytes: number): void {
    this.pending.set(entry.sequence, { entry, fileBytes });
    this.byDetection.set(entry.body.detection.detectionId, entry.sequence);
    this.entryBytes += fileBytes;
    this.pin(entry.body.detection.evidence);
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
      if (this.orphans.delete(item.digest)) continue; // counted already, as an orphan
      this.blobBytes += item.size;
    }
  }

  /** Resolves once no removal of these blobs is in flight (call after `pin`, before storing them). */
  async settled(items: readonly { digest: string }[]): Promise<void> {
    for (const item of items) await this.destroying.get(item.digest);
  }

  /** Releases a request's hold (its entry was not written): the blobs stay, as orphans, until a later start. */
  unpin(items: readonly { digest: string; size: number }[]): void {
    for (const item of items) {
      const ref = this.refs.get(item.digest);
      if (!ref) continue;
      ref.count--;
      if (ref.count > 0) continue;
      this.refs.delete(item.digest);
      this.orphans.set(item.digest, item.size);
    }
  }

  get quotaBytes(): number {
    return this.options.quotaBytes;
  }

  usedBytes(): number {
    let orphanBytes = 0;
    for (const size of this.orphans.values()) orphanBytes += size;
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
    if (!this.refs.has(digest)) this.orphans.set(digest, size);
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
    const text = JSON.stringify(entry);
    const tmp = join(entriesDir, `.${name(entry.sequence)}.tmp`);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(entriesDir, name(entry.sequence)));
    await fsyncDirectory(entriesDir);
    const fileBytes = Buffer.byteLength(text);
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
    // Never reuse a sequence number, also when the highest entry was the last one removed.
    await this.writeSequenceMarker();
    this.pending.delete(sequence);
    this.entryBytes -= pending.fileBytes;
    if (this.byDetection.get(pending.entry.body.detection.detectionId) === sequence)
      this.byDetection.delete(pending.entry.body.detection.detectionId);
    for (const item of pending.entry.body.detection.evidence) {
      const ref = this.refs.get(item.digest);
      if (!ref) continue;
      ref.count--;
      if (ref.count > 0) continue;
      this.refs.delete(item.digest);
      this.blobBytes -= ref.size;
      // A refused entry keeps its blobs for the operator; a forwarded one's are at the node now.
      if (problem === undefined) {
        const removal = this.blobs.destroy(item.digest).catch(() => undefined);
        this.destroying.set(item.digest, removal);
        await removal;
        if (this.destroying.get(item.digest) === removal) this.destroying.delete(item.digest);
      }
      else this.orphans.set(item.digest, ref.size);
    }
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
    };
  }

  /** Size on disk of a file in the spool directory (for tests). */
  async fileSize(relative: string): Promise<number | undefined> {
    return (await stat(join(this.dir, relative)).catch(() => undefined))?.size;
  }
}
