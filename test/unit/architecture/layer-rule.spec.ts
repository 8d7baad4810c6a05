/**
 * The layer rule in eslint.config.js (docs/architecture.md): ESLint, run on planted source text, reports an
 * upward import in every layer and leaves an inward one alone. CI runs `npm run lint` over the real tree.
 */
import { expect } from 'chai';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('architecture: the eslint layer rule', function () {
  let eslint: ESLint;

  before(function () {
    eslint = new ESLint({ cwd: root });
  });

  /** Rule ids ESLint reports for `source` as if it were the file at `filePath` (which need not exist). */
  async function reported(filePath: string, source: string): Promise<(string | null)[]> {
    const [result] = await eslint.lintText(source, { filePath: `${root}${filePath}` });
    return result!.messages.map((m) => m.ruleId);
  }

  const planted = (specifier: string) => `import { x } from '${specifier}';\nexport const y = x;\n`;

  const upward: [file: string, specifier: string][] = [
    ['src/commands/planted.ts', '../adapters/eventstore/postgres/postgres-event-store.ts'],
    ['src/projections/cases/planted.ts', '../../adapters/postgres/pool.ts'],
    ['src/workers/notification/planted.ts', '../../node/index.ts'],
    ['src/bundle-export/planted.ts', '../cli/main.ts'],
    ['src/demo/planted.ts', '../config.ts'],
    ['src/ports/planted.ts', '../commands/deps.ts'],
    ['src/ports/planted.ts', '../adapters/ledger/store.ts'],
    ['src/domain/case/planted.ts', '../../ports/eventstore.ts'],
    ['src/domain/planted.ts', '../workers/pipeline.ts'],
    ['src/adapters/http/routes/planted.ts', '../../../node/index.ts'],
    ['web/src/lib/planted.ts', '../../../src/adapters/http/app.ts'],
  ];
  for (const [file, specifier] of upward) {
    it(`reports ${file} importing '${specifier}'`, async function () {
      expect(await reported(file, planted(specifier))).to.include('no-restricted-imports');
    });
  }

  it('also reports a re-export and a type-only import across a layer', async function () {
    expect(await reported('src/commands/planted.ts', `export { x } from '../adapters/http/metrics.ts';\n`)).to.include('no-restricted-imports');
    expect(await reported('src/commands/planted.ts', `import type { X } from '../node/index.ts';\nexport type Y = X;\n`)).to.include('no-restricted-imports');
  });

  const inward: [file: string, specifier: string][] = [
    ['src/commands/planted.ts', '../ports/eventstore.ts'],
    ['src/workers/queue/planted.ts', '../../commands/handler.ts'],
    ['src/ports/planted.ts', '../domain/record.ts'],
    ['src/domain/case/planted.ts', '../shared/errors.ts'],
    ['src/adapters/http/planted.ts', '../../commands/cases.ts'],
    ['src/node/planted.ts', '../adapters/http/app.ts'],
    ['web/src/lib/planted.ts', '../../../src/domain/integrity/canonical.ts'],
  ];
  for (const [file, specifier] of inward) {
    it(`allows ${file} importing '${specifier}'`, async function () {
      expect(await reported(file, planted(specifier))).to.not.include('no-restricted-imports');
    });
  }
});
