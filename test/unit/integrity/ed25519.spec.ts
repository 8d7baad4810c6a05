import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import nacl from 'tweetnacl';
import {
  fromHex,
  generateSeed,
  keyId,
  KeyMaterialError,
  publicKeyFromSeed,
  sha256Hex,
  sign,
  toHex,
  verify,
} from '../../../src/domain/integrity/index.ts';

interface Vector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}
const { vectors } = JSON.parse(
  readFileSync(new URL('../../fixtures/integrity/rfc8032-ed25519.json', import.meta.url), 'utf8'),
) as {
  vectors: Vector[];
};

describe('integrity: Ed25519 (RFC 8032) on node:crypto', () => {
  for (const v of vectors) {
    it(`reproduces RFC 8032 §7.1 ${v.name}`, () => {
      const seed = fromHex(v.secretKey, 32)!;
      const message = fromHex(v.message)!;
      expect(toHex(publicKeyFromSeed(seed))).to.equal(v.publicKey);
      expect(toHex(sign(message, seed))).to.equal(v.signature);
      expect(verify(message, fromHex(v.signature)!, fromHex(v.publicKey)!)).to.equal(true);
    });
  }

  it('TEST SHA(abc) signs the SHA-512 of "abc"', () => {
    const v = vectors.find((x) => x.name === 'TEST SHA(abc)')!;
    expect(v.message).to.equal(toHex(new Uint8Array(nacl.hash(new TextEncoder().encode('abc')))));
  });

  it('TEST 1024 has a 1023-byte message', () => {
    expect(fromHex(vectors.find((x) => x.name === 'TEST 1024')!.message)!.length).to.equal(1023);
  });

  it('agrees byte for byte with tweetnacl, both ways', () => {
    for (let i = 0; i < 20; i++) {
      const seed = generateSeed();
      const message = new Uint8Array(i * 37).map((_, j) => (j * 31 + i) & 255);
      const pair = nacl.sign.keyPair.fromSeed(seed);
      expect(toHex(publicKeyFromSeed(seed))).to.equal(toHex(pair.publicKey));
      const ours = sign(message, seed);
      const theirs = nacl.sign.detached(message, pair.secretKey);
      expect(toHex(ours)).to.equal(toHex(theirs));
      expect(nacl.sign.detached.verify(message, ours, pair.publicKey)).to.equal(true);
      expect(verify(message, theirs, pair.publicKey)).to.equal(true);
    }
  });

  it('returns false, never throws, for tampered or malformed input', () => {
    const seed = generateSeed();
    const pub = publicKeyFromSeed(seed);
    const msg = new TextEncoder().encode('detection/v1');
    const sig = sign(msg, seed);
    for (let bit = 0; bit < 512; bit += 7) {
      const bad = new Uint8Array(sig);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(verify(msg, bad, pub), `bit ${bit}`).to.equal(false);
    }
    expect(verify(new TextEncoder().encode('detection/v2'), sig, pub)).to.equal(false);
    expect(verify(msg, sig.subarray(1), pub)).to.equal(false);
    expect(verify(msg, sig, pub.subarray(1))).to.equal(false);
    expect(verify(msg, sig, new Uint8Array(32).fill(0xff))).to.equal(false);
    expect(verify(msg, sig, publicKeyFromSeed(generateSeed()))).to.equal(false);
    expect(verify('x' as unknown as Uint8Array, sig, pub)).to.equal(false);
  });

  it('derives the key id as the first 16 hex of SHA-256(raw public key)', () => {
    const pub = fromHex(vectors[0]!.publicKey)!;
    expect(keyId(pub)).to.equal(sha256Hex(pub).slice(0, 16));
    expect(keyId(pub)).to.match(/^[0-9a-f]{16}$/);
    expect(() => keyId(new Uint8Array(31))).to.throw(KeyMaterialError);
    expect(() => sign(new Uint8Array(1), new Uint8Array(31))).to.throw(KeyMaterialError);
  });
});
