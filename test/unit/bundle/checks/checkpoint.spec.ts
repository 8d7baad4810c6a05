import { expect } from 'chai';
import { checkCheckpoint } from '../../../../src/domain/bundle/checks/checkpoint.ts';
import { readKeys } from '../../../../src/domain/bundle/checks/facts.ts';
import { bundleReader } from '../../../../src/domain/bundle/checks/parts.ts';
import { parseTrustedKey } from '../../../../src/domain/bundle/verify.ts';
import { nodePrimitives } from '../../../../src/domain/integrity/ed25519.ts';
import { utf8 } from '../../../../src/domain/integrity/index.ts';
import { buildFixture, LOG_KEY, ORIGIN, WITNESS, seedOf } from '../fixture.ts';
import { derive, text, tools } from './support.ts';

const trusted = parseTrustedKey(nodePrimitives, LOG_KEY);

describe('bundle check 5: CHECKPOINT', () => {
  it('given an exported bundle and its log key trusted, when checked, then it passes with the witness', () => {
    const d = derive(buildFixture().entries);
    const result = checkCheckpoint(tools, d.reader, d.keys, d.summary.origin, trusted);
    expect(result.failures).to.deep.equal([]);
    expect(result.trustedKeyMatched).to.equal(true);
    expect(result.witnesses.map((w) => w.name)).to.deep.equal([WITNESS]);
  });

  it('given a bundle of a forged node, when checked against the trusted key, then it fails', () => {
    const d = derive(buildFixture({ logSeedOverride: seedOf('forged') }).entries);
    const result = checkCheckpoint(tools, d.reader, d.keys, d.summary.origin, trusted);
    expect(result.trustedKeyMatched).to.equal(false);
    expect(result.failures).to.have.length(1);
  });

  it('given no trusted key, when checked, then no match is stated', () => {
    const d = derive(buildFixture().entries);
    const result = checkCheckpoint(tools, d.reader, d.keys, d.summary.origin, undefined);
    expect(result).to.not.have.property('trustedKeyMatched');
  });

  it('given the witness cosignature stripped, when checked, then the witness fails', () => {
    const f = buildFixture();
    const note = text(f.entries.get('checkpoint.txt'));
    f.entries.set('checkpoint.txt', utf8(note.split('\n').filter((l) => !l.includes(WITNESS)).join('\n')));
    const d = derive(f.entries);
    const result = checkCheckpoint(tools, d.reader, d.keys, d.summary.origin, undefined);
    expect(result.witnesses).to.deep.equal([]);
    expect(result.failures).to.have.length(1);
  });

  it('given a manifest origin other than the checkpoint origin, when checked, then it fails', () => {
    const d = derive(buildFixture().entries);
    const result = checkCheckpoint(tools, d.reader, d.keys, `${ORIGIN}/other`, undefined);
    expect(result.failures).to.have.length(1);
  });

  it('given a witness key that is not a cosignature key, when checked, then that keys.json problem is reported here first', () => {
    const f = buildFixture();
    const keys = JSON.parse(text(f.entries.get('keys.json'))) as { log: string; witnesses: string[] };
    keys.witnesses.push(keys.log); // an Ed25519 (0x01) key listed as a witness
    f.entries.set('keys.json', utf8(JSON.stringify(keys)));
    const reader = bundleReader(f.entries);
    const k = readKeys(tools, reader);
    expect(k.problems.map((p) => p.code)).to.deep.equal(['CHECKPOINT']);
    const result = checkCheckpoint(tools, reader, k, ORIGIN, undefined);
    expect(result.failures).to.have.length(1);
    expect(result.failures[0]!.message).to.equal(k.problems[0]!.message);
  });
});
