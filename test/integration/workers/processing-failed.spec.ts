/**
 * A job that fails for good records why on its case (issue 10, item 8): the real media worker meets evidence
 * that is not an image (stored directly, as a pre-existing case or an old node would hold it), fails
 * permanently, and the case gets `ProcessingFailed` from the pipeline service, which the case screen's
 * document and the case view project as a flag. Run on both job ports (BullMQ on Redis, in-process).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { caseDocument } from '../../../src/adapters/http/routes/case-view.ts';
import { parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import { streams } from '../../../src/domain/record.ts';
import { applyCaseEvent, PROCESSING_FAILED_FLAG, type CaseViewRow } from '../../../src/projections/cases/case-view.ts';
import { loadCase } from '../../../src/workers/notification/case-state.ts';
import { startPipeline, type Pipeline } from '../../../src/node/pipeline.ts';
import { PIPELINE_SERVICE } from '../../../src/workers/pipeline.ts';
import { testRedisUrl, waitFor } from '../../support/env.ts';
import { capturedLogger } from '../../support/stand-ins.ts';
import { eventTypes, ingestPlainDetection, openPipelineWorld, type PipelineWorld } from './support/world.ts';

for (const kind of ['bullmq', 'in-process'] as const) {
  describe(`a job that fails for good is recorded on its case (${kind})`, function () {
    this.timeout(60_000);
    let world: PipelineWorld;
    let pipeline: Pipeline;
    const logs = capturedLogger();

    before(async () => {
      world = await openPipelineWorld(`pfail_${kind.replace('-', '_')}`);
      pipeline = await startPipeline({
        store: world.store,
        evidence: world.evidence,
        commandDeps: world.deps,
        databaseUrl: world.db.url,
        ...(kind === 'bullmq' ? { redisUrl: testRedisUrl(), queuePrefix: `t-${randomBytes(4).toString('hex')}` } : {}),
        logger: logs.logger,
        policies: { media: { attempts: 2, backoffMs: 20 } },
      });
    });

    after(async () => {
      await pipeline?.stop();
      await world?.close();
    });

    it('evidence that is not an image: the media job fails for good, the case records ProcessingFailed and shows the flag', async () => {
      expect(pipeline.jobs.kind).to.equal(kind);
      const { caseId } = await ingestPlainDetection(world, 1);
      await waitFor(async () => (await eventTypes(world, caseId)).includes('ProcessingFailed'), {
        timeoutMs: 30_000,
        what: 'the ProcessingFailed record',
      });
      const records = await world.store.readStream(streams.case(caseId));
      const failed = records.filter((r) => r.record.type === 'ProcessingFailed');
      expect(failed).to.have.length(1);
      expect(failed[0]!.record.meta.actor).to.deep.include({ kind: 'service', id: PIPELINE_SERVICE });
      const event = parseCaseEvent({ type: 'ProcessingFailed', data: failed[0]!.record.data }) as Extract<CaseEvent, { type: 'ProcessingFailed' }>;
      expect(event.data).to.deep.include({ job: 'media', reasonCode: 'media-image-unsupported', attempts: 1 });

      // The case screen's document (folded from the stream) carries it.
      const kase = await loadCase(world.store, caseId);
      if (kase.status === 'none') throw new Error('no case');
      const doc = caseDocument(kase, BigInt(kase.revision)) as { processingFailures: { job: string; reasonCode: string }[] };
      expect(doc.processingFailures.map((f) => [f.job, f.reasonCode])).to.deep.equal([['media', 'media-image-unsupported']]);

      // The case view projection shows it as a flag.
      let row: CaseViewRow | undefined;
      for (const r of records) {
        row = applyCaseEvent(row, parseCaseEvent({ type: r.record.type, data: r.record.data }), {
          eventId: r.record.id,
          revision: r.record.revision,
          recordedAt: r.record.meta.recordedAt,
          actorKind: r.record.meta.actor.kind,
          actorId: r.record.meta.actor.id,
          hash: r.hash,
        });
      }
      expect(row!.flags.map((f) => f.flag)).to.include(PROCESSING_FAILED_FLAG);

      // The reason is logged, without the case's personal data (the plate).
      await waitFor(() => logs.text().includes('media-image-unsupported'), { what: 'the failure log line' });
      expect(logs.text()).to.not.include('30A-123.45');
    });
  });
}
