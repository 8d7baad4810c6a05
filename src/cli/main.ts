/**
 * `tec`: the command-line entry. Each subcommand lives in its own file under ./commands and exports
 * `register(program)`; this file only discovers and runs them, so adding a command touches one file.
 */
import { Command, CommanderError } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppError } from '../domain/shared/errors.ts';

export interface CommandModule {
  register(program: Command): void;
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('tec')
    .description('Traffic evidence center: cases, ledger, bundles')
    .showHelpAfterError()
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as CommandModule;
    mod.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof AppError) {
      console.error(`tec: ${error.message}`);
      if (process.env.TEC_DEBUG) console.error(error.cause ?? error);
      return error.category === 'validation' ? 2 : 1;
    }
    console.error(error);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || process.argv[1]?.endsWith('tec.js')) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
