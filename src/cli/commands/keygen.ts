/**
 * `tec keygen`: a new Ed25519 key for an officer, a camera or a node. The key file (mode 0600) holds the seed;
 * only the public key is ever registered. Officers import the file into the review UI, which keeps it
 * encrypted in the browser.
 */
import type { Command } from 'commander';
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { ValidationError } from '../../domain/shared/errors.ts';

export interface KeyFile {
  kind: 'tec-ed25519-key/v1';
  subject: string;
  seed: string;
  publicKey: string;
  keyId: string;
}

export function newKeyFile(subject: string, seed: Uint8Array = randomBytes(32)): KeyFile {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  const priv = createPrivateKey({ key: Buffer.concat([prefix, Buffer.from(seed)]), format: 'der', type: 'pkcs8' });
  const publicKey = Buffer.from(createPublicKey(priv).export({ format: 'der', type: 'spki' })).subarray(-32);
  return {
    kind: 'tec-ed25519-key/v1',
    subject,
    seed: Buffer.from(seed).toString('base64'),
    publicKey: publicKey.toString('base64'),
    keyId: createHash('sha256').update(publicKey).digest('hex').slice(0, 16),
  };
}

export function register(program: Command): void {
  program
    .command('keygen')
    .description('create an Ed25519 key file (0600) and print its public key and key id')
    .requiredOption('--sub <subject>', 'who the key belongs to (officer id, camera id)')
    .requiredOption('--out <file>', 'where to write the key file (refuses to overwrite)')
    .action((opts: { sub: string; out: string }) => {
      if (existsSync(opts.out)) throw new ValidationError(`${opts.out} exists; refusing to overwrite a key file`);
      const key = newKeyFile(opts.sub);
      writeFileSync(opts.out, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      process.stdout.write(`public-key: ${key.publicKey}\nkey-id: ${key.keyId}\n`);
    });
}
