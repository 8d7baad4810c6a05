/**
 * `tec verify <bundle.zip> [--trusted-key <vkey or fingerprint>] [--json]`: verifies a court bundle offline
 * (bundle.md). Exit status 0 valid, 1 invalid (every failure listed), 2 unreadable input or a malformed
 * trusted key. Prints the log key's fingerprint so a person can compare it with one obtained out of band.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import {
  BundleReadError,
  checkTrustedKey,
  readBundleZip,
  verifyBundle,
  type BundleReport,
} from '../../domain/bundle/index.ts';

export function formatReport(file: string, report: BundleReport): string {
  const out: string[] = [];
  out.push(`${file}: ${report.valid ? 'VALID' : 'INVALID'}`);
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
    .action(async (file: string, opts: { trustedKey?: string; json?: boolean }) => {
      if (opts.trustedKey !== undefined) checkTrustedKey(opts.trustedKey);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (e) {
        throw new BundleReadError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const entries = await readBundleZip(bytes);
      const report = verifyBundle(
        entries,
        opts.trustedKey !== undefined ? { trustedKey: opts.trustedKey } : {},
      );
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(file, report));
      process.exitCode = report.valid ? 0 : 1;
    });
}
