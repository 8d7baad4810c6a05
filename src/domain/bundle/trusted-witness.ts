/**
 * Trusted witnesses (integrity.md §10; docs/federation.md "Court bundles with the national cosignature"): each
 * witness verifier key a reader obtained out of band (`tec verify --trusted-witness`, the browser verifier's
 * trusted-witness field) is checked against the bundle checkpoint's cosignature lines directly, whatever
 * keys.json says. Pure over the integrity primitives, so the CLI (node:crypto) and the browser give one answer.
 */
import { ENTRY } from './format.ts';
import { verifyCosignatureWith } from '../integrity/checkpoint-core.ts';
import { AppError } from '../shared/errors.ts';
import { NOTE_KEY_TYPE_COSIGNATURE, parseNote, parseVerifierKeyWith } from '../integrity/note.ts';
import type { IntegrityPrimitives } from '../integrity/primitives.ts';

/** What a trusted witness key found in one bundle. */
export interface TrustedWitnessResult {
  key: string;
  name: string;
  /** verified: a cosignature verifies under the key; absent: none claims it; invalid: one claims it and fails. */
  status: 'verified' | 'absent' | 'invalid';
  /** The cosignature's time (unix seconds) when verified. */
  timestamp?: number;
}

/** A trusted witness key that is not a witness (cosignature, type 0x04) verifier key. */
export class TrustedWitnessKeyError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'trusted-witness-malformed';
}

/** Checks that `key` is a witness verifier key (name+id+base64(0x04 ‖ key)); throws `TrustedWitnessKeyError`. */
export function parseTrustedWitnessKey(p: IntegrityPrimitives, key: string): { name: string; keyId: string } {
  let parsed: ReturnType<typeof parseVerifierKeyWith>;
  try {
    parsed = parseVerifierKeyWith(p, key.trim());
  } catch {
    throw new TrustedWitnessKeyError(`trusted witness ${key.slice(0, 40)}… is not a verifier key (name+id+key)`);
  }
  if (parsed.type !== NOTE_KEY_TYPE_COSIGNATURE) {
    throw new TrustedWitnessKeyError('a trusted witness must be a witness (cosignature, type 0x04) key');
  }
  return { name: parsed.name, keyId: parsed.keyId };
}

/** Each trusted key against the checkpoint's signature lines. The keys must have passed `parseTrustedWitnessKey`. */
export function checkTrustedWitnessesWith(
  p: IntegrityPrimitives,
  entries: ReadonlyMap<string, Uint8Array>,
  trusted: readonly string[],
): TrustedWitnessResult[] {
  const bytes = entries.get(ENTRY.checkpoint);
  let text: string | undefined;
  let signatures: { name: string; keyId: string; line: string }[] = [];
  try {
    text = bytes ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : undefined;
    signatures = text === undefined ? [] : parseNote(text).signatures.map((s) => ({ name: s.name, keyId: s.keyId, line: s.line }));
  } catch {
    signatures = [];
  }
  return trusted.map((raw) => {
    const key = raw.trim();
    const parsed = parseTrustedWitnessKey(p, key);
    const claims = signatures.filter((s) => s.name === parsed.name && s.keyId === parsed.keyId);
    if (claims.length === 0 || text === undefined) return { key, name: parsed.name, status: 'absent' as const };
    for (const c of claims) {
      try {
        const timestamp = verifyCosignatureWith(p, text, c.line, key);
        if (timestamp !== undefined) return { key, name: parsed.name, status: 'verified' as const, timestamp };
      } catch {
        // a line that does not parse as a cosignature: invalid below
      }
    }
    return { key, name: parsed.name, status: 'invalid' as const };
  });
}
