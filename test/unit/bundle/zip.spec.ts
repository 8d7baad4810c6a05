import { expect } from 'chai';
import JSZip from 'jszip';
import {
  BundleEntryTooLargeError,
  BundleReadError,
  ENTRY_SIZE_LIMITS,
  readBundleZip,
  writeBundleZip,
} from '../../../src/domain/bundle/index.ts';
import { craftZip, deflatedZeros, entryOf } from './crafted-zip.ts';

async function zipOf(files: Record<string, Uint8Array | string>): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, body] of Object.entries(files)) zip.file(name, body, { createFolders: false });
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

/** Renames an entry in place (local header and central directory), as a hand-crafted hostile archive would. */
function patchName(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(from.length).to.equal(to.length);
  const out = new Uint8Array(bytes);
  const a = new TextEncoder().encode(from);
  const b = new TextEncoder().encode(to);
  let patched = 0;
  for (let i = 0; i + a.length <= out.length; i++) {
    if (a.every((x, j) => out[i + j] === x)) {
      out.set(b, i);
      patched++;
    }
  }
  expect(patched).to.be.greaterThan(0);
  return out;
}

async function refusal(bytes: Uint8Array, options = {}): Promise<string> {
  try {
    await readBundleZip(bytes, options);
  } catch (e) {
    expect(e).to.be.instanceOf(BundleReadError);
    return (e as Error).message;
  }
  throw new Error('expected the archive to be refused');
}

describe('bundle: ZIP reading treats the archive as hostile', () => {
  it('round-trips entries byte for byte, deterministically', async () => {
    const entries = new Map([
      ['manifest.json', new TextEncoder().encode('{}')],
      ['evidence/ab', new Uint8Array([0, 1, 2, 255])],
    ]);
    const a = await writeBundleZip(entries);
    const b = await writeBundleZip(new Map([...entries].reverse()));
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(true);
    const back = await readBundleZip(a);
    expect([...back.keys()].sort()).to.deep.equal(['evidence/ab', 'manifest.json']);
    expect([...back.get('evidence/ab')!]).to.deep.equal([0, 1, 2, 255]);
  });

  it('refuses parent-directory segments', async () => {
    expect(await refusal(await zipOf({ '../evil.txt': 'x' }))).to.match(/relative path/);
    expect(await refusal(await zipOf({ 'evidence/../../x': 'x' }))).to.match(/relative path/);
  });

  it('refuses absolute and drive paths', async () => {
    expect(
      await refusal(patchName(await zipOf({ Xetc_passwd: 'x' }), 'Xetc_passwd', '/etc_passwd')),
    ).to.match(/absolute/);
    expect(await refusal(patchName(await zipOf({ 'CC/windows': 'x' }), 'CC/windows', 'C:/windows'))).to.match(
      /absolute/,
    );
  });

  it('refuses duplicate names (which jszip alone would silently merge)', async () => {
    const bytes = patchName(
      await zipOf({ 'manifest.json': '{"a":1}', 'manifest.jsoN': '{"a":2}' }),
      'manifest.jsoN',
      'manifest.json',
    );
    expect(await refusal(bytes)).to.match(/appears twice/);
  });

  it('stops a zip bomb while inflating, by actual output size', async () => {
    const bomb = await zipOf({ 'evidence/zeros': new Uint8Array(8 * 1024 * 1024) });
    expect(bomb.length).to.be.lessThan(64 * 1024);
    expect(await refusal(bomb, { maxTotalBytes: 1024 * 1024 })).to.match(/size limit/);
    expect(
      (await readBundleZip(bomb, { maxTotalBytes: 16 * 1024 * 1024 })).get('evidence/zeros')!.length,
    ).to.equal(8 * 1024 * 1024);
  });

  it('refuses bytes that are not a ZIP and too many entries', async () => {
    expect(await refusal(new TextEncoder().encode('not a zip at all, just text'))).to.match(/not a ZIP/);
    expect(await refusal(new Uint8Array(0))).to.match(/not a ZIP/);
    expect(await refusal(await zipOf({ a: '1', b: '2', c: '3' }), { maxEntries: 2 })).to.match(/entries/);
  });
});

