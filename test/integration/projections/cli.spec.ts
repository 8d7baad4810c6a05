/** `tec replay` end to end: against configured PostgreSQL services, and against an embedded node's data directory. */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { startEmbeddedPostgres } from '../../../src/adapters/postgres/pglite-server.ts';
import { main } from '../../../src/cli/main.ts';
import { createReadModelDataSource } from '../../../src/projections/datasource.ts';
import { ALL_PROJECTIONS } from '../../../src/projections/index.ts';
import { ProjectionRunner } from '../../../src/projections/runner.ts';
import { generateCases } from './support/history.ts';
import { buildWorld, openNode, settle, type Node } from './support/world.ts';

async function runTec(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string }> {
  const saved = { ...process.env };
  const write = process.stdout.write.bind(process.stdout);
  let stdout = '';
  for (const k of ['EVENTSTORE_URL', 'DATABASE_URL', 'DATA_DIR']) delete process.env[k];
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  try {
    process.exitCode = undefined;
    const code = await main(args);
    return { code, stdout };
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe('tec replay', function () {
  this.timeout(300_000);

  describe('against configured services', () => {
    let node: Node;
    before(async () => {
      node = await openNode('rmcli');
      const world = await buildWorld(node.store);
      await generateCases(world, 8);
      const runner = new ProjectionRunner({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS });
      await settle(node, runner);
    });
    after(async () => {
      await node?.close();
    });

    it('reports every projection identical with exit status 0', async () => {
      const { code, stdout } = await runTec(['replay', 'all', '--no-progress'], { EVENTSTORE_URL: node.db.url, DATABASE_URL: node.db.url });
      expect(code).to.equal(0);
      for (const p of ALL_PROJECTIONS) expect(stdout).to.match(new RegExp(`^${p.name}: IDENTICAL`, 'm'));
      expect(stdout).to.match(/rm_case: 8 live rows, 8 rebuilt rows, 0 only live, 0 only rebuilt/);
    });

    it('prints the differing rows and exits 1 when a live row was altered; --swap repairs it', async () => {
      await node.dataSource.query(`UPDATE rm_citizen_violation SET status = 'forged' WHERE case_id = (SELECT case_id FROM rm_citizen_violation LIMIT 1)`);
      const diff = await runTec(['replay', 'citizen-lookup', '--no-progress'], { EVENTSTORE_URL: node.db.url, DATABASE_URL: node.db.url });
      expect(diff.code).to.equal(1);
      expect(diff.stdout).to.match(/citizen-lookup: DIFFERENT/);
      expect(diff.stdout).to.match(/- live {4}.*"status": ?"forged"/);
      const swap = await runTec(['replay', 'citizen-lookup', '--swap', '--no-progress'], { EVENTSTORE_URL: node.db.url, DATABASE_URL: node.db.url });
      expect(swap.code).to.equal(0);
      const again = await runTec(['replay', 'citizen-lookup', '--no-progress'], { EVENTSTORE_URL: node.db.url, DATABASE_URL: node.db.url });
      expect(again.stdout).to.match(/citizen-lookup: IDENTICAL/);
    });

    it('refuses an unknown projection with exit status 2', async () => {
      const { code } = await runTec(['replay', 'nope'], { EVENTSTORE_URL: node.db.url, DATABASE_URL: node.db.url });
      expect(code).to.equal(2);
    });
  });

  describe('against an embedded node (--data-dir)', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tec-replay-'));
      const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg') });
      try {
        await runMigrations(pg.url);
        const store = new PostgresEventStore({ databaseUrl: pg.url, poolSize: 4 });
        const dataSource = createReadModelDataSource(pg.url, { poolSize: 4 });
        await dataSource.initialize();
        const world = await buildWorld(store);
        await generateCases(world, 3);
        const runner = new ProjectionRunner({ dataSource, store, projections: ALL_PROJECTIONS, parallel: false });
        await runner.catchUp();
        await dataSource.destroy();
        await store.close();
      } finally {
        await pg.stop();
      }
    });
    after(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('rebuilds from the data directory and finds the views identical', async () => {
      const { code, stdout } = await runTec(['replay', 'all', '--data-dir', dir, '--no-progress'], {});
      expect(stdout).to.match(/^case-views: IDENTICAL/m);
      expect(stdout).to.match(/rm_case: 3 live rows, 3 rebuilt rows/);
      expect(code).to.equal(0);
    });
  });
});
