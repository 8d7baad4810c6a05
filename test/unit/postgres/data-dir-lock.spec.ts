/**
 * The embedded data-directory lock (src/adapters/postgres/data-dir-lock.ts): a live holder blocks and is
 * named; the lock of a dead pid or of a reused pid is stale and broken; a holder on another host is never
 * broken; release removes only this process's own lock.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, acquireDataDirLock, lockFileFor } from '../../../src/adapters/postgres/data-dir-lock.ts';

describe('embedded data directory lock', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tec-lock-'));
    dir = join(root, 'pg');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const plant = (holder: Record<string, unknown>): void => writeFileSync(lockFileFor(dir), `${JSON.stringify(holder)}\n`);
  const deadPid = (): number => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(child.stdout);
  };

  it('is taken once: a second acquisition, even in the same process, fails naming the holder', () => {
    const lock = acquireDataDirLock(dir);
    expect(lock.lockFile).to.equal(join(root, 'pg.lock'));
    expect(JSON.parse(readFileSync(lock.lockFile, 'utf8'))).to.include({ pid: process.pid, host: hostname() });
    let error: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).holder?.pid).to.equal(process.pid);
    expect((error as DataDirLockedError).category).to.equal('conflict');
    lock.release();
    expect(existsSync(lock.lockFile)).to.equal(false);
    acquireDataDirLock(dir).release();
  });

  it('breaks the stale lock of a process that is gone', () => {
    plant({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00.000Z' });
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lock.lockFile, 'utf8')).pid).to.equal(process.pid);
    lock.release();
  });

  it('breaks a lock whose pid now belongs to another process (start time differs)', function () {
    if (!existsSync('/proc/self/stat')) this.skip();
    plant({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z', startTicks: '1' });
    acquireDataDirLock(dir).release();
  });

  it('never breaks a holder on another host (it cannot be checked from here)', () => {
    plant({ pid: deadPid(), host: `${hostname()}-elsewhere`, since: '2026-01-01T00:00:00.000Z' });
    expect(() => acquireDataDirLock(dir)).to.throw(DataDirLockedError);
    expect(existsSync(lockFileFor(dir))).to.equal(true);
  });

  it('release leaves a lock that is no longer its own', () => {
    const lock = acquireDataDirLock(dir);
    plant({ pid: 1, host: hostname(), since: '2026-01-01T00:00:00.000Z' });
    lock.release();
    expect(existsSync(lock.lockFile)).to.equal(true);
  });
});
