/**
 * `npm run bench [-- name ...]`: runs bench/<name>.bench.ts files (all by default). Each exports `run()` and
 * prints its figures as ratios against a baseline measured in the same run. Benchmarks needing PostgreSQL or
 * Redis get throwaway servers from the test harness unless BENCH_DATABASE_URL / BENCH_REDIS_URL are set.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startTestServices, type TestServices } from '../scripts/test-services.ts';

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
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
    console.log(`\n=== ${file} ===`);
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
