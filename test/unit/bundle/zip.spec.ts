import { expect } from 'chai';
import JSZip from 'jszip';
import { BundleReadError, readBundleZip, writeBundleZip } from '../../../src/domain/bundle/index.ts';

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
