/**
 * The auditor's replay, the crash guarantee and poison events, on a real PostgreSQL event store with a
 * history written through the command path.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { v7 as uuidV7 } from 'uuid';
import { expected } from '../../../src/ports/eventstore.ts';
import { streams } from '../../../src/domain/record.ts';
import { ALL_PROJECTIONS, projectionByName } from '../../../src/projections/index.ts';
import { getCase } from '../../../src/projections/queries.ts';
import { replayProjections } from '../../../src/projections/replay.ts';
import { ProjectionRunner } from '../../../src/projections/runner.ts';
import { waitFor } from '../../support/env.ts';
import { generateCase, generateCases } from './support/history.ts';
import { buildWorld, openNode, settle, type Node, type World } from './support/world.ts';

const CHILD = fileURLToPath(new URL('./support/crash-child.ts', import.meta.url));

function runChild(url: string, crash?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CRASH_DATABASE_URL: url };
    delete env.TEC_PROJECTION_CRASH;
    if (crash) env.TEC_PROJECTION_CRASH = crash;
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code && code !== 0 ? reject(new Error(`child failed: ${stderr}`)) : resolve({ code, signal })));
  });
}

describe('replay, crash and poison (PostgreSQL)', function () {
  this.timeout(600_000);

  describe('tec replay: a rebuild from zero equals the live views', () => {
    let node: Node;
    let world: World;
    before(async () => {
      node = await openNode('rmreplay');
      world = await buildWorld(node.store);
    });
    after(async () => {
      await node?.close();
    });

    it('projects a few thousand command-path events live, then rebuilds every projection identically, and swaps', async () => {
      const live = new ProjectionRunner({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS, batchSize: 100, idleMs: 10 });
      await live.start();
      try {
        // Projections run while the history is written.
        await generateCases(world, 330);
      } finally {
        await waitFor(async () => !(await node.store.hasPendingRecords()), { what: 'feed visibility', timeoutMs: 30_000 });
        const head = await node.store.headCheckpoint();
        await waitFor(async () => (await live.status()).every((s) => s.checkpoint === head), { what: 'live runner at head', timeoutMs: 60_000 });
        await live.stop();
      }
      const [status] = await live.status();
      expect(Number(status!.eventsSeen)).to.be.greaterThan(2000);

      const reports = await replayProjections({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS, batchSize: 500 });
      expect(reports.map((r) => r.projection)).to.deep.equal(ALL_PROJECTIONS.map((p) => p.name));
      for (const r of reports) {
        expect(r.identical, `${r.projection}: ${JSON.stringify(r.tables)}`).to.equal(true);
        expect(r.eventsReplayed).to.equal(status!.eventsSeen);
        for (const t of r.tables) expect(t.liveRows, t.table).to.equal(t.replayRows);
      }
      const caseTables = reports.find((r) => r.projection === 'case-views')!.tables;
      expect(caseTables.find((t) => t.table === 'rm_case')!.liveRows).to.equal(330);

      // A tampered live row is found, then repaired by a swap.
      const [victim] = (await node.dataSource.query(`SELECT case_id FROM rm_case WHERE fine_vnd IS NOT NULL LIMIT 1`)) as { case_id: string }[];
      await node.dataSource.query(`UPDATE rm_case SET fine_vnd = fine_vnd + 1 WHERE case_id = $1`, [victim!.case_id]);
      const caseViews = [projectionByName('case-views')!];
      const [tampered] = await replayProjections({ dataSource: node.dataSource, store: node.store, projections: caseViews });
      expect(tampered!.identical).to.equal(false);
      const rmCase = tampered!.tables.find((t) => t.table === 'rm_case')!;
      expect(rmCase).to.include({ onlyInLive: 1, onlyInReplay: 1 });
      expect(rmCase.samples.map((s) => (s.row as { case_id: string }).case_id)).to.deep.equal([victim!.case_id, victim!.case_id]);
      const [swap] = await replayProjections({ dataSource: node.dataSource, store: node.store, projections: caseViews, swap: true });
      expect(swap!.swapped).to.equal(true);
      const [again] = await replayProjections({ dataSource: node.dataSource, store: node.store, projections: caseViews });
      expect(again!.identical).to.equal(true);
      // The swapped-in tables keep their indexes and the live runner resumes on them.
      const indexes = (await node.dataSource.query(`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'rm_case'`)) as { indexname: string }[];
      expect(indexes.map((i) => i.indexname)).to.include.members(['rm_case_pkey', 'rm_case_observed_idx', 'rm_case_status_idx']);
      await generateCase(world, 400);
      await settle(node, live);
      expect((await node.dataSource.query(`SELECT count(*)::int AS n FROM rm_case`))[0].n).to.equal(331);
      const leftovers = (await node.dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'replay_%'`)) as unknown[];
      expect(leftovers).to.deep.equal([]);
    });
  });

  describe('crash between a batch\'s writes and its commit', () => {
    let node: Node;
    before(async () => {
      node = await openNode('rmcrash');
      const world = await buildWorld(node.store);
      await generateCases(world, 40);
      await waitFor(async () => !(await node.store.hasPendingRecords()), { what: 'feed visibility' });
    });
    after(async () => {
      await node?.close();
    });

    it('after a SIGKILL inside the transaction and a restart, the views equal a clean rebuild', async () => {
      const crashed = await runChild(node.db.url, 'case-views:3');
      expect(crashed.signal).to.equal('SIGKILL');
      const runner = new ProjectionRunner({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS });
      const before = await runner.status();
      const caseViews = before.find((s) => s.name === 'case-views')!;
      // Two batches of 40 committed; the third's writes died with the process.
      expect(caseViews.eventsSeen).to.equal(80n);
      expect(caseViews.lagEvents).to.be.greaterThan(0);
      const caseRows = (await node.dataSource.query(`SELECT count(*)::int AS n FROM rm_case`))[0].n as number;
      const casesSeen = (await node.store.readAll({ maxCount: 80 })).filter((r) => r.record.type === 'ViolationDetected').length;
      expect(caseRows).to.equal(casesSeen);

      const restarted = await runChild(node.db.url);
      expect(restarted.signal).to.equal(null);
      const after = await runner.status();
      for (const s of after) expect(s, s.name).to.include({ state: 'running', lagEvents: 0 });
      const reports = await replayProjections({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS });
      for (const r of reports) expect(r.identical, `${r.projection}: ${JSON.stringify(r.tables)}`).to.equal(true);
    });
  });

  describe('a poison event', () => {
    let node: Node;
    before(async () => {
      node = await openNode('rmpoison');
    });
    after(async () => {
      await node?.close();
    });

    it('stops only the projections that handle it, at that event, with the error recorded and visible', async () => {
      const world = await buildWorld(node.store);
      const [good] = await generateCases(world, 1);
      // A record whose payload breaks its type's schema, written past the deciders (as a bug or tampering would).
      const poisonId = uuidV7();
      await node.store.append(
        streams.case(good!.caseId),
        [{ id: poisonId, type: 'PlateRecognized', data: { plate: 42 }, meta: { actor: { kind: 'service', id: 'x' }, province: '01', recordedAt: '2026-03-30T00:00:00.000Z' } }],
        expected.any,
      );
      const later = await generateCases(world, 2, 1);
      const runner = new ProjectionRunner({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS, batchSize: 1000 });
      await settle(node, runner);
      const status = await runner.status();
      const byName = new Map(status.map((s) => [s.name, s]));
      // Case projections that handle PlateRecognized stop at the poison record, after applying what came before.
      for (const name of ['case-views', 'case-timeline', 'citizen-lookup', 'model-performance']) {
        const s = byName.get(name)!;
        expect(s.state, name).to.equal('failed');
        expect(s.failingEventId, name).to.equal(poisonId);
        expect(s.error, name).to.match(/UnreadableRecordError/);
        expect(s.lagEvents, name).to.be.greaterThan(0);
      }
      expect((await getCase(node.dataSource, good!.caseId))?.caseId).to.equal(good!.caseId);
      expect(await getCase(node.dataSource, later[1]!.caseId)).to.equal(undefined);
      // The others never handle PlateRecognized and project everything, including the later cases.
      for (const name of ['statistics', 'cameras', 'officer-workload', 'custody-log']) {
        expect(byName.get(name), name).to.include({ state: 'running', lagEvents: 0, error: null });
      }
      const stats = (await node.dataSource.query(`SELECT sum(detections)::int AS n FROM rm_stats_daily`))[0].n as number;
      expect(stats).to.equal(3);
      // A failed projection stays stopped (never skips the record) until retried.
      await runner.catchUp();
      expect((await runner.status()).find((s) => s.name === 'case-views')!.failingEventId).to.equal(poisonId);
      await runner.retry('case-views');
      await runner.catchUp();
      expect((await runner.status()).find((s) => s.name === 'case-views')!.state).to.equal('failed');
    });
  });
});
