/**
 * `tec verify <bundle.zip> [--trusted-key <vkey or fingerprint>] [--trusted-witness <vkey>]… [--json]
 * [--max-evidence-bytes <n>] [--regenerate]`:
 * verifies a court bundle offline (bundle.md). Exit status 0 valid, 1 invalid (every failure listed), 2
 * unreadable input (including an entry over its size cap, zip.ts) or a malformed trusted key. Entries that
 * no digest covers are printed as NOT VERIFIED. Each `--trusted-witness` key (a witness verifier key, type
 * 0x04, obtained out of band: the national node prints it as `witness-key:`) is checked against the
 * checkpoint's cosignature lines directly, whatever keys.json says, and the output names which trusted
 * witnesses verified. A bundle with no cosignature by a trusted witness still verifies and says so; a line
 * that claims a trusted witness's name and key id but does not verify under it makes the bundle INVALID. Prints the log key's fingerprint so a person can compare it with one obtained out of band.
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
import { nodePrimitives } from '../../domain/integrity/index.ts';
import {
  checkTrustedWitnessesWith,
  parseTrustedWitnessKey,
  type TrustedWitnessResult,
} from '../../domain/bundle/trusted-witness.ts';
import type { CaseDocument } from '../../domain/documents/types.ts';

/** What `--regenerate` found for one included document. */
export interface RegeneratedDocument {
  entry: string;
  /** identical: the input renders to the included PDF's bytes; differs: it renders to other bytes; unrenderable: it does not render. */
  status: 'identical' | 'differs' | 'unrenderable' | 'no-input';
}

/**
 * Renders each included document again from the input the bundle carries beside it (`documents/<kind>-<n>.json`,
 * docs/integrity.md "Bundle additions") with this program's renderer, and compares the bytes with the PDF. The
 * same template and renderer versions give the same bytes; the PDF's Keywords and Producer name them.
 */
export async function regenerateDocuments(entries: Map<string, Uint8Array>, report: BundleReport): Promise<RegeneratedDocument[]> {
  const out: RegeneratedDocument[] = [];
  if (report.documents.length === 0) return out;
  // Loaded only when asked: pdfkit and the fonts are heavy, and plain verification does not need them.
  const { PdfDocumentRenderer } = await import('../../adapters/documents/pdf.ts');
  const renderer = new PdfDocumentRenderer();
  for (const d of report.documents) {
    if (!d.input) {
      out.push({ entry: d.entry, status: 'no-input' });
      continue;
    }
    try {
      const input = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(entries.get(d.input))) as CaseDocument;
      const bytes = await renderer.render(input);
      out.push({ entry: d.entry, status: Buffer.from(bytes).equals(Buffer.from(entries.get(d.entry)!)) ? 'identical' : 'differs' });
    } catch {
      out.push({ entry: d.entry, status: 'unrenderable' });
    }
  }
  return out;
}

export function formatRegenerated(results: readonly RegeneratedDocument[]): string {
  const words = {
    identical: 'rendered again from its input: IDENTICAL bytes',
    differs: 'rendered again from its input: DIFFERENT bytes',
    unrenderable: 'its input does not render',
    'no-input': 'no input in the bundle to render it from (the PDF and its digest stand alone)',
  } as const;
  return results.map((r) => `  regenerate:  ${r.entry} ${words[r.status]}\n`).join('');
}

export type { TrustedWitnessResult };

/** Checks the bundle's checkpoint against each trusted witness key, independently of keys.json. */
export function checkTrustedWitnesses(entries: Map<string, Uint8Array>, trusted: readonly string[]): TrustedWitnessResult[] {
  return checkTrustedWitnessesWith(nodePrimitives, entries, trusted);
}

/** Validates a `--trusted-witness` key: a verifier key of type 0x04 (a cosignature key). */
export function checkTrustedWitnessKey(key: string): void {
  parseTrustedWitnessKey(nodePrimitives, key);
}

