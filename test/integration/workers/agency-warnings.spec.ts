/**
 * OwnerUnresponsive on schedule and the agency warnings it names, on real PostgreSQL and Redis (BullMQ): the
 * scheduled job records nothing while the 20 days run and records OwnerUnresponsive (as the procedure-schedule
 * service) once they end, by the time it is given; the agency-warning worker sends each warning through the port
 * (the local stand-in: no agency system exists here), retries a failing agency system, and records
 * AgencyWarningSent once per agency; a second run of the schedule records nothing. The schedule finds its
 * candidates in the case view (the `case-views` projection, running here on the same database), never in the
 * global feed: its store refuses `readAll`.
 */
import { expect } from 'chai';
import { StandInAgencyWarnings } from '../../../src/adapters/notify/stand-in-agency-warnings.ts';
import { recordUnresponsiveOwners } from '../../../src/commands/procedure-schedule.ts';
import type { CommandDeps } from '../../../src/commands/deps.ts';
import { caseViewsProjection } from '../../../src/projections/cases/projection.ts';
import { responseDueCases } from '../../../src/projections/cases/response-due.ts';
import { createReadModelDataSource } from '../../../src/projections/datasource.ts';
import { ProjectionRunner } from '../../../src/projections/runner.ts';
import type { DataSource } from 'typeorm';
import { streams } from '../../../src/domain/record.ts';
import { periodOfDays } from '../../../src/domain/case/periods.ts';
import { waitFor } from '../../support/env.ts';
import { agencyWarningsSent, noticedCase, startAgencyWarningPipeline, type AgencyWarningPipeline } from './support/agency-warnings.ts';
import { eventTypes, openPipelineWorld, type PipelineWorld } from './support/world.ts';

describe('OwnerUnresponsive on schedule and agency warnings sent (PostgreSQL, BullMQ)', function () {
  this.timeout(180_000);
  let world: PipelineWorld;
  let running: AgencyWarningPipeline;
  const agencies = new StandInAgencyWarnings();
  let readModels: DataSource;
  let projections: ProjectionRunner;
  /** The schedule's view of the store: the real one, except that reading the global feed fails the test. */
  let scheduleDeps: CommandDeps;
  let feedReads = 0;
  const runSchedule = () => recordUnresponsiveOwners(scheduleDeps, responseDueCases(readModels));
  const owner = { ref: 'own-agency-1', kind: 'individual' as const, name: 'Nguyễn Văn Bí Mật', address: '7 Ngõ Riêng Tư, Hà Nội', phone: '+84912000222' };

  before(async () => {
    world = await openPipelineWorld('wagency');
    readModels = createReadModelDataSource(world.db.url, { poolSize: 2 });
    await readModels.initialize();
    projections = new ProjectionRunner({ dataSource: readModels, store: world.store, projections: [caseViewsProjection], idleMs: 20 });
    await projections.start();
    const store = world.deps.store;
    scheduleDeps = {
      ...world.deps,
      store: new Proxy(store, {
        get(target, key, receiver) {
          if (key === 'readAll') return () => Promise.reject(new Error(`the schedule read the global feed (${++feedReads})`));
          const value = Reflect.get(target, key, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }),
    };
    running = await startAgencyWarningPipeline(world, { owner, registrationNumber: 'DK-01-777', agencyWarnings: agencies });
  });
  after(async () => {
    await running?.stop();
    await projections?.stop();
    await readModels?.destroy();
    await world?.close();
  });

  it('records OwnerUnresponsive only after the 20 days, then warns registration and inspection once each, through retries', async () => {
    const { caseId, noticeIssued } = await noticedCase(world, 1);
    const period = periodOfDays(noticeIssued.meta.recordedAt, 20);
    // The case view has the case waiting, with the period's end (the projection runs beside the test).
    await waitFor(
      async () => {
        const rows = (await readModels.query(`SELECT response_due_at FROM rm_case WHERE case_id = $1`, [caseId])) as { response_due_at: Date | null }[];
        return rows[0]?.response_due_at?.toISOString() === period.endsAt;
      },
      { what: 'the case view holding the response period', timeoutMs: 30_000 },
    );

    // The last instant of the period: nothing is recorded.
    world.clock.at = new Date(Date.parse(period.endsAt) - 1).toISOString();
    const early = await runSchedule();
    expect(early.recorded).to.deep.equal([]);
    expect(early.running).to.equal(1);
    expect(await eventTypes(world, caseId)).to.not.include('OwnerUnresponsive');

    // The agency system is down for the first two sends: the queue retries.
    agencies.failNext(2);
    world.clock.at = period.endsAt;
    const due = await runSchedule();
    expect(due.recorded).to.deep.equal([caseId]);
    const unresponsive = (await world.store.readStream(streams.case(caseId))).find((r) => r.record.type === 'OwnerUnresponsive')!.record;
    expect(unresponsive.meta.actor).to.deep.equal({ kind: 'service', id: 'procedure-schedule' });
    expect(unresponsive.data).to.deep.include({ periodEndsAt: period.endsAt, recordedAt: period.endsAt, warned: ['registration', 'inspection'] });

    const sent = await agencyWarningsSent(world, caseId);
    expect(sent.map((r) => (r.data as { agency: string }).agency).sort()).to.deep.equal(['inspection', 'registration']);
    expect(sent.every((r) => r.meta.actor.kind === 'service' && r.meta.actor.id === 'agency-warning-worker')).to.equal(true);
    const received = agencies.received.filter((w) => w.warning.caseId === caseId);
    expect(received.map((w) => w.warning.agency).sort()).to.deep.equal(['inspection', 'registration']);
    expect(received.map((w) => w.receipt).sort()).to.deep.equal(sent.map((r) => (r.data as { receipt: string }).receipt).sort());
    expect(received[0]!.warning).to.deep.include({ plate: '30A-123.45', ownerRef: owner.ref, periodEndsAt: period.endsAt });
    expect(agencies.attempts).to.be.at.least(4);

    // A later run of the schedule records nothing more; the owner's name and address never reach the log.
    world.clock.at = new Date(Date.parse(period.endsAt) + 86_400_000).toISOString();
    // Once the projection has seen OwnerUnresponsive, the case is no longer a candidate at all.
    await waitFor(
      async () => ((await readModels.query(`SELECT response_due_at FROM rm_case WHERE case_id = $1`, [caseId])) as { response_due_at: Date | null }[])[0]?.response_due_at === null,
      { what: 'the case view leaving the case', timeoutMs: 30_000 },
    );
    const later = await runSchedule();
    expect(later.recorded).to.deep.equal([]);
    expect(later.running).to.equal(0);
    expect(feedReads, 'global feed reads').to.equal(0);
    expect((await eventTypes(world, caseId)).filter((t) => t === 'OwnerUnresponsive')).to.have.length(1);
    for (const secret of [owner.name, owner.address, owner.phone]) expect(running.logs.text()).to.not.include(secret);
  });
});
