import { expect } from 'chai';
import { checkFiles } from '../../../../src/domain/bundle/checks/files.ts';
import { utf8 } from '../../../../src/domain/integrity/index.ts';
import { buildFixture } from '../fixture.ts';
import { derive, tools } from './support.ts';

describe('bundle check 1: FILES', () => {
  it('given an exported bundle, when checked, then it passes and every entry is covered', () => {
    const d = derive(buildFixture().entries);
    const result = checkFiles(tools, d.reader, d.keys);
    expect(result.failures).to.deep.equal([]);
    expect(result.unverifiedEntries).to.deep.equal([]);
  });

  it('given an entry changed after export, when checked, then it fails naming the digest', () => {
    const { entries } = buildFixture();
    const proofs = entries.get('proofs.json')!;
    entries.set('proofs.json', utf8(`${new TextDecoder().decode(proofs)} `));
    const d = derive(entries);
    const { failures } = checkFiles(tools, d.reader, d.keys);
    expect(failures).to.have.length(1);
    expect(failures[0]!.digests).to.have.length(1);
    expect(failures[0]!.digests![0]).to.match(/^sha256:[0-9a-f]{64}$/);
  });

  it('given an entry no digest covers, when checked, then it is reported unverified and fails', () => {
    const { entries } = buildFixture();
    entries.set('notes.txt', utf8('trust me'));
    const d = derive(entries);
    const result = checkFiles(tools, d.reader, d.keys);
    expect(result.unverifiedEntries).to.deep.equal(['notes.txt']);
    expect(result.failures).to.have.length(1);
  });

  it('given a manifest re-signed by another key, when checked, then manifest.sig fails', () => {
    const { entries } = buildFixture();
    entries.set('manifest.sig', buildFixture({ logSeedOverride: new Uint8Array(32).fill(7) }).entries.get('manifest.sig')!);
    const d = derive(entries);
    const { failures } = checkFiles(tools, d.reader, d.keys);
    expect(failures).to.have.length(1);
    expect(failures[0]).to.not.have.property('recordIds');
  });

  it('given keys.json without a log key, when checked, then FILES fails', () => {
    const { entries } = buildFixture();
    entries.delete('keys.json');
    const d = derive(entries);
    expect(d.keys.logKey).to.equal(undefined);
    expect(checkFiles(tools, d.reader, d.keys).failures.length).to.be.greaterThan(0);
  });
});