export function formatTrustedWitnesses(results: readonly TrustedWitnessResult[]): string {
  const out = results.map((r) =>
    r.status === 'verified'
      ? `  trusted witness: ${r.name} VERIFIED, cosigned at ${new Date(r.timestamp! * 1000).toISOString()}`
      : r.status === 'absent'
        ? `  trusted witness: ${r.name} has no cosignature in this bundle (the log's own signature is all it carries)`
        : `  trusted witness: ${r.name} INVALID: a cosignature claims this witness but does not verify under its key`,
  );
  if (results.length > 0 && results.every((r) => r.status === 'absent')) out.push('  no trusted witness verified this bundle');
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

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
  for (const d of report.documents ?? []) out.push(`  document:    ${d.entry} = ${d.digest} (DocumentIssued ${d.recordId})`);
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
  // Linked parts (docs/federation.md): the sending node's part of a received case, with its own checks.
  for (const f of report.linkFailures ?? []) out.push(`  FAIL  LINKED\n        - ${f.message}`);
  for (const part of report.linked ?? []) {
    out.push('');
    out.push(`  linked part ${part.path}: ${part.valid ? 'VALID' : 'INVALID'} (province ${part.province}, case ${part.caseId ?? '?'})`);
    out.push(`    ledger:      ${part.origin ?? '(unknown)'}, tree size ${part.treeSize ?? '?'}`);
    out.push(`    log key:     ${part.logKey ?? '(none)'}`);
    out.push(`    fingerprint: ${part.logKeyFingerprint ?? '(none)'}`);
    for (const w of part.witnesses)
      out.push(`    witness:     ${w.name} (${w.keyId}) cosigned at ${w.timestamp === undefined ? '?' : new Date(w.timestamp * 1000).toISOString()}`);
    for (const check of part.checks) {
      out.push(`    ${check.status === 'pass' ? 'PASS' : 'FAIL'}  ${check.code}`);
      for (const f of check.failures) out.push(`          - ${f.message}`);
    }
    out.push(`    ${part.link.status === 'pass' ? 'PASS' : 'FAIL'}  LINK (the CaseReceived of this case names this part's record, leaf and log)`);
    for (const f of part.link.failures) out.push(`          - ${f.message}`);
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
    .option('--trusted-witness <key>', 'a witness verifier key (type 0x04) obtained independently; repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print the machine-readable report')
    .option('--regenerate', 'render each included document again from the input the bundle carries and compare the bytes')
    .option(
      '--max-evidence-bytes <n>',
      `largest evidence entry accepted (default ${ENTRY_SIZE_LIMITS.evidence}, the node's MAX_EVIDENCE_BYTES default)`,
    )
    .action(async (file: string, opts: { trustedKey?: string; trustedWitness: string[]; json?: boolean; regenerate?: boolean; maxEvidenceBytes?: string }) => {
      if (opts.trustedKey !== undefined) checkTrustedKey(opts.trustedKey);
      for (const w of opts.trustedWitness) checkTrustedWitnessKey(w);
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
      const witnesses = checkTrustedWitnesses(entries, opts.trustedWitness);
      const regenerated = opts.regenerate ? await regenerateDocuments(entries, report) : undefined;
      const valid =
        report.valid &&
        witnesses.every((w) => w.status !== 'invalid') &&
        (regenerated ?? []).every((r) => r.status === 'identical' || r.status === 'no-input');
      process.stdout.write(
        opts.json
          ? `${JSON.stringify({ ...report, valid, trustedWitnesses: witnesses, ...(regenerated ? { regenerated } : {}) }, null, 2)}\n`
          : formatReport(file, report).replace(/^(\S+: )VALID/, valid ? '$1VALID' : '$1INVALID') +
              formatTrustedWitnesses(witnesses) +
              formatRegenerated(regenerated ?? []),
      );
      process.exitCode = valid ? 0 : 1;
    });
}
