/**
 * A node secret (32 random bytes, base64 in a file): the citizen grant key and the payment gateway's callback
 * secret. Every API process of a node reads the same file (under the data directory, or a configured path), so
 * a grant one process issued verifies in another and the bank's callback verifies whichever process it reaches.
 *
 * Like the other node keys: created on first start with mode 0600 in a 0700 directory; a file that group or
 * others can access is refused. Creation is atomic (written to a temporary file, then hard-linked into place,
 * which fails if the name exists), so processes starting together end up with one secret, never a torn file.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NodeKeyFileError } from './node-key.ts';

export const SECRET_BYTES = 32;

export async function loadOrCreateSecretFile(path: string): Promise<Uint8Array> {
  try {
    return await loadSecretFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${randomBytes(SECRET_BYTES).toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path);
  } catch (error) {
    // Another process put its secret in place first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return loadSecretFile(path);
}

/** Reads an existing secret file; ENOENT propagates as the fs error. */
export async function loadSecretFile(path: string): Promise<Uint8Array> {
  const info = await stat(path);
  if (!info.isFile()) throw new NodeKeyFileError(`${path} is not a regular file`, { path });
  if ((info.mode & 0o077) !== 0) {
    throw new NodeKeyFileError(
      `secret file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${path}`,
      { path },
    );
  }
  const text = (await readFile(path, 'utf8')).trim();
  const secret = Buffer.from(text, 'base64');
  if (secret.length !== SECRET_BYTES || secret.toString('base64') !== text) {
    throw new NodeKeyFileError(`secret file ${path} does not hold a base64 ${SECRET_BYTES}-byte secret`, { path });
  }
  return new Uint8Array(secret);
}

/**
 * Reads a bearer token kept in a file (an agency's API token): mode 0600 like every secret file, one line of
 * visible ASCII (it goes into an HTTP header), at most 4096 characters. The token never appears in an error.
 */
export async function loadTokenFile(path: string): Promise<string> {
  const info = await stat(path);
  if (!info.isFile()) throw new NodeKeyFileError(`${path} is not a regular file`, { path });
  if ((info.mode & 0o077) !== 0) {
    throw new NodeKeyFileError(
      `token file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${path}`,
      { path },
    );
  }
  const token = (await readFile(path, 'utf8')).trim();
  if (!/^[\x21-\x7e]{1,4096}$/.test(token)) throw new NodeKeyFileError(`token file ${path} does not hold one line of visible ASCII`, { path });
  return token;
}
