/**
 * The demo on a node whose workers run (as `npm start` does): officers sign after the AI reading arrives, and
 * no motorbike is placed on an expressway.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.ts';
import { startNode, type RunningNode } from '../../../src/node/index.ts';
import { seedDemo, type DemoResult } from '../../../src/demo/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { scratchDatabase, type ScratchDatabase } from '../../support/env.ts';

describe('demo: seeded on a node with its workers running', function () {
  this.timeout(240_000);
  let db: ScratchDatabase;
  let dataDir: string;
  let node: RunningNode;
  let demo: DemoResult;
  const lines: string[] = [];

  before(async () => {
    db = await scratchDatabase('demo');
    dataDir = await mkdtemp(join(tmpdir(), 'tec-demo-'));
    const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
    node = await startNode({ config, print: () => undefined, checkpointIntervalMs: 100 });
    demo = await seedDemo(node, { cases: 9, print: (l) => lines.push(l), waitForReadings: { timeoutMs: 120_000 } });
  });
  after(async () => {
    await node?.stop();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('given the workers run, when the demo officers sign, then every reviewed case carried the AI reading before its review', async () => {
    const reviewed = new Set([...demo.decidedCaseIds, ...demo.rejectedCaseIds]);
    expect(reviewed.size).to.be.greaterThan(0);
    for (const caseId of demo.caseIds) {
      const records = (await node.store.readStream(streams.case(caseId))).map((s) => s.record);
      const types = records.map((r) => r.type);
      const review = types.findIndex((t) => t === 'ReviewConfirmed' || t === 'ReviewRejected');
      if (review < 0) continue;
      expect(types.indexOf('PlateRecognized'), `${caseId}: ${types.join(', ')}`).to.be.within(0, review - 1);
      const failed = records.filter((r) => r.type === 'ProcessingFailed').map((r) => r.data as { job: string; reasonCode: string });
      expect(failed, caseId).to.deep.equal([]);
    }
    expect(lines.join('\n')).not.to.match(/no (AI reading|owner lookup)/);
  });

  it('places no motorbike on an expressway', async () => {
    for (const caseId of demo.caseIds) {
      const [first] = await node.store.readStream(streams.case(caseId), { maxCount: 1 });
      const detection = (first!.record.data as { detection: { vehicleClass: string; location: { roadType: string } } }).detection;
      if (detection.location.roadType === 'expressway') expect(detection.vehicleClass, caseId).to.equal('car');
    }
  });
});
