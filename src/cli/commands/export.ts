/**
 * `tec export --case <id> --out <file> [--data-dir <dir>] [--purpose <text>]`: writes the court bundle of one
 * case (bundle.md v1), exactly as `GET /v1/cases/{id}/bundle` does: through the node's one exporter
 * (`node.bundles`, src/node/bundles.ts), so it carries the issued documents and the inputs they were rendered
 * from. The export is itself a custody event (actor `system`, id `tec-cli:<os user>`), sealed into the bundle
 * it produces. The bundle is verified against the
 * node's own key before it is written; a bundle that does not verify is never written.
 *
 * Works against the configured services (environment variables, see src/config.ts) or an embedded node's
 * directory (`--data-dir`; refused, naming the holder pid, while a running node has it open: use that node's
 * `GET /v1/cases/{id}/bundle` instead). The sequencer role runs in this process so
 * the custody record gets sealed even on an embedded node; against shared services it waits for the leader.
 *
 * Exit status: 0 written; 1 not exported (no such case, not sealed in time, integrity alarm, directory held by a
 * running node); 2 bad arguments.
 */
import type { Command } from 'commander';
import { writeFile, rename } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { loadConfig } from '../../config.ts';
import { StreamNotFoundError } from '../../ports/eventstore.ts';
import { isLowercaseUuid } from '../../domain/ids.ts';
import { streams } from '../../domain/record.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { CaseNotFoundForExportError } from '../../bundle-export/errors.ts';

const PURPOSE = /^[^\p{Cc}]{3,200}$/u;

function cliActorId(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no user database entry (containers): keep "unknown"
  }
  return `tec-cli:${name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'unknown'}`;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write the court bundle of one case (exit 0 written, 1 not exported, 2 bad arguments)')
    .requiredOption('--case <caseId>', 'the case id (lowercase UUID)')
    .requiredOption('--out <file>', 'where to write case-<caseId>.zip')
    .option('--data-dir <dir>', 'an embedded node directory')
    .option(
      '--purpose <text>',
      'why the bundle is exported (recorded in the custody log)',
      'court bundle export (tec export)',
    )
    .option('--wait <ms>', 'how long to wait for the records to be sealed', '10000')
    .action(async (opts: { case: string; out: string; dataDir?: string; purpose: string; wait: string }) => {
      if (!isLowercaseUuid(opts.case)) throw new ValidationError('--case must be a lowercase UUID');
      if (!PURPOSE.test(opts.purpose))
        throw new ValidationError('--purpose must be 3–200 characters without control characters');
      const sealWaitMs = Number(opts.wait);
      if (!Number.isSafeInteger(sealWaitMs) || sealWaitMs < 0 || sealWaitMs > 600_000)
        throw new ValidationError('--wait must be milliseconds (0–600000)');

      const { startNode } = await import('../../node/index.ts');
      const config = loadConfig(process.env, opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {});
      const node = await startNode({
        config,
        roles: ['sequencer'],
        print: (line) => process.stderr.write(`${line}\n`),
      });
      try {
        let province: string;
        try {
          const [first] = await node.store.readStream(streams.case(opts.case), { maxCount: 1 });
          if (!first) throw new CaseNotFoundForExportError(opts.case);
          province = first.record.meta.province;
        } catch (error) {
          if (error instanceof StreamNotFoundError) throw new CaseNotFoundForExportError(opts.case);
          throw error;
        }
        // The node's own exporter, the one `GET /v1/cases/{id}/bundle` uses: documents and their inputs included.
        const bundle = await node.bundles.exportCase({
          caseId: opts.case,
          caller: { actor: { kind: 'system', id: cliActorId() }, province },
          purpose: opts.purpose,
          sealWaitMs,
        });
        // Write beside the target, then rename: a reader never sees half a bundle.
        const partial = `${opts.out}.partial`;
        await writeFile(partial, bundle.bytes, { mode: 0o640 });
        await rename(partial, opts.out);
        process.stdout.write(
          `${bundle.fileName}: ${bundle.report.counts.records} records in ${bundle.report.counts.streams} streams, ` +
            `${bundle.report.counts.evidence} evidence files, tree size ${bundle.treeSize}\n` +
            `verifier-key: ${node.ledger.verifierKey()}\nwritten: ${opts.out}\n`,
        );
      } finally {
        await node.stop();
      }
    });
}
