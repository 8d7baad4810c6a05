/**
 * Rotation of the national mirror's token (docs/federation.md "Credential rotation"), with real nodes: a national
 * node started as `tec serve --tier national` builds it (startNode: witness, mirror, staleness, API) with
 * MIRROR_TOKEN_FILE, and a provincial node (its own database, ledger and issuer) whose log it mirrors.
 * - given an expired token in the file, the node starts with a warning, the province answers 401 and the status
 *   says so precisely: the staleness reason `credentials-refused`, the credential `expired`, refused by the province;
 * - when a credential agent puts a fresh token in the file (rename into place), the next request uses it: the
 *   mirror catches up and the alarm clears, without a restart;
 * - an unreadable file at runtime keeps the previous token (logged once), and a missing or empty file stops the start;
 * - no token ever appears in the node's log output (captured unredacted).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { DevIssuer } from '../../../src/adapters/auth/tokens.ts';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { systemClock } from '../../../src/commands/deps.ts';
import { loadConfig } from '../../../src/config.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { handoverCredential, mirrorCredential, refusalReason } from '../../../src/node/federation-credentials.ts';
import { HANDOVER_SUBJECT, HandoverReceiver } from '../../../src/adapters/witness/handover-receiver.ts';
import { NationalViews } from '../../../src/adapters/witness/national-views.ts';
import { startNode, type RunningNode } from '../../../src/node/index.ts';
import { expectDeclaredResponse } from '../../support/declared-response.ts';
import { scratchDatabase, waitFor, type ScratchDatabase } from '../../support/env.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';
import { HANOI, buildHttpWorld, ingest, signedDetection, type HttpWorld } from '../http/support/world.ts';

const ORIGIN = 'vn-traffic/province-01';

interface StatusBody {
  mirror: { origin: string; size: number }[];
  logs: { origin: string; size?: number }[];
  staleness: { logs: { origin: string; stale: boolean; reasons: string[] }[] };
  credentials: { credential: string; source: string; state: string; expiresAt?: string; readError?: string; refusedBy: { baseUrl: string }[] }[];
}

describe('federation tokens: the national mirror token rotated through its file', function () {
  this.timeout(300_000);
  const provinceSeed = new Uint8Array(randomBytes(32));
  // The province's issuer: the identity provider whose tokens the province trusts (startApiNode's names).
  const provinceIssuer = new DevIssuer(provinceSeed, 'tec-test-issuer', 'tec-api');
  const logLines: string[] = [];
  const tokensSeen: string[] = [];
  let dir: string;
  let tokenFile: string;
  let db: ScratchDatabase;
  let national: RunningNode;
  let province: ApiNode;
  let provincePool: pg.Pool;
  let submitter: CheckpointSubmitter;
  let world: HttpWorld;
  let auditor: string;

  const mirrorToken = async (ttlSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)) => {
    const token = await provinceIssuer.mint({ subject: MIRROR_SUBJECT, role: 'auditor', province: '00', ttlSeconds }, nowSeconds);
    tokensSeen.push(token);
    return token;
  };
  /** What a credential agent does: write a new file beside it, then rename it into place (atomic). */
  const putToken = async (text: string) => {
    const next = `${tokenFile}.${randomBytes(4).toString('hex')}.new`;
    await writeFile(next, `${text}\n`, { mode: 0o600 });
    await rename(next, tokenFile);
  };
  const status = async (): Promise<StatusBody> => {
    const res = await fetch(`${national.url}/v1/federation/status`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(res.status).to.equal(200);
    const body = await res.json();
    // Every state the spec walks through (expired, refused, rotated) is an answer as declared.
    expectDeclaredResponse('GET', '/v1/federation/status', body);
    return body as StatusBody;
  };
  const expOf = (token: string) => new Date((JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000).toISOString();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-fedtok-'));
    tokenFile = join(dir, 'mirror.token');
    // Given an expired token (issued 40 minutes ago for 15) in the file the national node is configured with.
    await putToken(await mirrorToken(900, Math.floor(Date.now() / 1000) - 2400));
    province = await startApiNode('ft_01', { checkpointIntervalMs: 50, origin: ORIGIN, servedProvinces: [HANOI], issuerSeed: provinceSeed });
    provincePool = new pg.Pool({ connectionString: province.db.url, max: 3 });
    world = await buildHttpWorld(province);
    db = await scratchDatabase('ft_nat');
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const config = loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: join(dir, 'national'),
      TIER: 'national',
      MIRROR_TOKEN_FILE: tokenFile,
      MIRROR_POLL_MS: '50',
      HOST: '127.0.0.1',
      PORT: '0',
      OIDC: 'off',
    });
    // Unredacted on purpose: a token passed to the logger anywhere would show here.
    national = await startNode({ config, roles: ['api', 'worker'], logger: pino({ level: 'debug' }, capture), print: () => undefined });
    auditor = await national.issuer!.mint({ subject: 'aud-00-1', role: 'auditor', province: '00' });
    const admin = await national.issuer!.mint({ subject: 'adm-00-1', role: 'admin', province: '00' });
    const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ province: HANOI, origin: ORIGIN, verifierKey: province.ledger.verifierKey(), baseUrl: province.url }),
    });
    expect(res.status).to.equal(201);
    submitter = new CheckpointSubmitter({ db: provincePool, ledger: province.ledger, witnessUrl: `${national.url}/witness`, witnessKey: national.witness!.verifierKey(), clock: systemClock });
    submitter.start();
  });
  after(async () => {
    await submitter?.stop();
    await national?.stop();
    await provincePool?.end();
    await province?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('warns at start-up that the configured token has expired', async () => {
    const line = await waitFor(() => logLines.find((l) => l.includes('"credential":"mirror"') && l.includes('"state":"expired"')), { what: 'the expiry warning' });
    expect(JSON.parse(line)).to.include({ level: 50, source: 'file' });
    // The same state in /metrics: seconds until expiry, negative once expired.
    const metrics = await (await fetch(`${national.url}/metrics`)).text();
    const seconds = /^tec_federation_token_expires_seconds\{credential="mirror"\} (-?\d+)$/m.exec(metrics)?.[1];
    expect(Number(seconds), metrics.slice(0, 200)).to.be.lessThan(0);
  });

  it('given the expired token, the province refuses it (401) and the status names the reason: credentials-refused', async () => {
    const s = await waitFor(
      async () => {
        const body = await status();
        const log = body.staleness.logs.find((l) => l.origin === ORIGIN);
        const witnessed = body.logs.find((l) => l.origin === ORIGIN)?.size ?? 0;
        return log?.reasons.includes('credentials-refused') && witnessed > 0 ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'credentials-refused' },
    );
    const log = s.staleness.logs.find((l) => l.origin === ORIGIN)!;
    expect(log.stale).to.equal(true);
    // The checkpoint is public and still read: the province is not unreachable, it refuses the token.
    expect(log.reasons).to.not.include('province-unreachable');
    expect(s.mirror.find((m) => m.origin === ORIGIN)?.size ?? 0).to.equal(0);
    const credential = s.credentials.find((c) => c.credential === 'mirror')!;
    expect(credential).to.include({ source: 'file', state: 'expired' });
    expect(credential.refusedBy.map((r) => r.baseUrl)).to.deep.equal([province.url.replace(/\/$/, '')]);
    await waitFor(() => logLines.find((l) => l.includes('"reason":"credentials-refused"') && l.includes('mirror round failed')), { what: 'the precise log reason' });
  });

  it('when a fresh token is put in the file, the next request uses it: the mirror catches up and the alarm clears, without a restart', async () => {
    const fresh = await mirrorToken(900);
    await putToken(fresh);
    const s = await waitFor(
      async () => {
        const body = await status();
        const witnessed = body.logs.find((l) => l.origin === ORIGIN)?.size ?? 0;
        const mirrored = body.mirror.find((m) => m.origin === ORIGIN)?.size ?? 0;
        const stale = body.staleness.logs.find((l) => l.origin === ORIGIN)?.stale;
        return witnessed > 0 && mirrored === witnessed && stale === false ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'the mirror to catch up with the rotated token' },
    );
    const credential = s.credentials.find((c) => c.credential === 'mirror')!;
    expect(credential).to.include({ state: 'valid', expiresAt: expOf(fresh), path: tokenFile });
    expect(credential.refusedBy).to.deep.equal([]);
    // Where the token file lives is for those who run or audit the node: an analyst sees the state, not the path.
    const analyst = await national.issuer!.mint({ subject: 'ana-00-1', role: 'analyst', province: '00' });
    const res = await fetch(`${national.url}/v1/federation/status`, { headers: { authorization: `Bearer ${analyst}` } });
    expect(res.status).to.equal(200);
    const seen = ((await res.json()) as StatusBody).credentials.find((c) => c.credential === 'mirror')!;
    expect(seen).to.include({ state: 'valid', expiresAt: expOf(fresh) });
    expect(seen).to.not.have.property('path');
  });

  it('an unreadable file at runtime keeps the previous token (logged once) and the mirror goes on; a later fix is picked up', async () => {
    const before = (await status()).mirror.find((m) => m.origin === ORIGIN)!.size;
    await putToken(''); // a credential agent that wrote an empty file
    const s = await waitFor(async () => {
      const body = await status();
      return body.credentials[0]?.state === 'unreadable' ? body : undefined;
    }, { what: 'the unreadable state' });
    expect(s.credentials[0]!.readError).to.include(tokenFile);
    // New records are still mirrored with the previous token.
    const camera = world.cameras[HANOI]!;
    expect((await ingest(province, camera, await signedDetection(camera))).status).to.equal(201);
    await waitFor(async () => ((await status()).mirror.find((m) => m.origin === ORIGIN)!.size > before ? true : undefined), {
      timeoutMs: 60_000,
      what: 'mirroring with the previous token',
    });
    expect(logLines.filter((l) => l.includes('federation token file unreadable'))).to.have.length(1);
    const next = await mirrorToken(1200);
    await putToken(next);
    await chmod(tokenFile, 0o600);
    const after = await waitFor(async () => {
      const body = await status();
      return body.credentials[0]?.state === 'valid' && body.credentials[0].expiresAt === expOf(next) ? body : undefined;
    }, { what: 'the fixed file' });
    expect(after.credentials[0]!.readError).to.equal(undefined);
  });

  it('never writes a token into the log output', () => {
    expect(logLines.length).to.be.greaterThan(5);
    expect(tokensSeen.length).to.be.greaterThan(2);
    for (const token of tokensSeen) {
      const signature = token.split('.')[2]!;
      for (const line of logLines) {
        expect(line).to.not.include(signature);
      }
    }
    expect(logLines.some((l) => l.includes('"credential":"mirror"') && l.includes('federation token read from its file'))).to.equal(true);
  });
});

