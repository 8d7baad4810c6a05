/**
 * `tec evidence encrypt [--verify]` and `tec evidence rotate-key [--resume]` (docs/data-protection.md).
 *
 * Configuration as for `tec ledger`: `--data-dir <dir>` for an embedded node, else `EVIDENCE_DIR`,
 * `EVIDENCE_KEK_FILE`. Both commands work blob by blob, each step atomic on disk, so they are safe to
 * interrupt and rerun. Exit status: 0 done (and, with `--verify`, every blob encrypted and intact), 1 a blob
 * is damaged or still plaintext after `--verify`, 2 unusable input.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { AppError } from '../../domain/shared/errors.ts';
import {
  EvidenceCorruptedError,
  EvidenceKeyUnavailableError,
  FileKeyEncryptionKeys,
  openConfiguredEvidenceStore,
  type FileSystemEvidenceStore,
} from '../../adapters/evidence/index.ts';

export class EvidenceCommandInputError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'evidence-command-input';
}

export interface EncryptReport {
  blobs: number;
  encrypted: number;
  alreadyEncrypted: number;
  damaged: string[];
  /** With `verify`: blobs still plaintext, and blobs whose re-read failed. */
  plaintext: number;
  verifyFailures: string[];
}

async function openForMaintenance(dataDir: string | undefined): Promise<FileSystemEvidenceStore> {
  const config = loadConfig(process.env, dataDir === undefined ? {} : { dataDir });
  if (!config.evidenceEncryption) throw new EvidenceCommandInputError('EVIDENCE_ENCRYPTION is off: nothing to encrypt with');
  try {
    return await openConfiguredEvidenceStore(config);
  } catch (error) {
    if (error instanceof EvidenceKeyUnavailableError) throw new EvidenceCommandInputError(error.message);
    throw error;
  }
}

/** Encrypts every plaintext blob in place (resumable); with `verify`, re-reads every blob and checks its digest. */
export async function encryptStore(
  store: FileSystemEvidenceStore,
  options: { verify?: boolean; onBlob?: (digest: string) => void } = {},
): Promise<EncryptReport> {
  const report: EncryptReport = { blobs: 0, encrypted: 0, alreadyEncrypted: 0, damaged: [], plaintext: 0, verifyFailures: [] };
  for await (const { digest } of store.list()) {
    report.blobs++;
    try {
      const outcome = await store.encryptInPlace(digest);
      if (outcome === 'encrypted') report.encrypted++;
      else report.alreadyEncrypted++;
    } catch (error) {
      if (!(error instanceof EvidenceCorruptedError)) throw error;
      report.damaged.push(digest); // never encrypt a damaged blob: leave it for `ledger verify` to name
    }
    options.onBlob?.(digest);
  }
  if (options.verify) {
    for await (const { digest } of store.list()) {
      if ((await store.isEncrypted(digest)) === false) report.plaintext++;
      const result = await store.verify(digest);
      if (!result.ok) report.verifyFailures.push(digest);
    }
  }
  return report;
}

/** Re-wraps every data key under the current KEK, then the store's key check. Resumable. */
export async function rewrapStore(store: FileSystemEvidenceStore, options: { onBlob?: (digest: string) => void } = {}): Promise<{ rewrapped: number; current: number; plain: number }> {
  const counts = { rewrapped: 0, current: 0, plain: 0 };
  for await (const { digest } of store.list()) {
    counts[await store.rewrap(digest)]++;
    options.onBlob?.(digest);
  }
  await store.writeMarker();
  return counts;
}

export function register(program: Command): void {
  const evidence = program.command('evidence').description('evidence at rest: encrypt a plaintext store, rotate the key-encryption key');
  evidence
    .command('encrypt')
    .description('encrypt every plaintext blob in place (resumable; exit 0 done, 1 damaged or left plaintext, 2 unusable input)')
    .option('--data-dir <dir>', 'an embedded node directory')
    .option('--verify', 're-read every blob afterwards and check its digest; fail if any is still plaintext')
    .action(async (opts: { dataDir?: string; verify?: boolean }) => {
      const store = await openForMaintenance(opts.dataDir);
      const report = await encryptStore(store, { verify: opts.verify === true });
      const out = process.stdout;
      out.write(`blobs ${report.blobs}, encrypted now ${report.encrypted}, already encrypted ${report.alreadyEncrypted}, damaged ${report.damaged.length}\n`);
      for (const digest of report.damaged) out.write(`DAMAGED ${digest} (left as it is; see tec ledger verify)\n`);
      if (opts.verify) {
        out.write(`verify: still plaintext ${report.plaintext}, failed re-read ${report.verifyFailures.length}\n`);
        for (const digest of report.verifyFailures) out.write(`FAILED ${digest}\n`);
      }
      const ok = report.damaged.length === 0 && (!opts.verify || (report.plaintext === 0 && report.verifyFailures.length === 0));
      out.write(ok ? 'OK\n' : 'FAILED\n');
      process.exitCode = ok ? 0 : 1;
    });
  evidence
    .command('rotate-key')
    .description('add a new key-encryption key and re-wrap every data key under it (headers only; resumable with --resume)')
    .option('--data-dir <dir>', 'an embedded node directory')
    .option('--resume', 'finish an interrupted rotation: re-wrap under the current key without adding another')
    .action(async (opts: { dataDir?: string; resume?: boolean }) => {
      const config = loadConfig(process.env, opts.dataDir === undefined ? {} : { dataDir: opts.dataDir });
      // Open (and so check the key file against the store) before changing the key file.
      await openForMaintenance(opts.dataDir);
      if (!opts.resume) process.stdout.write(`new current key-encryption key ${FileKeyEncryptionKeys.addCurrentKey(config.evidenceKekFile)}\n`);
      const store = await openForMaintenance(opts.dataDir);
      const counts = await rewrapStore(store);
      process.stdout.write(`re-wrapped ${counts.rewrapped}, already under the current key ${counts.current}, plaintext ${counts.plain}\nOK\n`);
    });
}