async function refusalError(bytes: Uint8Array, options = {}): Promise<BundleReadError> {
  try {
    await readBundleZip(bytes, options);
  } catch (e) {
    expect(e).to.be.instanceOf(BundleReadError);
    return e as BundleReadError;
  }
  throw new Error('expected the archive to be refused');
}

describe('bundle: every entry has its own size cap (issue 10, item 7)', function () {
  this.timeout(120_000);
  const MiB = 1024 * 1024;
  const manifest = entryOf('manifest.json', new TextEncoder().encode('{}'));

  it('refuses a README declaring 1.5 GiB (7 MB zipped in the issue) before inflating any of it', async () => {
    const size = 1536 * MiB;
    const bomb = craftZip([manifest, { name: 'README.txt', deflated: await deflatedZeros(size), declaredSize: size }]);
    expect(bomb.length).to.be.lessThan(4 * MiB);
    const error = await refusalError(bomb);
    expect(error).to.be.instanceOf(BundleEntryTooLargeError);
    expect(error.code).to.equal('bundle-entry-too-large');
    expect(error.details).to.include({ entry: 'README.txt', limit: ENTRY_SIZE_LIMITS.small, inflated: 0 });
  });

  it('stops inflating an entry whose declared size lies, long before the end of its data', async () => {
    const actual = 256 * MiB;
    const liar = craftZip([manifest, { name: 'README.txt', deflated: await deflatedZeros(actual), declaredSize: 100 }]);
    const error = await refusalError(liar);
    expect(error).to.be.instanceOf(BundleEntryTooLargeError);
    expect(error.details?.entry).to.equal('README.txt');
    // jszip inflates 16 KiB of input at a time: the refusal comes after the first output chunk, not the last.
    expect(error.details?.inflated).to.be.a('number').and.to.be.lessThan(actual / 8);
  });

  it('stops at the cap while inflating even when the declared size is within it', async () => {
    const actual = 64 * MiB;
    const liar = craftZip([
      manifest,
      { name: 'evidence/' + 'a'.repeat(64), deflated: await deflatedZeros(actual), declaredSize: MiB },
    ]);
    const error = await refusalError(liar, { entryLimits: { evidence: 2 * MiB } });
    expect(error).to.be.instanceOf(BundleEntryTooLargeError);
    expect(error.details?.inflated).to.be.lessThan(actual);
  });

  it('caps by kind: evidence up to MAX_EVIDENCE_BYTES by default, text and JSON entries far smaller; evidence cap configurable', async () => {
    const zeros = new Uint8Array(2 * MiB);
    const evidence = craftZip([manifest, entryOf('evidence/' + 'b'.repeat(64), zeros)]);
    expect((await readBundleZip(evidence)).get('evidence/' + 'b'.repeat(64))!.length).to.equal(2 * MiB);
    expect(await refusalError(evidence, { entryLimits: { evidence: MiB } })).to.be.instanceOf(
      BundleEntryTooLargeError,
    );
    for (const name of ['README.txt', 'keys.json', 'checkpoint.txt', 'manifest.sig', 'other.bin']) {
      const error = await refusalError(craftZip([manifest, entryOf(name, zeros)]));
      expect(error, name).to.be.instanceOf(BundleEntryTooLargeError);
    }
    expect(ENTRY_SIZE_LIMITS.evidence).to.equal(20 * MiB);
  });

  it('refuses an entry that inflates to less than it declares (a truncated or lying entry)', async () => {
    const short = craftZip([manifest, { ...entryOf('README.txt', new Uint8Array(10)), declaredSize: 20 }]);
    expect(await refusalError(short)).to.be.instanceOf(BundleReadError);
  });
});