describe('federation tokens: files at start-up', () => {
  let dir: string;
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-fedtok-start-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const config = (file: string) => ({ mirrorToken: undefined, mirrorTokenFile: file, federationTokenWarnSeconds: 300 });

  it('refuses to start on a missing, empty or group-readable token file, naming the variable and the file', async () => {
    const empty = join(dir, 'empty.token');
    await writeFile(empty, '\n', { mode: 0o600 });
    const open = join(dir, 'open.token');
    await writeFile(open, 'eyJ.secret-looking.value\n', { mode: 0o644 });
    await chmod(open, 0o644);
    for (const file of [join(dir, 'missing.token'), empty, open]) {
      const error = await mirrorCredential({ config: config(file), issuer: undefined, logger }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error, file).to.be.instanceOf(ValidationError);
      expect(error!.message).to.include('MIRROR_TOKEN_FILE').and.include(file);
      expect(error!.message).to.not.include('secret-looking');
    }
  });

  it('reads a handover token file in the HANDOVER_TOKEN format, one token per province served, and follows its changes', async () => {
    const file = join(dir, 'handover.token');
    await writeFile(file, '01=eyJ.a.sig;79=eyJ.b.sig\n', { mode: 0o600 });
    const credential = await handoverCredential({
      config: { handoverTokens: undefined, handoverTokenFile: file, provinces: ['01', '79'], federationTokenWarnSeconds: 300 },
      issuer: undefined,
      logger,
    });
    expect(await credential.current()).to.deep.equal({ '01': 'eyJ.a.sig', '79': 'eyJ.b.sig' });
    const next = `${file}.new`;
    await writeFile(next, 'eyJ.both.sig\n', { mode: 0o600 });
    await rename(next, file);
    expect(await credential.current()).to.deep.equal({ '01': 'eyJ.both.sig', '79': 'eyJ.both.sig' });
    // A province the node does not serve is a format error: the previous tokens are kept (no expiry known).
    await writeFile(next, '01=eyJ.a.sig;80=eyJ.c.sig\n', { mode: 0o600 });
    await rename(next, file);
    expect(await credential.current()).to.deep.equal({ '01': 'eyJ.both.sig', '79': 'eyJ.both.sig' });
    expect((await credential.status()).state).to.equal('unreadable');
  });
});

