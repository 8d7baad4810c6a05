/** C2SP tlog-tiles geometry (src/adapters/ledger/tiles.ts): path encoding, partial widths, which tiles exist. */
import { expect } from 'chai';
import {
  formatTileIndex,
  formatTilePath,
  hashesAtTileLevel,
  parseTileLevel,
  parseTileSuffix,
  TilePathError,
  tileExists,
  tilesForSize,
  tileWidth,
} from '../../../src/adapters/ledger/tiles.ts';

describe('tlog-tiles geometry', () => {
  it('encodes N in 3-digit groups with x prefixes (the spec’s examples)', () => {
    expect(formatTileIndex(1234067)).to.equal('x001/x234/067');
    expect(formatTileIndex(0)).to.equal('000');
    expect(formatTileIndex(5)).to.equal('005');
    expect(formatTileIndex(1000)).to.equal('x001/000');
    expect(formatTilePath({ level: 1, index: 1234067, width: 256 })).to.equal('tile/1/x001/x234/067');
    expect(formatTilePath({ level: 0, index: 1234067, width: 5 })).to.equal('tile/0/x001/x234/067.p/5');
  });

  it('parses only canonical paths', () => {
    expect(parseTileSuffix('x001/x234/067')).to.deep.equal({ index: 1234067, width: 256 });
    expect(parseTileSuffix('x001/x234/067.p/5')).to.deep.equal({ index: 1234067, width: 5 });
    expect(parseTileSuffix('000.p/255')).to.deep.equal({ index: 0, width: 255 });
    for (const bad of ['1', '0000', 'x000/001', '001/002', 'x1/002', '000.p/256', '000.p/0', '000.p/07', '000.p/', '000/', '', 'x001/x234/067.p/5/']) {
      expect(() => parseTileSuffix(bad), bad).to.throw(TilePathError);
    }
    expect(parseTileLevel('0')).to.equal(0);
    for (const bad of ['01', '-1', 'a', '']) expect(() => parseTileLevel(bad), bad).to.throw(TilePathError);
  });

  it('computes widths: level L holds ⌊size/256^L⌋ hashes; the rightmost tile is partial', () => {
    expect(tileWidth(300, 0, 0)).to.equal(256);
    expect(tileWidth(300, 0, 1)).to.equal(44);
    expect(tileWidth(300, 0, 2)).to.equal(0);
    expect(tileWidth(300, 1, 0)).to.equal(1);
    expect(tileWidth(255, 1, 0)).to.equal(0);
    // Level 2 (65,536 leaves per hash), too many leaves for an integration spec.
    expect(hashesAtTileLevel(65_536 * 3 + 7, 2)).to.equal(3);
    expect(tileWidth(65_536 * 3 + 7, 2, 0)).to.equal(3);
    expect(tileWidth(65_536 * 256 * 2, 2, 1)).to.equal(256);
    expect(tileWidth(2 ** 53 - 1, 5, 1)).to.equal(256);
    expect(tileWidth(2 ** 53 - 1, 6, 0)).to.equal(31);
  });

  it('lists which tiles exist for a tree size', () => {
    expect(tilesForSize(0)).to.deep.equal([]);
    expect(tilesForSize(256).map(formatTilePath)).to.deep.equal(['tile/0/000', 'tile/1/000.p/1']);
    expect(tilesForSize(300).map(formatTilePath)).to.deep.equal(['tile/0/000', 'tile/0/001.p/44', 'tile/1/000.p/1']);
    expect(tilesForSize(65_536 + 1).map(formatTilePath)).to.include.members(['tile/0/255', 'tile/0/256.p/1', 'tile/1/000', 'tile/2/000.p/1']);
    expect(tilesForSize(65_536 + 1)).to.have.length(256 + 1 + 1 + 1);
  });

  it('serves a partial width up to what the size holds, a full tile only when complete', () => {
    expect(tileExists(300, { level: 0, index: 1, width: 44 })).to.equal(true);
    expect(tileExists(300, { level: 0, index: 1, width: 10 })).to.equal(true);
    expect(tileExists(300, { level: 0, index: 1, width: 45 })).to.equal(false);
    expect(tileExists(300, { level: 0, index: 1, width: 256 })).to.equal(false);
    expect(tileExists(512, { level: 0, index: 1, width: 256 })).to.equal(true);
    expect(tileExists(2 ** 53 - 1, { level: 8, index: 0, width: 1 })).to.equal(false);
  });
});
