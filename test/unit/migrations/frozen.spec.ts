/**
 * Applied migrations are frozen: each carries its SQL literally and imports no project code, so editing live
 * code (a schema module, an entity) can never silently change what an already applied migration does.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { DEFAULT_MIGRATIONS_DIR } from '../../../src/adapters/postgres/migrate.ts';

/** Every module a source file loads: static imports and re-exports, `import()` and `require()`. */
function importedModules(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

describe('migrations are frozen', () => {
  const files = readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'));

  it('finds the migration files', () => {
    expect(files).to.include('1795478600000-read-models.ts');
  });

  it('recognises a relative import, a re-export and a dynamic import (the check itself can fail)', () => {
    const modules = importedModules(
      `import { A } from '../src/projections/schema.ts';\nexport * from './x.ts';\nconst m = await import('../src/y.ts');`,
    );
    expect(modules).to.deep.equal(['../src/projections/schema.ts', './x.ts', '../src/y.ts']);
  });

  for (const file of files) {
    it(`${file} imports packages only, nothing from src/ or any other project file`, () => {
      const relative = importedModules(readFileSync(join(DEFAULT_MIGRATIONS_DIR, file), 'utf8')).filter(
        (m) => m.startsWith('.') || m.startsWith('/') || m.startsWith('file:'),
      );
      expect(relative, `${file} imports project code`).to.deep.equal([]);
    });
  }
});