describe('federation tokens: the handover receiver token rotated through its file', function () {
  this.timeout(120_000);
  const seed = new Uint8Array(randomBytes(32));
  const nationalIssuer = new DevIssuer(seed, 'tec-test-issuer', 'tec-api');
  let national: ApiNode;
  let pool: pg.Pool;
  let dir: string;

  before(async () => {
    national = await startApiNode('ft_relay', { sequencer: false, issuerSeed: seed });
    pool = new pg.Pool({ connectionString: national.db.url, max: 2 });
    national.services.nationalViews = new NationalViews(pool);
    dir = await mkdtemp(join(tmpdir(), 'tec-fedtok-ho-'));
  });
  after(async () => {
    await pool?.end();
    await national?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('given an expired token, the relay answers 401 and the failure says credentials-refused; a renamed-in token is used on the next round', async () => {
    const file = join(dir, 'handover.token');
    const mint = (nowSeconds: number) => nationalIssuer.mint({ subject: HANDOVER_SUBJECT, role: 'auditor', province: HANOI, ttlSeconds: 900 }, nowSeconds);
    const now = Math.floor(Date.now() / 1000);
    await writeFile(file, `${await mint(now - 2400)}\n`, { mode: 0o600 });
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const credential = await handoverCredential({
      config: { handoverTokens: undefined, handoverTokenFile: file, provinces: [HANOI], federationTokenWarnSeconds: 300 },
      issuer: undefined,
      logger,
    });
    const errors: Error[] = [];
    const receiver = new HandoverReceiver({
      nationalUrl: national.url,
      provinces: [HANOI],
      token: async (province) => (await credential.current())[province]!,
      fetch: credential.observe(),
      deps: national.services.commandDeps,
      evidence: national.evidence,
      trustedWitnesses: [],
    });
    const first = await receiver.round().catch((error: unknown) => errors.push(error as Error));
    expect(first, 'the round failed').to.equal(1);
    expect(refusalReason(errors[0]!)).to.deep.equal({ reason: 'credentials-refused' });
    const refused = await credential.status();
    expect(refused).to.include({ state: 'expired', source: 'file' });
    expect(refused.refusedBy.map((r) => r.baseUrl)).to.deep.equal([national.url.replace(/\/$/, '')]);

    const next = `${file}.new`;
    await writeFile(next, `${HANOI}=${await mint(now)}\n`, { mode: 0o600 });
    await rename(next, file);
    expect(await receiver.round()).to.deep.equal({ received: 0, failed: 0 });
    const accepted = await credential.status();
    expect(accepted.state).to.equal('valid');
    expect(accepted.refusedBy).to.deep.equal([]);
  });
});
