import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  addSignatureLines,
  CheckpointError,
  consistencyProof,
  cosignCheckpoint,
  fromBase64,
  generateSeed,
  leafHash,
  merkleRoot,
  openCheckpoint,
  parseNote,
  parseVerifierKey,
  publicKeyFromSeed,
  sha256,
  signCheckpoint,
  toBase64,
  toHex,
  utf8,
  verifierKey,
  verify,
  verifyCosignature,
  witnessCheckpoint,
  witnessVerifierKey,
  noteKeyId,
  sign,
  formatSignatureLine,
  cosignatureMessage,
} from '../../../src/domain/integrity/index.ts';

const goNote = JSON.parse(
  readFileSync(new URL('../../fixtures/integrity/c2sp-note.json', import.meta.url), 'utf8'),
) as {
  verifierKey: string;
  signerKey: string;
  text: string;
  signedNote: string;
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof CheckpointError) return e.code;
    throw e;
  }
  return undefined;
}

const ORIGIN = 'tec.example.vn/ledger/01';
const logSeed = sha256('log seed');
const logPub = publicKeyFromSeed(logSeed);
const logKey = verifierKey(ORIGIN, logPub);
const witnessSeed = sha256('witness seed');
const witnessKey = witnessVerifierKey('tec.example.vn/witness/national', publicKeyFromSeed(witnessSeed));
const leaves = Array.from({ length: 10 }, (_, i) => leafHash(sha256(`record ${i}`)));
const checkpoint = { origin: ORIGIN, size: 10, root: merkleRoot(leaves), time: '2026-11-24T09:00:01.250Z' };

