/**
 * `npm test`: provisions throwaway PostgreSQL and Redis (unless TEST_DATABASE_URL and TEST_REDIS_URL are
 * given), runs the whole mocha suite against them, and tears them down whatever happens.
 * Extra arguments go to mocha: `npm test -- --grep ledger`.
 */
import { spawn } from 'node:child_process';
import { startTestServices, type TestServices } from './test-services.ts';
import { ensureChromium } from './browser.ts';

const DEFAULT_SPECS = ['test/unit/**/*.spec.ts', 'test/integration/**/*.spec.ts', 'test/e2e/**/*.spec.ts', 'test/browser/**/*.spec.ts'];

async function main(): Promise<number> {
  const env = { ...process.env };
  let services: TestServices | undefined;
  if (!env.TEST_DATABASE_URL || !env.TEST_REDIS_URL) {
    services = await startTestServices();
    env.TEST_DATABASE_URL = services.databaseUrl;
    env.TEST_REDIS_URL = services.redisUrl;
    process.stderr.write(`[test] PostgreSQL ${services.databaseUrl}, Redis ${services.redisUrl}\n`);
  }
  const chromium = ensureChromium();
  if (chromium) env.TEST_CHROMIUM = chromium;

  let child: ReturnType<typeof spawn> | undefined;
  const forward = (signal: NodeJS.Signals) => {
    child?.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const mocha = new URL('../node_modules/mocha/bin/mocha.js', import.meta.url).pathname;
    const args = process.argv.slice(2);
    // Without explicit spec files, the whole suite. (Specs are not in .mocharc so `npx mocha <file>` runs one file.)
    const hasSpec = args.some((a) => /\.spec\.ts$|^test\//.test(a));
    const specs = hasSpec ? [] : DEFAULT_SPECS;
    child = spawn(process.execPath, [mocha, ...specs, ...args], { stdio: 'inherit', env });
    return await new Promise<number>((resolve) => {
      child!.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await services?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
