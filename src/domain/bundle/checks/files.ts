/**
 * 1. FILES (bundle.md): the manifest is a v1 manifest, every entry it lists is present with its digest, no
 * entry is unaccounted for, keys.json holds a usable log key, and manifest.sig verifies under it.
 */
import { fromBase64, fromUtf8 } from '../../integrity/encoding.ts';
import { isTreeSize } from '../../integrity/merkle-core.ts';
import { BUNDLE_FORMAT, ENTRY, EVIDENCE_ENTRY, HASHED_ENTRIES } from '../format.ts';
import type { BundleKeys } from './facts.ts';
import { DIGEST, isObject, isString, type BundleReader } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export interface FilesResult {
  failures: BundleFailure[];
  /** Entries no digest covers, sorted (the report's `unverifiedEntries`). */
  unverifiedEntries: string[];
}

export function checkFiles(t: CheckTools, reader: BundleReader, keys: BundleKeys): FilesResult {
  const failures: BundleFailure[] = [];
  const fail = (message: string, extra?: { digests?: string[] }) => failures.push(failure(message, extra));
  const { manifestBytes, manifest } = reader;
  if (!manifestBytes) fail('manifest.json is missing');
  else if (!manifest) fail('manifest.json is not a JSON object');
  if (manifest) {
    if (manifest.format !== BUNDLE_FORMAT)
      fail(`manifest format is ${JSON.stringify(manifest.format)}, expected ${BUNDLE_FORMAT}`);
    if (!isString(manifest.caseId)) fail('manifest.caseId is missing');
    if (!isTreeSize(manifest.treeSize)) fail('manifest.treeSize is not a non-negative integer');
  }
  const files = manifest && isObject(manifest.files) ? manifest.files : {};
  if (manifest && !isObject(manifest.files)) fail('manifest.files is missing');
  for (const name of HASHED_ENTRIES) {
    if (manifest && !(name in files)) fail(`manifest.files does not list ${name}`);
  }
  for (const [name, digest] of Object.entries(files)) {
    const bytes = reader.entry(name);
    if (!bytes) fail(`${name} is listed in the manifest but missing`, { digests: isString(digest) ? [digest] : undefined });
    else if (!isString(digest) || !DIGEST.test(digest)) fail(`manifest digest of ${name} is malformed`);
    else if (`sha256:${t.sha256Hex(bytes)}` !== digest)
      fail(`${name} does not match its manifest digest`, { digests: [digest] });
  }
  // Covered: the manifest (by manifest.sig), its signature, every entry manifest.files lists (by digest)
  // and evidence/<hex> (by its name). Anything else is not verified content, and is reported as such.
  const covered = new Set<string>([ENTRY.manifest, ENTRY.manifestSig, ...Object.keys(files)]);
  const unverifiedEntries: string[] = [];
  for (const [name] of reader.entries()) {
    if (covered.has(name) || EVIDENCE_ENTRY.test(name)) continue;
    unverifiedEntries.push(name);
    if (name !== ENTRY.readme) fail(`unexpected entry ${JSON.stringify(name)}`);
  }
  unverifiedEntries.sort();

  // keys.json: the log key signs the manifest (here) and the checkpoint (CHECKPOINT).
  for (const problem of keys.problems) if (problem.code === 'FILES') fail(problem.message);
  const sigText = reader.entry(ENTRY.manifestSig);
  const sig = sigText ? fromBase64((fromUtf8(sigText) ?? '').trim(), 64) : undefined;
  if (!sigText) fail('manifest.sig is missing');
  else if (!sig) fail('manifest.sig is not base64 of a 64-byte signature');
  else if (manifestBytes && keys.logKey && !t.safeVerify(manifestBytes, sig, keys.logKey.publicKey))
    fail('manifest.sig does not verify under the log key');
  return { failures, unverifiedEntries };
}
