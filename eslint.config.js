// Flat config: typescript-eslint's recommended rules over the TypeScript sources, plus the layer rule
// (docs/architecture.md): imports point inward only.
//
//   src/domain  ←  src/ports  ←  application  ←  src/adapters  ←  src/node, src/edge, src/cli, src/config.ts
//                                (commands, projections, workers, bundle-export, demo)
//
// A relative import that climbs (`../`, `../../`, …) into a top-level src folder of an outer layer is an
// error. No folder under src/ reuses a top-level folder's name, so the climb always ends in src/.
import tseslint from 'typescript-eslint';

/** A `no-restricted-imports` pattern for climbing into any of these top-level src entries. */
const into = (entries, message) => ({
  regex: `^(\\.\\./)+(${entries.map((e) => e.replace(/\./g, '\\.')).join('|')})(/|$)`,
  message,
});

const APPLICATION = ['commands', 'projections', 'workers', 'bundle-export', 'demo'];
const OUTER = ['node', 'edge', 'cli', 'config.ts'];

const layer = (files, forbidden, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [into(forbidden, message)] }] },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'web/dist/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // chai's property assertions (`expect(x).to.exist`) are expressions by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  // The layers (docs/architecture.md). Each block covers one layer's files; none overlaps another.
  layer(['src/domain/**/*.ts'], ['ports', ...APPLICATION, 'adapters', ...OUTER], 'src/domain is pure: it imports nothing outside src/domain.'),
  layer(['src/ports/**/*.ts'], [...APPLICATION, 'adapters', ...OUTER], 'src/ports may import src/domain only.'),
  layer(
    APPLICATION.map((f) => `src/${f}/**/*.ts`),
    ['adapters', ...OUTER],
    'The application depends on ports (src/ports), never on adapters or the composition root; src/node injects the implementations.',
  ),
  layer(['src/adapters/**/*.ts'], OUTER, 'Adapters never import the composition root (src/node), the CLI or the configuration.'),
  {
    files: ['web/**/*.ts', 'web/**/*.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+src/(?!domain/)', message: 'The web UI may import src/domain only (it runs in the browser).' }] },
      ],
    },
  },
);
