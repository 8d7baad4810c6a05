/**
 * Throwaway PostgreSQL and Redis for the test suite and benchmarks, started from the system binaries on free
 * loopback ports and removed afterwards.
 *
 * - Binaries: `initdb`/`postgres` from PATH or /usr/lib/postgresql/<newest>/bin, `redis-server` from PATH.
 *   When missing and running as root, `postgresql` and `redis-server` are installed with apt-get.
 * - PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user (created by
 *   the Debian package) through spawn's uid/gid.
 * - Crash safety: each run writes a state file (its own pid, the servers' pids, the temp dir) under
 *   <tmp>/tec-test-services/. A later run reaps every state file whose owner is dead: it kills those servers
 *   and deletes their directories, so a crashed run never leaves a server that breaks the next one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

const STATE_DIR = join(tmpdir(), 'tec-test-services');

function log(message: string): void {
  process.stderr.write(`[test-services] ${message}\n`);
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const initdb = which('initdb');
  if (initdb) {
    // /usr/local/bin/initdb may be a link to the real directory; postgres must sit beside initdb.
    const real = execFileSync('readlink', ['-f', initdb], { encoding: 'utf8' }).trim();
    const dir = real.slice(0, real.lastIndexOf('/'));
    if (existsSync(join(dir, 'postgres'))) return dir;
  }
  return undefined;
}

function aptInstall(packages: string[]): void {
  if (!isRoot()) {
    throw new Error(
      `Missing ${packages.join(', ')} and not running as root: install them (apt-get install ${packages.join(' ')}) ` +
        'or set TEST_DATABASE_URL and TEST_REDIS_URL',
    );
  }
  log(`installing ${packages.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
}

/** Makes sure the binaries exist, installing them when needed. */
export function ensureBinaries(): { pgBin: string; redisServer: string } {
  let pgBin = findPostgresBin();
  let redisServer = which('redis-server');
  const missing: string[] = [];
  if (!pgBin) missing.push('postgresql');
  if (!redisServer) missing.push('redis-server');
  if (missing.length > 0) {
    aptInstall(missing);
    pgBin = findPostgresBin();
    redisServer = which('redis-server');
  }
  if (!pgBin) throw new Error('PostgreSQL binaries not found after installation');
  if (!redisServer) throw new Error('redis-server not found after installation');
  return { pgBin, redisServer };
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, child: ChildProcess, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} during start-up`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface StateFile {
  owner: number;
  pids: number[];
  dir: string;
}

/** Kills servers and removes directories left behind by runs that died without cleaning up. */
export function reapStale(): void {
  if (!existsSync(STATE_DIR)) return;
  for (const file of readdirSync(STATE_DIR)) {
    const path = join(STATE_DIR, file);
    let state: StateFile;
    try {
      state = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
    } catch {
      rmSync(path, { force: true });
      continue;
    }
    if (pidAlive(state.owner)) continue;
    for (const pid of state.pids) {
      if (pidAlive(pid)) {
        log(`reaping stale server pid ${pid} from dead run ${state.owner}`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    rmSync(state.dir, { recursive: true, force: true });
    rmSync(path, { force: true });
  }
}

export async function startTestServices(): Promise<TestServices> {
  reapStale();
  const { pgBin, redisServer } = ensureBinaries();
  mkdirSync(STATE_DIR, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'tec-test-'));
  const stateFile = join(STATE_DIR, `${process.pid}.json`);
  const state: StateFile = { owner: process.pid, pids: [], dir };
  const saveState = () => writeFileSync(stateFile, JSON.stringify(state));
  saveState();

  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGINT'); // PostgreSQL: fast shutdown; Redis: clean exit
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
    rmSync(stateFile, { force: true });
  };

  try {
    // PostgreSQL
    const pgData = join(dir, 'pg');
    const pgSocket = join(dir, 'sock');
    mkdirSync(pgData, { recursive: true });
    mkdirSync(pgSocket, { recursive: true });
    let ids: { uid: number; gid: number } | undefined;
    if (isRoot()) {
      ids = userIds('postgres');
      if (!ids) {
        execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
        ids = userIds('postgres');
      }
      if (!ids) throw new Error('cannot find or create the postgres system user');
      for (const d of [dir, pgData, pgSocket]) chownSync(d, ids.uid, ids.gid);
    }
    const asUser = ids ? { uid: ids.uid, gid: ids.gid } : {};
    execFileSync(join(pgBin, 'initdb'), ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      ...asUser,
    });
    const pgPort = await freePort();
    const postgres = spawn(
      join(pgBin, 'postgres'),
      [
        '-D', pgData, '-p', String(pgPort), '-k', pgSocket,
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'max_connections=300',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'shared_buffers=256MB',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], ...asUser },
    );
    let pgLog = '';
    postgres.stderr?.on('data', (chunk: Buffer) => {
      pgLog = (pgLog + chunk.toString()).slice(-4000);
    });
    children.push(postgres);
    state.pids.push(postgres.pid!);
    saveState();
    try {
      await waitUntil('PostgreSQL', async () => {
        if (!(await portAnswers(pgPort))) return false;
        try {
          execFileSync(join(pgBin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-q']);
          return true;
        } catch {
          return false;
        }
      }, postgres);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${pgLog}`);
    }

    // Redis: no persistence, loopback only.
    const redisPort = await freePort();
    const redis = spawn(
      redisServer,
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(redis);
    state.pids.push(redis.pid!);
    saveState();
    await waitUntil('Redis', () => portAnswers(redisPort), redis);

    return {
      databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
