import { expect } from 'chai';
import fc from 'fast-check';
import { verifyBundle } from '../../../src/domain/bundle/index.ts';
import { buildFixture } from './fixture.ts';

describe('bundle: any single-byte change is found (property)', () => {
  const fixture = buildFixture();
  // Every entry, README.txt included: the exporter lists README.txt in manifest.files (issue 10, item 7).
  const names = [...fixture.entries.keys()].sort();

  it('the untouched bundle is valid', () => {
    expect(verifyBundle(fixture.entries).valid).to.equal(true);
  });

  it('flipping any bits of any byte of any entry makes the bundle invalid', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (name, position, mask) => {
          const entries = new Map(fixture.entries);
          const bytes = new Uint8Array(entries.get(name)!);
          bytes[position % bytes.length]! ^= mask;
          entries.set(name, bytes);
          const report = verifyBundle(entries);
          expect(report.valid, `${name}[${position % bytes.length}] ^= ${mask}`).to.equal(false);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('removing any entry, README.txt included, makes the bundle invalid', () => {
    for (const name of names) {
      const entries = new Map(fixture.entries);
      entries.delete(name);
      expect(verifyBundle(entries).valid, name).to.equal(false);
    }
  });
});
