/**
 * Node secret files (src/adapters/keys/secret-file.ts) and the grant/report-session tokens made under one:
 * created 0600 once, the same for every process that starts together, refused when group or others can read
 * them; a grant verifies under the same key in another instance, never under another key, and a report session
 * is never a grant (nor the reverse).
 */
import { expect } from 'chai';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CitizenGrantInvalidError, CitizenGrants, ReportSessionInvalidError } from '../../../src/adapters/http/citizen-grant.ts';
import { NodeKeyFileError } from '../../../src/adapters/keys/node-key.ts';
import { loadOrCreateSecretFile, loadTokenFile } from '../../../src/adapters/keys/secret-file.ts';

describe('node secret files and citizen grants', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a 32-byte secret with mode 0600 once; processes starting together agree on it', async () => {
    const path = join(dir, 'keys', 'citizen-grant.key');
    const secrets = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSecretFile(path)));
    expect(secrets[0]).to.have.length(32);
    for (const s of secrets) expect(Buffer.from(s).equals(Buffer.from(secrets[0]!))).to.equal(true);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect(Buffer.from(await loadOrCreateSecretFile(path)).equals(Buffer.from(secrets[0]!))).to.equal(true);
  });

  it('refuses a secret file group or others can read, and one that is not a base64 32-byte secret', async () => {
    const open = join(dir, 'open.key');
    await writeFile(open, `${Buffer.alloc(32, 1).toString('base64')}\n`, { mode: 0o644 });
    await chmod(open, 0o644);
    let error: unknown;
    await loadOrCreateSecretFile(open).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(NodeKeyFileError);
    const short = join(dir, 'short.key');
    await writeFile(short, 'c2hvcnQ=\n', { mode: 0o600 });
    error = undefined;
    await loadOrCreateSecretFile(short).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(NodeKeyFileError);
  });

  it('a grant verifies in another instance with the same key, not with another key; a session is not a grant', () => {
    const key = new Uint8Array(32).fill(7);
    const now = Date.parse('2026-12-06T10:00:00.000Z');
    const grant = new CitizenGrants(key).issue('30A12345', now);
    expect(new CitizenGrants(key).verify(grant, now + 1000)).to.equal('30A12345');
    expect(() => new CitizenGrants(new Uint8Array(32).fill(8)).verify(grant, now)).to.throw(CitizenGrantInvalidError);
    const { session } = new CitizenGrants(key).issueReportSession(now);
    expect(() => new CitizenGrants(key).verifyReportSession(session, now + 1000)).to.not.throw();
    expect(() => new CitizenGrants(key).verifyReportSession(session, now + 31 * 60_000)).to.throw(ReportSessionInvalidError);
    expect(() => new CitizenGrants(key).verify(session, now)).to.throw(CitizenGrantInvalidError);
    expect(() => new CitizenGrants(key).verifyReportSession(grant, now)).to.throw(ReportSessionInvalidError);
  });
});

describe('loadTokenFile (an agency bearer token)', () => {
  it('reads one line of visible ASCII from a 0600 file, and refuses a loose, empty or multi-line file without printing the token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tec-token-'));
    const file = join(dir, 'token');
    await writeFile(file, 'abc.DEF-123_token\n', { mode: 0o600 });
    expect(await loadTokenFile(file)).to.equal('abc.DEF-123_token');
    await chmod(file, 0o644);
    const loose = await loadTokenFile(file).then(() => null, (e: Error) => e);
    expect(loose?.message).to.match(/chmod 600/).and.not.include('abc.DEF');
    for (const bad of ['', 'two\nlines', 'with space']) {
      await writeFile(file, bad, { mode: 0o600 });
      await chmod(file, 0o600);
      const error = await loadTokenFile(file).then(() => null, (e: Error) => e);
      expect(error, JSON.stringify(bad)).to.not.equal(null);
      expect(error!.message).to.not.include('lines').and.not.include('space');
    }
  });
});
