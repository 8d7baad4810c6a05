/**
 * One process per embedded data directory. PGlite keeps the whole database in the memory of the process
 * that opened it and writes it back to its directory; two processes on one directory each acknowledge
 * writes the other then overwrites (issue 10: records vanished, two checkpoints were signed for one tree
 * size). `startEmbeddedPostgres` therefore holds this lock for as long as PGlite has the directory open.
 *
 * The lock is a file beside the PGlite directory (`<DATA_DIR>/pg.lock`) holding the holder's pid, host,
 * start time and, on Linux, the kernel's start time of that pid (so a reused pid is not mistaken for the
 * holder). It is created atomically with its full content: the content is written to a private temporary
 * file that is then hard-linked to the lock's name (`link` fails with EEXIST if the lock exists; a reader
 * never sees a half-written lock).
 *
 * - A live holder blocks: `acquireDataDirLock` throws `DataDirLockedError` (category `conflict`) naming the
 *   holder's pid and host. It never waits.
 * - A stale lock (its pid is gone or is a zombie on this host, or the pid was reused by another process) does
 *   not block: it is removed and the lock taken. Breaking is serialised by a second exclusive file
 *   (`pg.lock.break`), and the breaker removes the lock only if it still holds the exact dead holder it read,
 *   so two processes breaking one stale lock cannot both end up holding it.
 * - A holder on another host (a directory on a network filesystem) cannot be checked and is treated as live;
 *   the message says to remove the file once that process is known to be gone.
 * - The holder removes the lock on `release()`, and on any normal process exit. SIGKILL leaves it behind,
 *   stale, for the next start to break.
 */
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../domain/shared/errors.ts';

export interface LockHolder {
  pid: number;
  host: string;
  /** RFC 3339 UTC: when the holder took the lock. */
  since: string;
  /** Linux: field 22 of /proc/<pid>/stat (start time in clock ticks since boot); tells a reused pid apart. */
  startTicks?: string;
}

/** The directory is open in another live process. */
export class DataDirLockedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'data-dir-locked';
  constructor(
    readonly directory: string,
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `data directory ${directory} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}). ` +
            `Only one process may open an embedded node's directory: stop process ${holder.pid} first, or use the running node's HTTP API` +
            (holder.host === hostname() ? '' : `; if that process is gone, remove ${lockFile}`)
        : `data directory ${directory} is locked (${lockFile} is being written or cannot be read); try again`,
      { directory, ...(holder ? { holderPid: holder.pid, holderHost: holder.host } : {}) },
    );
  }
}

export interface DataDirLock {
  readonly lockFile: string;
  readonly holder: LockHolder;
  /** Removes the lock if it is still this process's. Idempotent. */
  release(): void;
}

/** The lock file guarding `dir`: `<parent>/<name>.lock`, e.g. `<DATA_DIR>/pg.lock` for `<DATA_DIR>/pg`. */
export function lockFileFor(dir: string): string {
  const absolute = resolve(dir);
  return join(dirname(absolute), `${basename(absolute)}.lock`);
}

/** A lock file whose content cannot be parsed is left alone this long (a writer without hard links). */
const UNREADABLE_GRACE_MS = 10_000;
const BREAK_ATTEMPTS = 40;
const BREAK_WAIT_MS = 50;

/** Takes the lock on `dir` (created if missing) or throws `DataDirLockedError` naming the live holder. */
export function acquireDataDirLock(dir: string): DataDirLock {
  const directory = resolve(dir);
  const lockFile = lockFileFor(directory);
  mkdirSync(dirname(lockFile), { recursive: true });
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...optional('startTicks', procStat(process.pid)?.startTicks),
  };
  const text = `${JSON.stringify(holder)}\n`;
  for (let attempt = 0; attempt < BREAK_ATTEMPTS; attempt++) {
    if (createExclusive(lockFile, text)) return held(lockFile, holder, text);
    const seen = readText(lockFile);
    if (seen === undefined) continue; // released between our attempt and our read
    const other = parseHolder(seen);
    if (!other) {
      if (ageMs(lockFile) < UNREADABLE_GRACE_MS) throw new DataDirLockedError(directory, lockFile, undefined);
    } else if (isLive(other)) {
      throw new DataDirLockedError(directory, lockFile, other);
    }
    if (!breakStale(lockFile, seen, text)) sleepSync(BREAK_WAIT_MS);
  }
  throw new DataDirLockedError(directory, lockFile, parseHolder(readText(lockFile) ?? ''));
}

function held(lockFile: string, holder: LockHolder, text: string): DataDirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readText(lockFile) === text) unlinkQuietly(lockFile);
  };
  process.on('exit', release);
  return { lockFile, holder, release };
}

/** Creates `path` with `text` only if it does not exist; false if it does. */
function createExclusive(path: string, text: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, text, { flag: 'wx', mode: 0o644 });
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if (code(error) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code(error) ?? '')) throw error;
    // No hard links on this filesystem: exclusive create (a reader may briefly see it empty).
    try {
      writeFileSync(path, text, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (inner) {
      if (code(inner) === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    unlinkQuietly(temporary);
  }
}

/**
 * Removes the stale lock whose content was `seen`, under the break lock. Returns false when another process
 * is breaking it (the caller waits and retries).
 */
function breakStale(lockFile: string, seen: string, text: string): boolean {
  const breakFile = `${lockFile}.break`;
  if (!createExclusive(breakFile, text)) {
    const breaker = parseHolder(readText(breakFile) ?? '');
    // A breaker that died inside this tiny section leaves its file: remove it if its holder is gone.
    if (breaker ? !isLive(breaker) : ageMs(breakFile) > UNREADABLE_GRACE_MS) unlinkQuietly(breakFile);
    return false;
  }
  try {
    if (readText(lockFile) === seen) unlinkQuietly(lockFile);
  } finally {
    unlinkQuietly(breakFile);
  }
  return true;
}

function isLive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // cannot be checked from here
  if (!Number.isSafeInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if (code(error) !== 'EPERM') return false; // ESRCH: no such process
  }
  const stat = procStat(holder.pid);
  if (!stat) return true; // no /proc: the pid exists, assume it is the holder
  if (stat.state === 'Z' || stat.state === 'X') return false; // killed, not yet reaped
  return holder.startTicks === undefined || holder.startTicks === stat.startTicks;
}

function procStat(pid: number): { state: string; startTicks: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTicks = fields[19];
    return state && startTicks ? { state, startTicks } : undefined;
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.since !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      since: value.since,
      ...optional('startTicks', typeof value.startTicks === 'string' ? value.startTicks : undefined),
    };
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (code(error) !== 'ENOENT') throw error;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
