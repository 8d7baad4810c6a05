/**
 * Group commit of directory fsyncs for the evidence store (issue 15).
 *
 * A put links its blob into `<root>/sha256/<shard>/`; the blob's name is durable only once that shard
 * directory is fsynced (and, the first time the shard is seen, the blob root that names the shard). Under
 * concurrent puts each of them fsyncing its own directories costs two fsyncs per request; here puts that
 * finish linking while a batch is being synced wait for the next batch, which fsyncs each distinct directory
 * once for all of them. `sync` resolves only once a batch that started after the caller's link has completed,
 * so a put is acknowledged only once its name is durable; a failed fsync rejects every put of that batch.
 *
 * No timer: the first put of an idle store starts a batch at once (no added latency at low load); the batch
 * size grows by itself with the load (classic group commit).
 */
export type DirectoryFsync = (path: string) => Promise<void>;

interface Batch {
  shards: Set<string>;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class DirectorySyncGroup {
  private next: Batch | undefined;
  private flushing = false;
  /** Shards whose entry in the blob root is known durable (the root was fsynced after they existed). */
  private readonly durableShards = new Set<string>();
  /** Batches completed and directory fsyncs issued (tests and metrics). */
  batches = 0;
  fsyncs = 0;
  /** Callers waiting for their batch to be durable. */
  waiting = 0;

  constructor(
    private readonly blobRoot: string,
    private readonly fsyncDirectory: DirectoryFsync,
  ) {}

  /** Resolves once `shard` (a directory directly under the blob root, holding a new link) is durable. */
  sync(shard: string): Promise<void> {
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { shards: new Set(), done, resolve, reject };
    }
    this.next.shards.add(shard);
    const done = this.next.done;
    this.waiting++;
    if (!this.flushing) void this.flush();
    return done.finally(() => {
      this.waiting--;
    });
  }

  /** The shard directory was made again (it had been removed): its entry in the root is new, not yet durable. */
  forget(shard: string): void {
    this.durableShards.delete(shard);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.next) {
        const batch = this.next;
        this.next = undefined;
        try {
          const shards = [...batch.shards];
          await Promise.all(shards.map((shard) => this.fsync(shard)));
          // A shard directory made since the root was last fsynced: its entry in the root must be durable too.
          // The shard exists now (a link was made in it), so fsyncing the root after this point covers it.
          const fresh = shards.filter((shard) => !this.durableShards.has(shard));
          if (fresh.length > 0) {
            await this.fsync(this.blobRoot);
            for (const shard of fresh) this.durableShards.add(shard);
          }
          this.batches++;
          batch.resolve();
        } catch (error) {
          batch.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async fsync(path: string): Promise<void> {
    this.fsyncs++;
    await this.fsyncDirectory(path);
  }
}
