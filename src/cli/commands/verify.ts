/**
 * `tec verify <bundle.zip> [--trusted-key <vkey or fingerprint>] [--json] [--max-evidence-bytes <n>]`:
 * verifies a court bundle offline (bundle.md). Exit status 0 valid, 1 invalid (every failure listed), 2
 * unreadable input (including an entry over its size cap, zip.ts) or a malformed trusted key. Entries that
 * no digest covers are printed as NOT VERIFIED. Prints the log key's fingerprint so a person can compare it with one obtained out of band.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import {
  BundleReadError,
  ENTRY_SIZE_LIMITS,
  checkTrustedKey,
  readBundleZip,
  verifyBundle,
  type BundleReport,
} from '../../domain/bundle/index.ts';
import { ValidationError } from '../../domain/shared/errors.ts';

export function formatReport(file: string, report: BundleReport): string {
  const out: string[] = [];
  out.push(`${file}: ${report.valid ? 'VALID' : 'INVALID'}`);
  for (const name of report.unverifiedEntries) {
    out.push(
      `  NOT VERIFIED: ${name} is covered by no digest in the manifest; its content is not part of the verified bundle, ignore what it says`,
    );
  }
  out.push(`  case:        ${report.caseId ?? '(unknown)'}`);
  out.push(
    `  ledger:      ${report.origin ?? '(unknown)'}, tree size ${report.treeSize ?? '?'}, checkpoint ${report.checkpointTime ?? '?'}`,
  );
  out.push(`  log key:     ${report.logKey ?? '(none)'}`);
  out.push(`  fingerprint: ${report.logKeyFingerprint ?? '(none)'}`);
  if (report.trustedKeyMatched === undefined) {
    out.push('  trusted key: not given — compare the fingerprint above with one obtained independently');
  } else {
    out.push(`  trusted key: ${report.trustedKeyMatched ? 'matches' : 'DOES NOT MATCH'}`);
  }
  for (const w of report.witnesses) {
    out.push(
      `  witness:     ${w.name} (${w.keyId}) cosigned at ${w.timestamp === undefined ? '?' : new Date(w.timestamp * 1000).toISOString()}`,
    );
  }
  out.push(
    `  contents:    ${report.counts.records} records in ${report.counts.streams} streams, ${report.counts.evidence} evidence files`,
  );
  out.push('');
  for (const check of report.checks) {
    out.push(`  ${check.status === 'pass' ? 'PASS' : 'FAIL'}  ${check.code}`);
    for (const f of check.failures) {
      const refs = [
        f.recordIds?.length ? `records: ${f.recordIds.join(', ')}` : '',
        f.digests?.length ? `digests: ${f.digests.join(', ')}` : '',
      ].filter(Boolean);
      out.push(`        - ${f.message}${refs.length ? ` [${refs.join('; ')}]` : ''}`);
    }
  }
  // Destroyed under a retention policy: its own finding, not a failure, never "missing" (docs/data-protection.md).
  for (const d of report.destroyed ?? []) out.push(`  DESTROYED  evidence ${d.digest}: ${d.message} [record ${d.recordId}; ${d.destroyedBy}]`);
  if (report.timeline) {
    out.push('');
    out.push('  case timeline:');
    for (const t of report.timeline)
      out.push(`    ${t.revision}  ${t.recordedAt}  ${t.type}  by ${t.actor.kind} ${t.actor.id}`);
  }
  return `${out.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('verify a court bundle offline: exit 0 valid, 1 invalid, 2 unreadable')
    .argument('<bundle>', 'the bundle archive (case-<caseId>.zip)')
    .option('--trusted-key <key>', "the log's verifier key or sha256 fingerprint, obtained independently")
    .option('--json', 'print the machine-readable report')
    .option(
      '--max-evidence-bytes <n>',
      `largest evidence entry accepted (default ${ENTRY_SIZE_LIMITS.evidence}, the node's MAX_EVIDENCE_BYTES default)`,
    )
    .action(async (file: string, opts: { trustedKey?: string; json?: boolean; maxEvidenceBytes?: string }) => {
      if (opts.trustedKey !== undefined) checkTrustedKey(opts.trustedKey);
      let maxEvidence: number | undefined;
      if (opts.maxEvidenceBytes !== undefined) {
        maxEvidence = Number(opts.maxEvidenceBytes);
        if (!/^[0-9]+$/.test(opts.maxEvidenceBytes) || !Number.isSafeInteger(maxEvidence) || maxEvidence <= 0)
          throw new ValidationError('--max-evidence-bytes must be a positive integer');
      }
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (e) {
        throw new BundleReadError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const entries = await readBundleZip(
        bytes,
        maxEvidence !== undefined ? { entryLimits: { evidence: maxEvidence } } : {},
      );
      const report = verifyBundle(
        entries,
        opts.trustedKey !== undefined ? { trustedKey: opts.trustedKey } : {},
      );
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(file, report));
      process.exitCode = report.valid ? 0 : 1;
    });
}
