import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import nacl from 'tweetnacl';
import { createBundleVerifier } from '../../../src/domain/bundle/verify.ts';
import { sha256 } from '../../../src/domain/integrity/index.ts';
import { buildFixture } from './fixture.ts';

const src = new URL('../../../src/', import.meta.url).pathname;

/**
 * Every file `entry` imports, transitively, through relative imports. `import type` / `export type` lines are
 * not followed: the compiler erases them, so they bring no code into the browser.
 */
function importGraph(entry: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const text = readFileSync(file, 'utf8');
    files.set(file, text);
    for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*from '(\.[^']+)'/gm))
      visit(resolve(dirname(file), m[1]!));
  };
  visit(entry);
  return files;
}

describe('bundle: the verifier is portable to a browser', () => {
  it('verify.ts and everything it imports use no Node-only API', () => {
    const graph = importGraph(resolve(src, 'domain/bundle/verify.ts'));
    expect(graph.size).to.be.greaterThan(5);
    for (const [file, text] of graph) {
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, file).to.not.match(/from 'node:|require\(|\bBuffer\b|\bprocess\./);
      expect(code, file).to.not.match(/from '(?!\.|zod)[^']+'/);
    }
  });

  it('gives the same report with tweetnacl signatures as with node:crypto', () => {
    const verifyWithNacl = createBundleVerifier({
      sha256: (data) => sha256(data), // a browser passes a JavaScript SHA-256 here
      ed25519Verify: (message, signature, publicKey) =>
        signature.length === 64 &&
        publicKey.length === 32 &&
        nacl.sign.detached.verify(message, signature, publicKey),
    });
    expect(verifyWithNacl(buildFixture().entries).valid).to.equal(true);
    const forged = verifyWithNacl(buildFixture({ reviewSigner: 'stranger' }).entries);
    expect(forged.checks.filter((c) => c.status === 'fail').map((c) => c.code)).to.deep.equal([
      'SIGNOFF_SIGNATURE',
    ]);
  });
});
