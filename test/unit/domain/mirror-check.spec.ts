/** The national mirror's pure check of a served record bundle (src/domain/federation/mirror.ts). */
import { expect } from 'chai';
import {
  chainMirroredRecords,
  checkMirroredRecords,
  describeMirrorMismatch,
  parseMirroredRecords,
} from '../../../src/domain/federation/mirror.ts';
import { canonicalize, sha256 } from '../../../src/domain/integrity/index.ts';
import { GENESIS_PREV } from '../../../src/domain/record.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const record = (n: number, stream: string, revision: number, prev: string, data: Record<string, unknown> = {}) =>
  canonicalize({ v: 1, id: id(n), stream, revision, type: 'ViolationDetected', data, meta: { actor: { kind: 'system', id: 's' }, province: '79', recordedAt: '2026-12-01T00:00:00.000Z' }, prev });
const hex = (t: string) => Buffer.from(sha256(t)).toString('hex');

describe('checkMirroredRecords', () => {
  const r0 = record(0, 'case-a', 0, GENESIS_PREV, { detection: { plateRead: { text: '51F-123.45' } } });
  const r1 = record(1, 'case-a', 1, hex(r0));
  const r2 = record(2, 'case-b', 0, GENESIS_PREV);

  it('accepts records that hash to their entries and chain, and keeps them verbatim with their leaf index and plate key', () => {
    const check = checkMirroredRecords(10, [r0, r1, r2].map((t) => sha256(t)), [r0, r1, r2], new Map());
    expect(check.ok).to.equal(true);
    if (!check.ok) return;
    expect(check.records.map((r) => [r.leafIndex, r.stream, r.revision, r.province])).to.deep.equal([
      [10, 'case-a', 0, '79'],
      [11, 'case-a', 1, '79'],
      [12, 'case-b', 0, '79'],
    ]);
    expect(check.records[0]!.text).to.equal(r0);
    expect(check.records[0]!.plate).to.equal('51F12345');
  });

  it('chains onto the heads mirrored before the bundle', () => {
    const check = checkMirroredRecords(11, [sha256(r1)], [r1], new Map([['case-a', { revision: 0, hash: hex(r0) }]]));
    expect(check.ok).to.equal(true);
  });

  it('refuses a record that does not hash to its entry', () => {
    const check = checkMirroredRecords(0, [sha256(r0)], [r0.replace('51F', '52F')], new Map());
    expect(check).to.deep.include({ ok: false });
    if (!check.ok) expect(describeMirrorMismatch(check.mismatch)).to.match(/^leaf 0: the served record hashes to/);
  });

  it('refuses a broken chain, a skipped revision, a wrong count and a non-record', () => {
    const broken = record(1, 'case-a', 1, GENESIS_PREV);
    const skipped = record(1, 'case-a', 2, hex(r0));
    for (const [lines, kind] of [
      [[r0, broken], 'chain'],
      [[r0, skipped], 'chain'],
      [['{"v":2}'], 'malformed'],
    ] as const) {
      const check = checkMirroredRecords(0, lines.map((t) => sha256(t)), lines, new Map());
      expect(check.ok ? 'ok' : check.mismatch.kind).to.equal(kind);
    }
    const short = checkMirroredRecords(0, [sha256(r0), sha256(r1)], [r0], new Map());
    expect(short.ok ? 'ok' : short.mismatch.kind).to.equal('count');
    // A record already mirrored (revision 0 again after a head at 0) is out of chain, never stored twice.
    const again = checkMirroredRecords(0, [sha256(r0)], [r0], new Map([['case-a', { revision: 0, hash: hex(r0) }]]));
    expect(again.ok ? 'ok' : again.mismatch.kind).to.equal('chain');
  });

  it('reports the mismatch at the lowest leaf when a broken chain comes before a record that does not hash', () => {
    const broken = record(1, 'case-a', 1, GENESIS_PREV);
    const lines = [r0, broken, r2];
    const entries = [sha256(r0), sha256(broken), sha256('another record')];
    const check = checkMirroredRecords(0, entries, lines, new Map());
    expect(check.ok ? 'ok' : [check.mismatch.kind, 'leafIndex' in check.mismatch ? check.mismatch.leafIndex : -1]).to.deep.equal(['chain', 1]);
    const parsed = parseMirroredRecords(0, entries, lines);
    expect(parsed.records).to.have.length(2);
    expect(parsed.mismatch?.kind).to.equal('entry');
  });

  it('chains across batches through the heads it returns', () => {
    const first = parseMirroredRecords(0, [sha256(r0), sha256(r2)], [r0, r2]);
    const chain = chainMirroredRecords(first.records, new Map());
    expect(chain.ok).to.equal(true);
    if (!chain.ok) return;
    expect([...chain.heads.keys()].sort()).to.deep.equal(['case-a', 'case-b']);
    const second = parseMirroredRecords(2, [sha256(r1)], [r1]);
    expect(chainMirroredRecords(second.records, chain.heads).ok).to.equal(true);
    expect(chainMirroredRecords(second.records, new Map()).ok).to.equal(false);
  });
});

describe('parseMirroredRecords over served bytes', () => {
  const r0 = record(0, 'case-a', 0, GENESIS_PREV, { note: 'Hà Nội' });
  const bytes = (t: string) => Buffer.from(t, 'utf8');

  it('hashes each line as the bytes served and keeps the decoded text verbatim', () => {
    const parsed = parseMirroredRecords(5, [sha256(r0)], [bytes(r0)]);
    expect(parsed.mismatch).to.equal(undefined);
    expect(parsed.records[0]!.text).to.equal(r0);
    expect(parsed.records[0]!.hash).to.equal(hex(r0));
  });

  it('refuses bytes that are not UTF-8 even when they hash to the entry (their text would not)', () => {
    const served = Buffer.concat([bytes(r0.slice(0, -2)), Buffer.from([0xff]), bytes(r0.slice(-2))]);
    const parsed = parseMirroredRecords(5, [sha256(served)], [served]);
    expect(parsed.mismatch).to.deep.equal({ kind: 'malformed', leafIndex: 5, reason: 'not UTF-8' });
  });

  it('keeps a byte-order mark as served, so the line is no JSON text', () => {
    const served = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(r0)]);
    const parsed = parseMirroredRecords(5, [sha256(served)], [served]);
    expect(parsed.mismatch).to.deep.equal({ kind: 'malformed', leafIndex: 5, reason: 'not JSON' });
  });
});
