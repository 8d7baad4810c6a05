/**
 * Agency warnings through the real HTTP adapter, with the real worker (BullMQ on real Redis, PostgreSQL event
 * store): OwnerUnresponsive routes a job to the `agency-warning` queue; the worker POSTs each warning to the
 * agency's endpoint on the local stand-in server (no agency system exists here), bearer-authenticated and
 * HMAC-signed. Each agency gets the warning once even when the server fails the first attempt, and once when it
 * accepted a warning but its answer was lost; the recorded receipts are the server's; the request bodies hold
 * only the documented fields and no name, address or phone; the log holds neither personal data nor secrets.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AGENCY_WARNING_FIELDS } from '../../../src/adapters/notify/agency-warning-contract.ts';
import { HttpAgencyWarnings } from '../../../src/adapters/notify/http-agency-warnings.ts';
import { startAgencyWarningServer, type AgencyWarningServer } from '../../../src/adapters/stand-ins/agency-warning-server.ts';
import { recordUnresponsiveOwners } from '../../../src/commands/procedure-schedule.ts';
import { periodOfDays } from '../../../src/domain/case/periods.ts';
import { agencyWarningsSent, noticedCase, startAgencyWarningPipeline, type AgencyWarningPipeline } from './support/agency-warnings.ts';
import { openPipelineWorld, type PipelineWorld } from './support/world.ts';

describe('agency warnings over HTTP: the worker (BullMQ) through the HTTP adapter to the stand-in agency server', function () {
  this.timeout(180_000);
  let world: PipelineWorld;
  let agencies: AgencyWarningServer;
  let running: AgencyWarningPipeline;
  let startedAt: string;
  const token = `tok-${randomBytes(16).toString('hex')}`;
  const secret = new Uint8Array(randomBytes(32));
  const owner = { ref: 'own-agency-http-1', kind: 'individual' as const, name: 'Trần Thị Kín Đáo', address: '9 Hẻm Riêng, Đà Nẵng', phone: '+84912000333' };

  before(async () => {
    world = await openPipelineWorld('wagencyhttp');
    agencies = await startAgencyWarningServer({ token, secret });
    startedAt = world.clock.at;
    running = await startAgencyWarningPipeline(world, {
      owner,
      registrationNumber: 'DK-01-778',
      agencyWarnings: new HttpAgencyWarnings({ endpoints: agencies.endpoints, token, secret, timeoutMs: 5_000 }),
    });
  });
  after(async () => {
    await running?.stop();
    await agencies?.close();
    await world?.close();
  });

  /** This spec is about delivery, not the candidate search (agency-warnings.spec.ts runs that on the read model). */
  const onlyCase = (caseId: string) => ({ dueBy: () => Promise.resolve([caseId]), runningAfter: () => Promise.resolve(0) });

  /** A noticed case whose 20 days ended: `OwnerUnresponsive` recorded at the period's end. */
  async function unresponsiveCase(n: number): Promise<string> {
    world.clock.at = startedAt;
    const { caseId, noticeIssued } = await noticedCase(world, n);
    world.clock.at = periodOfDays(noticeIssued.meta.recordedAt, 20).endsAt;
    expect((await recordUnresponsiveOwners(world.deps, onlyCase(caseId))).recorded).to.include(caseId);
    return caseId;
  }

  async function sentEvents(caseId: string): Promise<{ agency: string; receipt: string; warningId: string }[]> {
    return (await agencyWarningsSent(world, caseId)).map((r) => r.data as { agency: string; receipt: string; warningId: string });
  }

  function expectOneDeliveryPerAgency(caseId: string, sent: { agency: string; receipt: string; warningId: string }[]): void {
    const delivered = agencies.deliveries.filter((d) => d.body.caseId === caseId);
    expect(delivered.map((d) => d.agency).sort()).to.deep.equal(['inspection', 'registration']);
    expect(sent.map((s) => s.agency).sort()).to.deep.equal(['inspection', 'registration']);
    for (const s of sent) {
      const d = delivered.find((x) => x.agency === s.agency)!;
      expect(d.receipt).to.equal(s.receipt);
      expect(d.idempotencyKey).to.equal(s.warningId);
    }
  }

  it('delivers each warning once when the agency server fails the first attempt (503), and records its receipts', async () => {
    agencies.failNext(1);
    const before = agencies.attempts;
    const caseId = await unresponsiveCase(1);
    const sent = await sentEvents(caseId);
    expectOneDeliveryPerAgency(caseId, sent);
    // The refused first request, then one per agency.
    expect(agencies.attempts - before).to.equal(3);
    expect(agencies.unauthorised).to.equal(0);
    expect(agencies.deliveries.find((d) => d.body.caseId === caseId)!.body).to.deep.include({ plate: '30A-123.45', ownerRef: owner.ref, vehicleClass: 'car' });
  });

  it('delivers once when the server accepted the warning but its answer was lost: the resend is answered as a duplicate', async () => {
    agencies.failNext(1, 503, { afterAccepting: true });
    const before = agencies.attempts;
    const caseId = await unresponsiveCase(2);
    const sent = await sentEvents(caseId);
    expectOneDeliveryPerAgency(caseId, sent);
    // Registration accepted + answer lost, registration again (duplicate), inspection.
    expect(agencies.attempts - before).to.equal(3);
    // The schedule run again later records nothing and sends nothing.
    const attempts = agencies.attempts;
    world.clock.at = new Date(Date.parse(world.clock.at) + 86_400_000).toISOString();
    expect((await recordUnresponsiveOwners(world.deps, onlyCase(caseId))).recorded).to.deep.equal([]);
    expect(agencies.attempts).to.equal(attempts);
  });

  it('sends only the documented fields, never a name, address or phone, and logs neither them nor the credentials', () => {
    expect(agencies.deliveries.length).to.be.at.least(4);
    for (const d of agencies.deliveries) {
      const keys = Object.keys(JSON.parse(d.raw) as Record<string, unknown>);
      expect(keys.every((k) => AGENCY_WARNING_FIELDS.includes(k)), keys.join(',')).to.equal(true);
      for (const secretText of [owner.name, owner.address, owner.phone]) expect(d.raw).to.not.include(secretText);
    }
    for (const secretText of [owner.name, owner.address, owner.phone, token, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')]) {
      expect(running.logs.text()).to.not.include(secretText);
    }
  });
});
