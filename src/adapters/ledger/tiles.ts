/**
 * C2SP tlog-tiles geometry (integrity.md §9): tile height 8, so a full tile holds 256 hashes. A tile at level
 * `L`, index `N` holds the Merkle hashes at tree level 8·L (each the root of a perfect subtree of 256^L
 * leaves), indexes N·256 … N·256 + W − 1. A hash exists only once its whole subtree is in the tree, so in a
 * tree of `size` leaves level L holds ⌊size / 256^L⌋ hashes, and its rightmost tile is partial (`.p/<W>`)
 * when that count is not a multiple of 256.
 *
 * Paths: `N` is written in 3-digit decimal groups, every group but the last prefixed with `x`
 * (1234067 → `x001/x234/067`); a partial tile appends `.p/<W>` with 1 ≤ W ≤ 255 in plain decimal.
 * Parsing accepts only the canonical form, so each tile has exactly one path.
 */
import { ValidationError } from '../../domain/shared/errors.ts';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Tree levels are stored up to 62 (ledger_nodes), so tile levels stop at 7 (tree level 56). */
export const MAX_TILE_LEVEL = 7;

export interface TileRef {
  level: number;
  index: number;
  /** 256 for a full tile, 1 … 255 for a partial one. */
  width: number;
}

/** A tile path that does not parse (`/log/tile/...` answers 400). */
export class TilePathError extends ValidationError {
  constructor(message: string) {
    super(message, undefined, 'invalid-tile-path');
  }
}

export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('tile index must be a non-negative safe integer');
  let n = index;
  const groups: string[] = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** `<N>[.p/<W>]` for a tile of `width` hashes (entries and records use the same suffix). */
export function formatTileSuffix(index: number, width: number): string {
  return width === TILE_WIDTH ? formatTileIndex(index) : `${formatTileIndex(index)}.p/${width}`;
}

/** `tile/<L>/<N>[.p/<W>]` */
export function formatTilePath(tile: TileRef): string {
  return `tile/${tile.level}/${formatTileSuffix(tile.index, tile.width)}`;
}

const INDEX_PATH = /^((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/;

/** Parses `<N>[.p/<W>]` (canonical only). */
export function parseTileSuffix(path: string): { index: number; width: number } {
  const match = INDEX_PATH.exec(path);
  if (!match) throw new TilePathError('not a tile index path (<N> in x-prefixed 3-digit groups, optional .p/<W>)');
  const groups = [...match[1]!.split('/').filter((g) => g !== '').map((g) => g.slice(1)), match[2]!];
  if (groups.length > 1 && groups[0] === '000') throw new TilePathError('tile index has a leading zero group');
  const index = Number(groups.join(''));
  if (!Number.isSafeInteger(index)) throw new TilePathError('tile index is too large');
  if (match[3] === undefined) return { index, width: TILE_WIDTH };
  const width = Number(match[3]);
  if (width >= TILE_WIDTH) throw new TilePathError('a partial tile has width 1 … 255');
  return { index, width };
}

/** Parses the level segment of `tile/<L>/…`: a canonical decimal. */
export function parseTileLevel(segment: string): number {
  if (!/^(?:0|[1-9]\d{0,2})$/.test(segment)) throw new TilePathError('tile level must be a decimal integer');
  return Number(segment);
}

/** How many hashes level `level` (tile level, not tree level) holds in a tree of `size` leaves. */
export function hashesAtTileLevel(size: number, level: number): number {
  // 256^level is a power of two: exact in a double for every level that fits a tree of safe size.
  return Math.floor(size / 2 ** (TILE_HEIGHT * level));
}

/** The width of tile (level, index) in a tree of `size` leaves: 0 if it has no hash yet, at most 256. */
export function tileWidth(size: number, level: number, index: number): number {
  const remaining = hashesAtTileLevel(size, level) - index * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, remaining));
}

/**
 * Whether a tile of this width exists (can be served) for a tree of `size` leaves: a full tile must be
 * complete; a partial tile of width W exists once its first W hashes do. Hashes never change once they
 * exist, so a partial width an earlier checkpoint showed stays valid (also after the tile is full), and a
 * monitor that saw an earlier size can still fetch exactly what it saw.
 */
export function tileExists(size: number, tile: TileRef): boolean {
  if (tile.level > MAX_TILE_LEVEL) return false;
  const available = tileWidth(size, tile.level, tile.index);
  return tile.width <= available;
}

/** Every tile of a tree of `size` leaves, level by level: full tiles then the partial one, if any. */
export function tilesForSize(size: number): TileRef[] {
  const tiles: TileRef[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const hashes = hashesAtTileLevel(size, level);
    if (hashes === 0) break;
    const full = Math.floor(hashes / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    if (hashes % TILE_WIDTH !== 0) tiles.push({ level, index: full, width: hashes % TILE_WIDTH });
  }
  return tiles;
}
