/**
 * The HTTP agency-warning adapter against the local stand-in agency server (real HTTP on the loopback): what it
 * sends (Idempotency-Key = warning id, only the documented fields, bearer token and HMAC signature), and how each
 * answer maps to the port's errors: temporary (retry) for 5xx, 429, a timeout, an unreachable server or a success
 * without a receipt; permanent for a refused credential or signature and for a warning that does not fit the
 * contract (refused before anything is sent).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeKeyFileError } from '../../../src/adapters/keys/node-key.ts';
import { StandInAgencyWarnings } from '../../../src/adapters/notify/stand-in-agency-warnings.ts';
import { loadConfig } from '../../../src/config.ts';
import { agencyWarningPort } from '../../../src/node/index.ts';
import { HttpAgencyWarnings } from '../../../src/adapters/notify/http-agency-warnings.ts';
import { startAgencyWarningServer, type AgencyWarningServer } from '../../../src/adapters/stand-ins/agency-warning-server.ts';
import { listenLocally } from '../../../src/adapters/stand-ins/local-server.ts';
import { AgencyWarningRejectedError, AgencyWarningUnavailableError, type AgencyWarning } from '../../../src/ports/agency-warnings.ts';
import type { WarnedAgency } from '../../../src/domain/case/events.ts';

function warning(overrides: Partial<AgencyWarning> = {}): AgencyWarning {
  return {
    warningId: `w-${randomBytes(6).toString('hex')}`,
    caseId: 'case-0001',
    agency: 'registration',
    province: '01',
    plate: '30A-123.45',
    plateColour: 'white',
    vehicleClass: 'car',
    violationCode: '168.6.5.đ',
    observedAt: '2026-03-10T01:00:00.000Z',
    ownerRef: 'own-1',
    noticeId: 'notice-1',
    periodEndsAt: '2026-03-30T17:00:00.000Z',
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('HttpAgencyWarnings against the stand-in agency server', function () {
  this.timeout(30_000);
  const token = 'agency-token-123';
  const secret = new Uint8Array(randomBytes(32));
  let server: AgencyWarningServer;

  before(async () => {
    server = await startAgencyWarningServer({ token, secret });
  });
  after(async () => server?.close());

  it('posts to the agency kind’s endpoint with the warning id as Idempotency-Key and answers a resend with the same receipt', async () => {
    const adapter = new HttpAgencyWarnings({ endpoints: server.endpoints, token, secret });
    for (const agency of ['registration', 'inspection', 'commune-police'] as WarnedAgency[]) {
      const w = warning({ agency });
      const first = await adapter.send(w);
      const again = await adapter.send(w);
      expect(first.duplicate).to.equal(false);
      expect(again).to.deep.equal({ receipt: first.receipt, duplicate: true });
      const delivered = server.deliveries.filter((d) => d.idempotencyKey === w.warningId);
      expect(delivered).to.have.length(1);
      expect(delivered[0]!.agency).to.equal(agency);
      expect(delivered[0]!.body).to.deep.equal(w);
    }
  });

  it('sends only the documented fields, whatever else the warning object carries', async () => {
    const adapter = new HttpAgencyWarnings({ endpoints: server.endpoints, token, secret });
    const w = { ...warning(), ownerName: 'Nguyễn Văn Riêng', ownerAddress: '1 Phố Kín' } as AgencyWarning;
    await adapter.send(w);
    const raw = server.deliveries.find((d) => d.idempotencyKey === w.warningId)!.raw;
    expect(raw).to.not.include('Riêng');
    expect(raw).to.not.include('ownerName');
  });

  it('is refused for good with a wrong token or a wrong signing secret (401), which a retry cannot fix', async () => {
    const before = server.unauthorised;
    const badToken = new HttpAgencyWarnings({ endpoints: server.endpoints, token: 'wrong', secret });
    const badSecret = new HttpAgencyWarnings({ endpoints: server.endpoints, token, secret: new Uint8Array(randomBytes(32)) });
    const staleSignature = new HttpAgencyWarnings({ endpoints: server.endpoints, token, secret, now: () => Date.now() - 3_600_000 });
    for (const adapter of [badToken, badSecret, staleSignature]) {
      const error = await rejection(adapter.send(warning()));
      expect(error).to.be.instanceOf(AgencyWarningRejectedError);
      expect((error as AgencyWarningRejectedError).details).to.deep.include({ status: 401 });
    }
    expect(server.unauthorised - before).to.equal(3);
  });

  it('refuses a warning that does not fit the contract before sending anything', async () => {
    const adapter = new HttpAgencyWarnings({ endpoints: server.endpoints, token, secret });
    const before = server.attempts;
    const error = await rejection(adapter.send(warning({ observedAt: 'yesterday', province: '1' })));
    expect(error).to.be.instanceOf(AgencyWarningRejectedError);
    expect((error as AgencyWarningRejectedError).details).to.deep.include({ fields: ['province', 'observedAt'] });
    expect(server.attempts).to.equal(before);
  });

  it('reports 503 and 429 as temporary, so the queue retries; the next send is delivered', async () => {
    const adapter = new HttpAgencyWarnings({ endpoints: server.endpoints, token, secret });
    for (const status of [503, 429]) {
      const w = warning();
      server.failNext(1, status);
      const error = await rejection(adapter.send(w));
      expect(error).to.be.instanceOf(AgencyWarningUnavailableError);
      expect((error as AgencyWarningUnavailableError).details).to.deep.include({ status });
      expect((await adapter.send(w)).duplicate).to.equal(false);
    }
  });

  it('reports a server that does not answer in time, one that cannot be reached, a success without a receipt and an oversized answer as temporary', async () => {
    const held: Server = createServer(() => undefined); // accepts and never answers
    const silent = await listenLocally(held);
    const noReceipt = await listenLocally(createServer((_req, res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}')));
    const flood = await listenLocally(
      createServer((_req, res) => res.writeHead(202, { 'content-type': 'application/json' }).end(`{"receipt":"r-1","pad":"${'x'.repeat(1024 * 1024)}"}`)),
    );
    try {
      const endpointsOf = (url: string): Record<WarnedAgency, string> => ({ registration: url, inspection: url, 'commune-police': url });
      const slow = new HttpAgencyWarnings({ endpoints: endpointsOf(silent.url), token, timeoutMs: 300 });
      expect(await rejection(slow.send(warning()))).to.be.instanceOf(AgencyWarningUnavailableError);
      await silent.close();
      const gone = new HttpAgencyWarnings({ endpoints: endpointsOf(silent.url), token, timeoutMs: 2_000 });
      expect(await rejection(gone.send(warning()))).to.be.instanceOf(AgencyWarningUnavailableError);
      const odd = new HttpAgencyWarnings({ endpoints: endpointsOf(noReceipt.url), token });
      expect(await rejection(odd.send(warning()))).to.be.instanceOf(AgencyWarningUnavailableError);
      // A 1 MiB answer is not read past 16 KiB: no receipt taken from it.
      const flooded = new HttpAgencyWarnings({ endpoints: endpointsOf(flood.url), token });
      expect(await rejection(flooded.send(warning()))).to.be.instanceOf(AgencyWarningUnavailableError);
    } finally {
      await Promise.all([silent.close().catch(() => undefined), noReceipt.close(), flood.close()]);
    }
  });

  it('cannot be built without a credential', () => {
    expect(() => new HttpAgencyWarnings({ endpoints: server.endpoints })).to.throw(/token or a signing secret/);
  });
});

describe('agencyWarningPort: the node selects the adapter from its configuration', function () {
  this.timeout(30_000);
  let server: AgencyWarningServer;
  let dir: string;
  const token = 'node-token-456';

  before(async () => {
    server = await startAgencyWarningServer({ token });
    dir = await mkdtemp(join(tmpdir(), 'tec-agency-'));
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uses the in-memory stand-in without endpoints, and the HTTP adapter with them and a token file', async () => {
    expect(await agencyWarningPort(loadConfig({ DATA_DIR: dir }))).to.be.instanceOf(StandInAgencyWarnings);
    const tokenFile = join(dir, 'agency-token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    const config = loadConfig({
      DATA_DIR: dir,
      AGENCY_WARNING_URL_REGISTRATION: server.endpoints.registration,
      AGENCY_WARNING_URL_INSPECTION: server.endpoints.inspection,
      AGENCY_WARNING_URL_COMMUNE_POLICE: server.endpoints['commune-police'],
      AGENCY_WARNING_TOKEN_FILE: tokenFile,
    });
    const port = await agencyWarningPort(config);
    expect(port).to.be.instanceOf(HttpAgencyWarnings);
    const w = warning({ agency: 'commune-police' });
    const { receipt } = await port.send(w);
    expect(server.deliveries.find((d) => d.idempotencyKey === w.warningId)?.receipt).to.equal(receipt);
  });

  it('refuses to start with a token file group or others can read, or a missing one', async () => {
    const loose = join(dir, 'loose-token');
    await writeFile(loose, token, { mode: 0o644 });
    await chmod(loose, 0o644);
    const base = {
      DATA_DIR: dir,
      AGENCY_WARNING_URL_REGISTRATION: server.endpoints.registration,
      AGENCY_WARNING_URL_INSPECTION: server.endpoints.inspection,
      AGENCY_WARNING_URL_COMMUNE_POLICE: server.endpoints['commune-police'],
    };
    const error = await rejection(agencyWarningPort(loadConfig({ ...base, AGENCY_WARNING_TOKEN_FILE: loose })));
    expect(error).to.be.instanceOf(NodeKeyFileError);
    expect((error as Error).message).to.not.include(token);
    const missing = await rejection(agencyWarningPort(loadConfig({ ...base, AGENCY_WARNING_TOKEN_FILE: join(dir, 'none') })));
    expect((missing as NodeJS.ErrnoException).code).to.equal('ENOENT');
  });
});
