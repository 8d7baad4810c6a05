import { expect } from 'chai';
import fc from 'fast-check';
import { AppError } from '../../../src/domain/shared/errors.ts';
import {
  canonicalize,
  fromBase64,
  fromHex,
  openCheckpoint,
  parseNote,
  parseVerifierKey,
  rootFromInclusionProof,
  rootsFromConsistencyProof,
  verify,
  verifyConsistency,
  verifyCosignature,
  verifyInclusion,
  witnessCheckpoint,
  signCheckpoint,
  cosignCheckpoint,
  sha256,
} from '../../../src/domain/integrity/index.ts';

/** Runs `fn`; passes if it returns, or throws an AppError (typed, with a category). */
function typedOrReturns(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(AppError);
    expect((e as AppError).category).to.be.a('string');
  }
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const anyHashLike = fc.oneof(bytes32, fc.uint8Array({ maxLength: 40 }), fc.anything());
const anySize = fc.oneof(fc.integer({ min: -2, max: 70 }), fc.double(), fc.constant(2 ** 60), fc.anything());

describe('integrity: hostile input yields false, undefined or a typed error, never an untyped throw', () => {
  it('Merkle verifiers return booleans for arbitrary arguments', () => {
    fc.assert(
      fc.property(
        anyHashLike,
        anySize,
        anySize,
        fc.oneof(fc.array(anyHashLike, { maxLength: 8 }), fc.anything()),
        anyHashLike,
        (h, a, b, proof, root) => {
          const args = [h, a, b, proof, root] as never[];
          expect(verifyInclusion(...(args as [never, never, never, never, never]))).to.be.a('boolean');
          expect(
            verifyConsistency(...([a, b, h, root, proof] as [never, never, never, never, never])),
          ).to.be.a('boolean');
          const r1 = rootFromInclusionProof(...([h, a, b, proof] as [never, never, never, never]));
          expect(r1 === undefined || r1 instanceof Uint8Array).to.equal(true);
          const r2 = rootsFromConsistencyProof(...([a, b, h, proof] as [never, never, never, never]));
          expect(r2 === undefined || typeof r2 === 'object').to.equal(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('Ed25519 verify returns booleans for arbitrary arguments', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.oneof(fc.uint8Array({ maxLength: 70 }), fc.anything()),
        fc.oneof(bytes32, fc.anything()),
        (m, s, k) => {
          expect(verify(m as never, s as never, k as never)).to.be.a('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });

  const asText = (value: unknown): string => {
    try {
      return String(value);
    } catch {
      return '';
    }
  };

  it('decoders return undefined, parsers throw typed errors', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.anything()),
        fc.array(fc.oneof(fc.string(), fc.anything()), { maxLength: 3 }),
        (text, keys) => {
          const b = fromBase64(text as never);
          expect(b === undefined || b instanceof Uint8Array).to.equal(true);
          const h = fromHex(text as never);
          expect(h === undefined || h instanceof Uint8Array).to.equal(true);
          typedOrReturns(() => parseNote(text as never));
          typedOrReturns(() => parseVerifierKey(text as never));
          typedOrReturns(() => openCheckpoint(text as never, keys as never));
          // The arbitrary values themselves may refuse String() (e.g. {toString: 0}): convert before the call under test.
          const [t, k0, k1] = [text, keys[0], keys[1]].map(asText);
          typedOrReturns(() => openCheckpoint(`${t}\n\n\u2014 a AAAAAA==\n`, keys as never));
          typedOrReturns(() => verifyCosignature(t!, k0!, k1!));
          typedOrReturns(() => canonicalize(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('signing and witnessing refuse malformed arguments with typed errors', () => {
    const seed = sha256('seed');
    for (const bad of [
      undefined,
      null,
      42,
      'x',
      {},
      { origin: 'a', size: 1, root: new Uint8Array(32), time: 7 },
    ]) {
      typedOrReturns(() => signCheckpoint(bad as never, seed));
      typedOrReturns(() => cosignCheckpoint(bad as never, 'w', seed, 1));
      typedOrReturns(() => witnessCheckpoint(bad as never));
      typedOrReturns(() =>
        witnessCheckpoint({
          checkpointText: 'x',
          consistencyProof: bad as never,
          logVerifierKey: 'k',
          witnessName: 'w',
          witnessSeed: seed,
          unixSeconds: 1,
          previous: { size: 1, root: new Uint8Array(32) },
        }),
      );
    }
    typedOrReturns(() =>
      signCheckpoint(
        { origin: 'a', size: 1, root: new Uint8Array(32), time: '2026-01-01T00:00:00Z' },
        'seed' as never,
      ),
    );
  });
});
