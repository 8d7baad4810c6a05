import { expect } from 'chai';
import {
  consistencyProof,
  cosignCheckpoint,
  decideAddCheckpoint,
  formatAddCheckpointRequest,
  fromBase64,
  leafHash,
  merkleRoot,
  nodePrimitives,
  parseAddCheckpointRequest,
  parseSignatureLine,
  parseTlogSize,
  publicKeyFromSeed,
  sha256,
  signCheckpoint,
  verifierKey,
  verifyCosignature,
  witnessVerifierKey,
  WitnessRequestError,
  type WitnessedLog,
} from '../../../src/domain/integrity/index.ts';

const ORIGIN = 'tec.example.vn/ledger/01';
const logSeed = sha256('log seed');
const logKey = verifierKey(ORIGIN, publicKeyFromSeed(logSeed));
const otherSeed = sha256('another key');
const leaves = Array.from({ length: 20 }, (_, i) => leafHash(sha256(`record ${i}`)));
const TIME = '2026-11-24T09:00:01.250Z';
const note = (size: number, seed = logSeed, root = merkleRoot(leaves.slice(0, size))) =>
  signCheckpoint({ origin: ORIGIN, size, root, time: TIME }, seed);
const log: WitnessedLog = { origin: ORIGIN, verifierKeys: [logKey], retired: false };
const known = { size: 10, root: merkleRoot(leaves.slice(0, 10)), checkpointText: note(10) };
const decide = (body: string, l: WitnessedLog | undefined = log, k: typeof known | undefined = known) =>
  decideAddCheckpoint(nodePrimitives, parseAddCheckpointRequest(body), l, k);
const request = (oldSize: number, proof: Uint8Array[], text: string) =>
  formatAddCheckpointRequest({ oldSize, proof, checkpointText: text });

describe('integrity: C2SP tlog-witness add-checkpoint (witness side, pure)', () => {
  it('parses the spec example head (old line, proof lines, blank line) in front of a v1 checkpoint', () => {
    const head = [
      'old 20852014',
      'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
      'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
      '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
      '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
    ].join('\n');
    const parsed = parseAddCheckpointRequest(`${head}\n\n${note(10)}`);
    expect(parsed.oldSize).to.equal(20852014);
    expect(parsed.proof).to.have.length(4);
    expect(parsed.proof[0]).to.deep.equal(fromBase64('PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw='));
    expect(parsed.checkpointText).to.equal(note(10));
    expect(formatAddCheckpointRequest(parsed)).to.equal(`${head}\n\n${note(10)}`);
  });

  it('reads the timestamp of the tlog-cosignature spec example (8-byte big-endian after the key id)', () => {
    const sig = parseSignatureLine(
      '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==',
    );
    expect(sig.keyId).to.equal('8d66cf3f');
    expect(sig.signature).to.have.length(72);
    expect(Buffer.from(sig.signature.subarray(0, 8)).readBigUInt64BE()).to.equal(1679315147n);
  });

  it('refuses malformed bodies with WitnessRequestError (400)', () => {
    const good = note(10);
    for (const body of [
      `old 010\n\n${good}`, // leading zero
      `old -1\n\n${good}`,
      `old 5\n${good}`, // no blank line before the checkpoint… (the note's own blank line is found first)
      `old 5\nnot-base64\n\n${good}`,
      `old 5\n${'AAAA\n'}\n${good}`, // not 32 bytes
      `old 0\n${'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n'.repeat(64)}\n${good}`,
      'old 0\n\nnot a checkpoint\n',
      `new 5\n\n${good}`,
    ]) {
      expect(() => parseAddCheckpointRequest(body), body.slice(0, 20)).to.throw(WitnessRequestError);
    }
    expect(() => parseAddCheckpointRequest(new Uint8Array([0x6f, 0xff, 0xfe]))).to.throw(WitnessRequestError);
  });

  it('cosigns a first checkpoint from old 0 with an empty proof', () => {
    expect(
      decideAddCheckpoint(
        nodePrimitives,
        parseAddCheckpointRequest(request(0, [], note(10))),
        log,
        undefined,
      ),
    ).to.include({ answer: 'cosign' });
  });

  it('cosigns a consistent larger tree, and repeats a cosignature for the same tree', () => {
    const proof = consistencyProof(leaves, 10, 20);
    expect(decide(request(10, proof, note(20))).answer).to.equal('cosign');
    expect(decide(request(10, [], note(10))).answer).to.equal('cosign');
  });

  it('answers 409 with the known size when the old size is not the one it knows', () => {
    expect(decide(request(0, [], note(20)))).to.deep.equal({ answer: 'conflict', knownSize: 10 });
    expect(decide(request(5, consistencyProof(leaves, 5, 20), note(20)))).to.deep.equal({
      answer: 'conflict',
      knownSize: 10,
    });
    // A smaller tree can only be sent with an old size below the known one: 409, never a cosignature.
    expect(decide(request(0, [], note(5)))).to.deep.equal({ answer: 'conflict', knownSize: 10 });
  });

  it('keeps both notes of a fork: another root at the cosigned size', () => {
    const forked = note(10, logSeed, sha256('another root'));
    const d = decide(request(10, [], forked));
    expect(d.answer).to.equal('conflict');
    if (d.answer !== 'conflict') return;
    expect(d.knownSize).to.equal(10);
    expect(d.fork).to.deep.equal({
      kind: 'same-size-different-root',
      cosigned: known.checkpointText,
      submitted: forked,
    });
  });

  it('answers 422 for a proof that does not verify, keeping the signed checkpoint as a suspect', () => {
    const proof = consistencyProof(leaves, 10, 20);
    proof[0] = sha256('wrong');
    const d = decide(request(10, proof, note(20)));
    expect(d.answer).to.equal('bad-proof');
    const tree = note(20, logSeed, sha256('not an extension'));
    expect(decide(request(10, consistencyProof(leaves, 10, 20), tree)).answer).to.equal('bad-proof');
    expect(
      decideAddCheckpoint(
        nodePrimitives,
        parseAddCheckpointRequest(request(0, [sha256('x')], note(10))),
        log,
        undefined,
      ).answer,
    ).to.equal('bad-proof');
  });

  it('answers 400 when the old size is larger than the checkpoint', () => {
    expect(decide(request(20, [], note(10))).answer).to.equal('bad-request');
  });

  it('answers 404 for an unknown origin and 403 for an unknown key or a retired log', () => {
    expect(
      decideAddCheckpoint(
        nodePrimitives,
        parseAddCheckpointRequest(request(10, [], note(10))),
        undefined,
        known,
      ).answer,
    ).to.equal('unknown-log');
    expect(decide(request(10, [], note(10, otherSeed)))).to.deep.equal({
      answer: 'forbidden',
      reason: 'no-trusted-signature',
    });
    expect(decide(request(10, [], note(10)), { ...log, retired: true })).to.deep.equal({
      answer: 'forbidden',
      reason: 'retired',
    });
  });

  it('produces a cosignature an independent check accepts, and parses the 409 size body', () => {
    const witnessSeed = sha256('witness');
    const wkey = witnessVerifierKey('tec.example.vn/witness', publicKeyFromSeed(witnessSeed));
    const line = cosignCheckpoint(note(10), 'tec.example.vn/witness', witnessSeed, 1795510801);
    expect(verifyCosignature(note(10), line, wkey)).to.equal(1795510801);
    expect(parseTlogSize('10\n')).to.equal(10);
    expect(parseTlogSize('010\n')).to.equal(undefined);
    expect(parseTlogSize('10')).to.equal(undefined);
  });
});
