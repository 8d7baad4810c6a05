/** One projection runner per node: leadership by a PostgreSQL advisory lock, handed over when the leader stops. */
import { expect } from 'chai';
import { createReadModelDataSource } from '../../../src/projections/datasource.ts';
import { ALL_PROJECTIONS } from '../../../src/projections/index.ts';
import { ProjectionRunner } from '../../../src/projections/runner.ts';
import { waitFor } from '../../support/env.ts';
import { generateCases } from './support/history.ts';
import { buildWorld, openNode, type Node } from './support/world.ts';

describe('projection leadership (PostgreSQL advisory lock)', function () {
  let node: Node;
  before(async () => {
    node = await openNode('rmleader');
  });
  after(async () => {
    await node?.close();
  });

  it('a second runner waits without blocking its caller, then takes over when the leader stops', async () => {
    const otherDataSource = createReadModelDataSource(node.db.url, { poolSize: 4 });
    await otherDataSource.initialize();
    const first = new ProjectionRunner({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS, idleMs: 10 });
    const second = new ProjectionRunner({ dataSource: otherDataSource, store: node.store, projections: ALL_PROJECTIONS, idleMs: 10 });
    try {
      await first.start({ leaderPollMs: 20 });
      await waitFor(() => first.isLeader, { what: 'first runner leads' });
      await second.start({ leaderPollMs: 20 }); // returns although it cannot lead yet
      expect(second.isLeader).to.equal(false);
      const world = await buildWorld(node.store);
      await generateCases(world, 2);
      await waitFor(async () => {
        const head = await node.store.headCheckpoint();
        return (await first.status()).every((s) => s.checkpoint === head);
      }, { what: 'leader projects', timeoutMs: 30_000 });
      expect(second.isLeader).to.equal(false);
      await first.stop();
      await waitFor(() => second.isLeader, { what: 'hand-over' });
      await generateCases(world, 1, 2);
      await waitFor(async () => {
        const head = await node.store.headCheckpoint();
        return (await second.status()).every((s) => s.checkpoint === head);
      }, { what: 'new leader projects', timeoutMs: 30_000 });
      expect((await node.dataSource.query(`SELECT count(*)::int AS n FROM rm_case`))[0].n).to.equal(3);
    } finally {
      await first.stop();
      await second.stop();
      await otherDataSource.destroy();
    }
  });
});
