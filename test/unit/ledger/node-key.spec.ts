import { expect } from 'chai';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVerifierKey, publicKeyFromSeed, sign, verify } from '../../../src/domain/integrity/index.ts';
import { loadNodeKey, loadOrCreateNodeKey, nodeVerifierKey, NodeKeyFileError } from '../../../src/adapters/keys/node-key.ts';

describe('node key file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a 0600 key file on first start and loads the same key afterwards', async () => {
    const path = join(dir, 'keys', 'ledger.key');
    const created = await loadOrCreateNodeKey(path);
    expect(created.created).to.equal(true);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect((await stat(join(dir, 'keys'))).mode & 0o077).to.equal(0);
    const again = await loadOrCreateNodeKey(path);
    expect(again.created).to.equal(false);
    expect(Buffer.from(again.seed).equals(Buffer.from(created.seed))).to.equal(true);
    const message = new TextEncoder().encode('checkpoint');
    expect(verify(message, sign(message, again.seed), created.publicKey)).to.equal(true);
    const json = JSON.parse(await readFile(path, 'utf8')) as { kind: string; keyId: string };
    expect(json.kind).to.equal('tec-ed25519-key/v1');
    expect(json.keyId).to.equal(created.keyId);
  });

  it('refuses a key file readable by group or others, naming the fix', async () => {
    const path = join(dir, 'ledger.key');
    await loadOrCreateNodeKey(path);
    await chmod(path, 0o640);
    try {
      await loadOrCreateNodeKey(path);
      expect.fail('loaded a group-readable key');
    } catch (error) {
      expect(error).to.be.instanceOf(NodeKeyFileError);
      expect((error as Error).message).to.contain('chmod 600');
    }
  });

  it('refuses a file that is not a key file, or whose public key is not its seed', async () => {
    const path = join(dir, 'bad.key');
    await writeFile(path, 'not json', { mode: 0o600 });
    await expectRejects(loadNodeKey(path), NodeKeyFileError);
    await writeFile(path, JSON.stringify({ kind: 'tec-ed25519-key/v1', seed: Buffer.alloc(31).toString('base64') }), { mode: 0o600 });
    await expectRejects(loadNodeKey(path), NodeKeyFileError);
    const seed = Buffer.alloc(32, 7);
    const other = Buffer.from(publicKeyFromSeed(new Uint8Array(32).fill(8))).toString('base64');
    await writeFile(path, JSON.stringify({ kind: 'tec-ed25519-key/v1', seed: seed.toString('base64'), publicKey: other }), { mode: 0o600 });
    await expectRejects(loadNodeKey(path), NodeKeyFileError);
  });

  it('publishes a C2SP verifier key named by the origin', async () => {
    const key = await loadOrCreateNodeKey(join(dir, 'ledger.key'));
    const vkey = nodeVerifierKey('vn-traffic/province-01', key);
    const parsed = parseVerifierKey(vkey);
    expect(parsed.name).to.equal('vn-traffic/province-01');
    expect(Buffer.from(parsed.publicKey).equals(Buffer.from(key.publicKey))).to.equal(true);
  });
});

async function expectRejects(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return;
  }
  expect.fail('expected a rejection');
}
