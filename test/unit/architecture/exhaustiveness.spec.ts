/**
 * Exhaustiveness (docs/architecture.md, "Walkthroughs"): adding a case event or a case command fails
 * compilation at every place that must handle it. The TypeScript compiler API type-checks src/ as it is,
 * except that `CaseEventSchemas` gains a planted `CaseReopened` event and the `CaseCommand` union a planted
 * `ReopenCase` command, and the test asserts exactly which files then fail: each is a switch ending in
 * `assertNever`, a `satisfies Record<CaseEventType | CaseCommandType, …>` table, or an `everyOf` list.
 * The two sets of files are disjoint, so one program checks both walkthroughs (a full check takes tens of
 * seconds on a busy machine, hence the timeout).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Where a new case event must be handled; each fails compilation when one is added. */
const EVENT_PLACES = [
  'src/domain/bundle/format.ts', // CASE_RECORD_RULES: signed (signoff/purposes.ts), originals (case/originals.ts) or plain
  'src/domain/case/evolve.ts', // evolve: switch … assertNever
  'src/domain/case/status.ts', // CASE_STATUS_TRANSITIONS: the status it moves a case to, if any
  'src/projections/cases/case-view.ts', // the case view and the timeline summary: two switches … assertNever
  'src/projections/cases/citizen-view.ts', // the citizen view: switch … assertNever
  'src/projections/models/projection.ts', // READINGS handling table
  'src/projections/officers/projection.ts', // COUNTED handling table
  'src/projections/statistics/projection.ts', // COUNTED handling table
  'src/workers/process-manager/routes.ts', // ROUTES: the jobs it starts
];

/** Where a new case command must be handled. */
const COMMAND_PLACES = [
  'src/commands/cases.ts', // SIGNED: whether it is a signed officer command (not retried)
  'src/domain/case/authorization.ts', // CASE_COMMAND_AUTHORITY: who may issue it
  'src/domain/case/commands.ts', // CASE_COMMAND_TYPES: the decider refuses a type not listed
  'src/domain/case/decider.ts', // the handler map: one handler per command type
];

function plant(file: string, anchor: string, replacement: string): [string, string] {
  const path = resolve(root, file);
  const text = readFileSync(path, 'utf8');
  expect(text, `${file} still holds the text the test plants next to`).to.include(anchor);
  return [path, text.replace(anchor, replacement)];
}

/** Files of src/ with a diagnostic when type-checked with `overrides` (path → text) in place of the files. */
function failingFiles(overrides: Map<string, string>): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(resolve(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const srcDir = resolve(root, 'src');
  const rootNames = config.fileNames.filter((f) => resolve(f).startsWith(srcDir));
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => {
    const text = overrides.get(resolve(name));
    return text === undefined ? read(name, language, ...rest) : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram({ rootNames, options: config.options, host });
  const files = ts
    .getPreEmitDiagnostics(program)
    .map((d) => (d.file ? relative(root, d.file.fileName).split('\\').join('/') : '(global)'));
  return [...new Set(files)].sort();
}

describe('architecture: adding a case event or command fails compilation where it must be handled', function () {
  this.timeout(300_000);

  it('a planted CaseReopened event and ReopenCase command fail exactly the places that must handle them', () => {
    const overrides = new Map([
      plant(
        'src/domain/case/events.ts',
        '  CaseVoided: z.strictObject({ signoff: VoidSignoffSchema, ...signed }),\n',
        '  CaseVoided: z.strictObject({ signoff: VoidSignoffSchema, ...signed }),\n  CaseReopened: z.strictObject({}),\n',
      ),
      plant(
        'src/domain/case/commands.ts',
        "  | (CaseCommandBase & { type: 'VoidCase' } & SignedBy<VoidSignoff>);",
        "  | (CaseCommandBase & { type: 'VoidCase' } & SignedBy<VoidSignoff>)\n  | (CaseCommandBase & { type: 'ReopenCase' });",
      ),
    ]);
    expect(failingFiles(overrides)).to.deep.equal([...EVENT_PLACES, ...COMMAND_PLACES].sort());
  });
});
