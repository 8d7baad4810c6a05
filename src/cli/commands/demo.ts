/**
 * `tec demo --data-dir <dir> [--cases N] [--out <dir>]`: creates an embedded node in <dir>, seeds demo
 * cameras, officers and the approved model with fresh keys, ingests N signed synthetic detections through
 * the command path, has demo officers review and decide, waits until everything is sealed, and with --out
 * writes one bundle per decided case. Prints the log's verifier key on a line starting `verifier-key: `.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config.ts';
import { startNode } from '../../node/index.ts';
import { seedDemo } from '../../demo/index.ts';
import { createBundleExporter } from '../../bundle-export/index.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { streams } from '../../domain/record.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('create an embedded node with demo data (and bundles with --out)')
    .requiredOption('--data-dir <dir>', 'directory of the embedded node to create or extend')
    .option('--cases <n>', 'number of synthetic detections', '12')
    .option('--out <dir>', 'write one bundle per decided case here')
    .action(async (opts: { dataDir: string; cases: string; out?: string }) => {
      const cases = Number(opts.cases);
      if (!Number.isInteger(cases) || cases < 1 || cases > 10_000) throw new ValidationError('--cases must be an integer from 1 to 10000');
      const config = loadConfig({ ...process.env, PORT: '0' }, { dataDir: opts.dataDir });
      // The demo's own lines are its output; the node logs only warnings unless LOG_LEVEL says otherwise.
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
      const node = await startNode({ config, roles: ['sequencer', 'projector', 'worker'], logger });
      try {
        const result = await seedDemo(node, {
          cases,
          print: (line) => process.stdout.write(`${line}\n`),
          ...(node.pipeline ? { waitForReadings: { timeoutMs: 60_000 } } : {}),
        });
        const caseRecords = await Promise.all(result.caseIds.map((id) => node.store.readStream(streams.case(id))));
        const recordIds = caseRecords.flat().map((r) => r.record.id);
        const checkpoint = await node.ledger.waitUntilSealed(recordIds, 30_000);
        process.stdout.write(`sealed: tree size ${checkpoint.treeSize}\n`);
        if (opts.out) {
          mkdirSync(opts.out, { recursive: true });
          const exporter = createBundleExporter({ store: node.store, evidence: node.evidence, ledger: node.ledger, commandDeps: node.commandDeps });
          for (const caseId of result.decidedCaseIds) {
            const bundle = await exporter.exportCase({
              caseId,
              caller: { actor: { kind: 'system', id: 'tec-demo' }, province: '00' },
              purpose: 'demo bundle export',
              sealWaitMs: 30_000,
            });
            const file = join(opts.out, bundle.fileName);
            writeFileSync(file, bundle.bytes);
            process.stdout.write(`bundle: ${file}\n`);
          }
        }
      } finally {
        await node.stop();
      }
    });
}
