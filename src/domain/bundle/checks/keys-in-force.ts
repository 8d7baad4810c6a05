/**
 * Keys in force (integrity.md §4): a key signs a record when it was registered in its key stream at a lower
 * leaf index and not revoked below it. Shared by DEVICE_SIGNATURE and SIGNOFF_SIGNATURE.
 */
import { canonicalBytes } from '../../integrity/canonical.ts';
import { fromBase64 } from '../../integrity/encoding.ts';
import type { ParsedRecord } from './facts.ts';
import { isString } from './parts.ts';
import type { CheckTools } from './tools.ts';
import type { BundleFailure } from './types.ts';

export interface KeyEvent {
  leafIndex: number;
  add?: { keyId: string; publicKey: Uint8Array };
  revokeKeyId?: string;
}

/** The key registrations and revocations of a key stream, undefined when the stream is not in the bundle. */
export function keyEvents(
  t: CheckTools,
  byStream: Map<string, ParsedRecord[]>,
  stream: string,
  registering: readonly string[],
  revoking: readonly string[],
): KeyEvent[] | undefined {
  const list = byStream.get(stream);
  if (!list) return undefined;
  const events: KeyEvent[] = [];
  for (const r of list) {
    if (registering.includes(r.type)) {
      const publicKey = isString(r.data.publicKey) ? fromBase64(r.data.publicKey, 32) : undefined;
      if (publicKey)
        events.push({ leafIndex: r.leafIndex, add: { keyId: t.sha256Hex(publicKey).slice(0, 16), publicKey } });
    } else if (revoking.includes(r.type) && isString(r.data.keyId)) {
      events.push({ leafIndex: r.leafIndex, revokeKeyId: r.data.keyId });
    }
  }
  return events;
}

/** Keys registered below `leafIndex` and not revoked below it; plus the ids revoked below it. */
export function keysInForce(events: readonly KeyEvent[], leafIndex: number) {
  const inForce = new Map<string, Uint8Array>();
  const revoked = new Set<string>();
  for (const e of events) {
    if (e.leafIndex >= leafIndex) continue;
    if (e.add) inForce.set(e.add.keyId, e.add.publicKey);
    if (e.revokeKeyId) revoked.add(e.revokeKeyId);
  }
  for (const id of revoked) inForce.delete(id);
  return { inForce, revoked };
}

/** Checks `r.data.signature` over `payload` under the key in force in `keyStream`; pushes failures to `out`. */
export function checkSignature(
  t: CheckTools,
  out: BundleFailure[],
  r: ParsedRecord,
  keyStream: string,
  events: KeyEvent[] | undefined,
  payload: unknown,
  what: string,
): void {
  const fail = (message: string) => out.push({ message, recordIds: [r.id] });
  if (!events) {
    fail(`${what}: key stream ${keyStream} is not in the bundle`);
    return;
  }
  const signature = isString(r.data.signature) ? fromBase64(r.data.signature, 64) : undefined;
  if (!signature) {
    fail(`${what}: signature is missing or not base64 of 64 bytes`);
    return;
  }
  const { inForce, revoked } = keysInForce(events, r.leafIndex);
  const claimed = isString(r.data.keyId) ? r.data.keyId : undefined;
  let message: Uint8Array;
  try {
    message = canonicalBytes(payload);
  } catch {
    fail(`${what}: signed payload cannot be canonicalized`);
    return;
  }
  const candidates = claimed !== undefined ? [claimed] : [...inForce.keys()];
  for (const id of candidates) {
    const key = inForce.get(id);
    if (key && t.safeVerify(message, signature, key)) return;
  }
  if (claimed !== undefined && revoked.has(claimed)) {
    fail(`${what}: signed by key ${claimed}, revoked before this record`);
  } else if (claimed !== undefined && !inForce.has(claimed)) {
    fail(`${what}: key ${claimed} is not registered in ${keyStream} before this record`);
  } else {
    fail(`${what}: signature does not verify under the key in force`);
  }
}
