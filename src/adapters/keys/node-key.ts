/**
 * The node's ledger signing key: an Ed25519 seed in a key file, the same `tec-ed25519-key/v1` JSON that
 * `tec keygen` writes, so an operator can create it ahead of time or let the node create it on first start.
 *
 * The file MUST NOT be readable or writable by group or others: a node refuses to start with such a file
 * (a leaked seed lets anyone sign checkpoints in this node's name). A new file is created with mode 0600
 * in a directory created with mode 0700, with `O_EXCL` so two starting processes cannot both write one.
 */
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateSeed, keyId, publicKeyFromSeed, verifierKey } from '../../domain/integrity/index.ts';
import { AppError } from '../../domain/shared/errors.ts';

export const NODE_KEY_KIND = 'tec-ed25519-key/v1';

/** The key file exists but cannot be used: wrong permissions, not a key file, or a seed that does not match. */
export class NodeKeyFileError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'node-key-file';
}

export interface NodeKey {
  /** 32-byte Ed25519 seed. Never log it. */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  /** integrity.md §4 key id (16 hex). */
  readonly keyId: string;
  readonly path: string;
  /** True when this call created the file. */
  readonly created: boolean;
}

interface KeyFileJson {
  kind: string;
  subject: string;
  seed: string;
  publicKey: string;
  keyId: string;
}

/**
 * Loads the key at `path`, or creates it (0600) when absent. Throws `NodeKeyFileError` when the file is
 * group/other accessible, malformed, or its stored public key does not belong to its seed.
 */
export async function loadOrCreateNodeKey(path: string, subject = 'ledger'): Promise<NodeKey> {
  try {
    return await loadNodeKey(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const seed = generateSeed();
  const publicKey = publicKeyFromSeed(seed);
  const body: KeyFileJson = {
    kind: NODE_KEY_KIND,
    subject,
    seed: Buffer.from(seed).toString('base64'),
    publicKey: Buffer.from(publicKey).toString('base64'),
    keyId: keyId(publicKey),
  };
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    // Another process created it between our read and our create: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadNodeKey(path);
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { seed, publicKey, keyId: body.keyId, path, created: true };
}

/** Loads an existing key file; ENOENT propagates as the fs error. */
export async function loadNodeKey(path: string): Promise<NodeKey> {
  const info = await stat(path);
  if (!info.isFile()) throw new NodeKeyFileError(`${path} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    throw new NodeKeyFileError(
      `key file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${path}`,
      { path },
    );
  }
  let parsed: Partial<KeyFileJson>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<KeyFileJson>;
  } catch {
    throw new NodeKeyFileError(`key file ${path} is not JSON`, { path });
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.kind !== NODE_KEY_KIND || typeof parsed.seed !== 'string') {
    throw new NodeKeyFileError(`key file ${path} is not a ${NODE_KEY_KIND} key file`, { path });
  }
  const seed = new Uint8Array(Buffer.from(parsed.seed, 'base64'));
  if (seed.length !== 32 || Buffer.from(seed).toString('base64') !== parsed.seed) {
    throw new NodeKeyFileError(`key file ${path} does not hold a base64 32-byte seed`, { path });
  }
  const publicKey = publicKeyFromSeed(seed);
  if (parsed.publicKey !== undefined && parsed.publicKey !== Buffer.from(publicKey).toString('base64')) {
    throw new NodeKeyFileError(`key file ${path}: publicKey does not belong to the seed`, { path });
  }
  return { seed, publicKey, keyId: keyId(publicKey), path, created: false };
}

/** The C2SP verifier key of this node's log (`<origin>+<hex id>+<base64>`). */
export function nodeVerifierKey(origin: string, key: Pick<NodeKey, 'publicKey'>): string {
  return verifierKey(origin, key.publicKey);
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