describe('integrity: signed notes, checkpoints and witness cosignatures (C2SP)', () => {
  describe('the published golang.org/x/mod/sumdb/note example', () => {
    const seed = fromBase64(goNote.signerKey.split('+').slice(4).join('+'))!.subarray(1);
    const pub = publicKeyFromSeed(seed);

    it('derives the published verifier key from the signer key', () => {
      expect(verifierKey('PeterNeumann', pub)).to.equal(goNote.verifierKey);
      expect(toHex(noteKeyId('PeterNeumann', pub))).to.equal('c74f20a3');
      expect(parseVerifierKey(goNote.verifierKey)).to.include({
        name: 'PeterNeumann',
        keyId: 'c74f20a3',
        type: 1,
      });
    });

    it('reproduces the published signature line byte for byte and verifies it', () => {
      const line = formatSignatureLine(
        'PeterNeumann',
        noteKeyId('PeterNeumann', pub),
        sign(utf8(goNote.text), seed),
      );
      expect(`${goNote.text}\n${line}`).to.equal(goNote.signedNote);
      const parsed = parseNote(goNote.signedNote);
      expect(parsed.text).to.equal(goNote.text);
      expect(verify(utf8(parsed.text), parsed.signatures[0]!.signature, pub)).to.equal(true);
    });

    it('rejects mangled verifier keys', () => {
      const k = goNote.verifierKey;
      for (const bad of [
        k.replace('c74f20a3', 'c74f20a4'),
        k.slice(0, -1),
        k.replace('PeterNeumann', 'PeterNeuman'),
        `${k}A`,
        k.replace('+A', '+B'),
        'x',
        '',
      ]) {
        expect(
          codeOf(() => parseVerifierKey(bad)),
          bad,
        ).to.equal('malformed-key');
      }
    });
  });

  describe('a published, witnessed checkpoint (interoperability of note, Ed25519 and cosignature/v1 formats)', () => {
    const real = JSON.parse(
      readFileSync(
        new URL('../../fixtures/integrity/c2sp-cosigned-checkpoint.json', import.meta.url),
        'utf8',
      ),
    ) as {
      note: string;
      logKey: string;
      witnessKeys: string[];
    };
    const note = parseNote(real.note);

    it('verifies the log Ed25519 signature over the note text', () => {
      const key = parseVerifierKey(real.logKey);
      const sig = note.signatures.find((s) => s.name === key.name && s.keyId === key.keyId)!;
      expect(verify(utf8(note.text), sig.signature, key.publicKey)).to.equal(true);
      expect(
        verify(utf8(note.text.replace('1432088532', '1432088533')), sig.signature, key.publicKey),
      ).to.equal(false);
    });

    for (const vkey of real.witnessKeys) {
      it(`verifies the cosignature of ${vkey.split('+')[0]}`, () => {
        const key = parseVerifierKey(vkey);
        expect(key.type).to.equal(4);
        const sig = note.signatures.find((s) => s.name === key.name && s.keyId === key.keyId)!;
        const timestamp = Number(
          new DataView(sig.signature.buffer, sig.signature.byteOffset, 8).getBigUint64(0),
        );
        expect(
          verify(cosignatureMessage(note.text, timestamp), sig.signature.subarray(8), key.publicKey),
        ).to.equal(true);
        expect(
          verify(cosignatureMessage(note.text, timestamp + 1), sig.signature.subarray(8), key.publicKey),
        ).to.equal(false);
      });
    }

    it('is not a v1 checkpoint of this project (no time line), so openCheckpoint refuses it', () => {
      expect(codeOf(() => openCheckpoint(real.note, [real.logKey]))).to.equal('malformed-checkpoint');
    });
  });

  describe('log checkpoints', () => {
    const signed = signCheckpoint(checkpoint, logSeed);

    it('has the v1 layout: origin, size, base64 root, time line, blank line, em dash signature', () => {
      const lines = signed.split('\n');
      expect(lines.slice(0, 5)).to.deep.equal([
        ORIGIN,
        '10',
        toBase64(checkpoint.root),
        'time 2026-11-24T09:00:01.250Z',
        '',
      ]);
      expect(lines[5]).to.match(new RegExp(`^\u2014 ${ORIGIN.replace(/\./g, '\\.')} [A-Za-z0-9+/]{91}=$`));
      expect(lines[6]).to.equal('');
      expect(logKey).to.match(
        new RegExp(`^${ORIGIN.replace(/\./g, '\\.')}\\+[0-9a-f]{8}\\+A[Q-Za-f][A-Za-z0-9+/]{42}$`),
      );
    });

    it('opens under the log key and returns the parsed checkpoint', () => {
      const opened = openCheckpoint(signed, [logKey]);
      expect(opened.checkpoint.origin).to.equal(ORIGIN);
      expect(opened.checkpoint.size).to.equal(10);
      expect(toHex(opened.checkpoint.root)).to.equal(toHex(checkpoint.root));
      expect(opened.checkpoint.time).to.equal(checkpoint.time);
      expect(opened.verifiedBy).to.deep.equal([
        { name: ORIGIN, keyId: parseVerifierKey(logKey).keyId, kind: 'log' },
      ]);
    });

    it('fails with a code for every kind of tampering', () => {
      const otherKey = verifierKey(ORIGIN, publicKeyFromSeed(generateSeed()));
      expect(codeOf(() => openCheckpoint(signed, [otherKey]))).to.equal('unverified');
      expect(codeOf(() => openCheckpoint(signed.replace('\n10\n', '\n11\n'), [logKey]))).to.equal(
        'bad-signature',
      );
      expect(codeOf(() => openCheckpoint(signed.replace('09:00:01', '09:00:02'), [logKey]))).to.equal(
        'bad-signature',
      );
      expect(codeOf(() => openCheckpoint(signed.replace('\n10\n', '\n010\n'), [logKey]))).to.equal(
        'malformed-checkpoint',
      );
      expect(codeOf(() => openCheckpoint(signed.replace('time ', 'tick '), [logKey]))).to.equal(
        'malformed-checkpoint',
      );
      expect(codeOf(() => openCheckpoint(signed.replace('\n\n', '\n'), [logKey]))).to.equal('malformed-note');
      expect(codeOf(() => openCheckpoint(signed.replace('\u2014', '-'), [logKey]))).to.equal(
        'malformed-note',
      );
      expect(codeOf(() => openCheckpoint(`${signed}\u0007`, [logKey]))).to.equal('malformed-note');
      expect(codeOf(() => openCheckpoint(new Uint8Array([0xff, 0xfe]), [logKey]))).to.equal('malformed-note');
      expect(codeOf(() => openCheckpoint(signed, ['not a key']))).to.equal('malformed-key');
    });

    it('refuses a checkpoint signed by a different key even under the same name', () => {
      const forged = signCheckpoint(checkpoint, generateSeed());
      expect(codeOf(() => openCheckpoint(forged, [logKey]))).to.equal('unverified');
    });

    it('refuses to sign an invalid checkpoint', () => {
      expect(codeOf(() => signCheckpoint({ ...checkpoint, time: '2026-11-24 09:00:00' }, logSeed))).to.equal(
        'malformed-checkpoint',
      );
      expect(codeOf(() => signCheckpoint({ ...checkpoint, size: -1 }, logSeed))).to.equal(
        'malformed-checkpoint',
      );
      expect(codeOf(() => signCheckpoint({ ...checkpoint, origin: 'has space' }, logSeed))).to.equal(
        'malformed-checkpoint',
      );
      expect(codeOf(() => signCheckpoint({ ...checkpoint, root: new Uint8Array(31) }, logSeed))).to.equal(
        'malformed-checkpoint',
      );
    });
  });

  describe('witness cosignatures (tlog-cosignature/v1)', () => {
    const signed = signCheckpoint(checkpoint, logSeed);

    it('cosigns with an 8-byte timestamp and verifies under the 0x04 witness key', () => {
      const line = cosignCheckpoint(signed, 'tec.example.vn/witness/national', witnessSeed, 1795510801);
      const blob = fromBase64(line.trim().split(' ').pop()!)!;
      expect(blob.length).to.equal(4 + 8 + 64);
      expect(Number(new DataView(blob.buffer, blob.byteOffset + 4, 8).getBigUint64(0))).to.equal(1795510801);
      expect(verifyCosignature(signed, line, witnessKey)).to.equal(1795510801);
      const cosigned = addSignatureLines(signed, [line]);
      const opened = openCheckpoint(cosigned, [logKey, witnessKey]);
      expect(opened.verifiedBy.map((v) => v.kind)).to.deep.equal(['log', 'witness']);
      expect(opened.verifiedBy[1]!.timestamp).to.equal(1795510801);
      // Without the witness key the cosignature is an unknown signature: ignored, not an error.
      expect(openCheckpoint(cosigned, [logKey]).unknownSignatures).to.have.length(1);
    });

    it('fails a cosignature over another checkpoint, with another key, or with an altered time', () => {
      const line = cosignCheckpoint(signed, 'tec.example.vn/witness/national', witnessSeed, 1795510801);
      const other = signCheckpoint({ ...checkpoint, time: '2026-11-24T09:00:02.000Z' }, logSeed);
      expect(verifyCosignature(other, line, witnessKey)).to.equal(undefined);
      expect(
        verifyCosignature(
          signed,
          line,
          witnessVerifierKey('tec.example.vn/witness/national', publicKeyFromSeed(generateSeed())),
        ),
      ).to.equal(undefined);
      const blob = fromBase64(line.trim().split(' ').pop()!)!;
      blob[11]! ^= 1;
      const altered = `\u2014 tec.example.vn/witness/national ${toBase64(blob)}\n`;
      expect(verifyCosignature(signed, altered, witnessKey)).to.equal(undefined);
      expect(
        codeOf(() => openCheckpoint(addSignatureLines(signed, [altered]), [logKey, witnessKey])),
      ).to.equal('bad-signature');
      expect(verifyCosignature(signed, 'garbage', witnessKey)).to.equal(undefined);
    });

    it('witnessCheckpoint checks consistency with the previous checkpoint and refuses a fork', () => {
      const leaves15 = [...leaves, ...Array.from({ length: 5 }, (_, i) => leafHash(sha256(`later ${i}`)))];
      const next = signCheckpoint(
        { ...checkpoint, size: 15, root: merkleRoot(leaves15), time: '2026-11-24T09:00:02.000Z' },
        logSeed,
      );
      const proof = consistencyProof(leaves15, 10, 15);
      const base = {
        logVerifierKey: logKey,
        witnessName: 'tec.example.vn/witness/national',
        witnessSeed,
        unixSeconds: 1795510802,
      };
      const ok = witnessCheckpoint({
        ...base,
        previous: { size: 10, root: checkpoint.root },
        checkpointText: next,
        consistencyProof: proof,
      });
      expect(openCheckpoint(ok.cosigned, [logKey, witnessKey]).verifiedBy).to.have.length(2);
      const forkLeaves = [...leaves.slice(0, 9), leafHash(sha256('rewritten')), ...leaves15.slice(10)];
      const fork = signCheckpoint(
        { ...checkpoint, size: 15, root: merkleRoot(forkLeaves), time: '2026-11-24T09:00:02.000Z' },
        logSeed,
      );
      const forkProof = consistencyProof(forkLeaves, 10, 15);
      expect(
        codeOf(() =>
          witnessCheckpoint({
            ...base,
            previous: { size: 10, root: checkpoint.root },
            checkpointText: fork,
            consistencyProof: forkProof,
          }),
        ),
      ).to.equal('bad-signature');
    });
  });
});
