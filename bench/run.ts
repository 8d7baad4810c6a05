/**
 * `npm run bench [-- [--json] [--quick] name ...]`: runs bench/<name>.bench.ts files (all by default). Each
 * exports `run()` and prints its figures as ratios against a baseline measured in the same run, with the load
 * average beside each. `--json` adds one JSON line per figure (bench/report.ts); `--quick` is a CI smoke run
 * with small counts and short durations. Benchmarks needing PostgreSQL or
 * Redis get throwaway servers from the test harness unless BENCH_DATABASE_URL / BENCH_REDIS_URL are set.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startTestServices, type TestServices } from '../scripts/test-services.ts';

const dir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
for (const flag of flags) {
  if (flag !== '--json' && flag !== '--quick') {
    console.error(`unknown flag ${flag} (expected --json, --quick)`);
    process.exit(2);
  }
}
// Set before any bench module is imported (bench/report.ts reads them at load), and inherited by child processes.
if (flags.has('--json')) process.env.BENCH_JSON = '1';
if (flags.has('--quick')) process.env.BENCH_QUICK = '1';
const wanted = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();

let services: TestServices | undefined;
if (!process.env.BENCH_DATABASE_URL || !process.env.BENCH_REDIS_URL) {
  services = await startTestServices();
  process.env.BENCH_DATABASE_URL ??= services.databaseUrl;
  process.env.BENCH_REDIS_URL ??= services.redisUrl;
}
process.env.TEST_DATABASE_URL ??= process.env.BENCH_DATABASE_URL;
process.env.TEST_REDIS_URL ??= process.env.BENCH_REDIS_URL;

let failed = false;
try {
  for (const file of files) {
    console.log(`\n=== ${file} === (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
    try {
      const mod = (await import(pathToFileURL(join(dir, file)).href)) as { run: () => Promise<void> };
      await mod.run();
    } catch (error) {
      failed = true;
      console.error(`${file} failed:`, error);
    }
  }
} finally {
  await services?.stop();
}
process.exit(failed ? 1 : 0);
