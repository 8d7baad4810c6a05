/**
 * An independent log monitor, written from the C2SP specifications (tlog-tiles, tlog-checkpoint,
 * signed-note) and integrity.md alone. It imports nothing from src/: only node:crypto and fetch. It follows a
 * node's `/log/…`, verifies each checkpoint under the published verifier key, recomputes the root from the
 * entry bundles, checks every hash tile against its own computation, checks records against their entries
 * and each stream's `prev` chain, and remembers what it saw, so a rollback or a fork raises a MonitorAlarm.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

export type AlarmKind =
  | 'signature'
  | 'rollback'
  | 'fork'
  | 'root-mismatch'
  | 'tile-mismatch'
  | 'record-mismatch'
  | 'chain'
  | 'malformed';

export class MonitorAlarm extends Error {
  constructor(
    readonly kind: AlarmKind,
    message: string,
  ) {
    super(message);
    this.name = 'MonitorAlarm';
  }
}

export interface SeenCheckpoint {
  origin: string;
  size: number;
  root: Buffer;
  text: string;
}

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHash = (data: Uint8Array): Buffer => sha256(Buffer.from([0]), data);
const nodeHash = (l: Uint8Array, r: Uint8Array): Buffer => sha256(Buffer.from([1]), l, r);

/** RFC 6962 §2.1 MTH over leaf hashes [from, to). */
export function merkleRoot(leaves: Buffer[], from = 0, to = leaves.length): Buffer {
  const n = to - from;
  if (n === 0) return sha256();
  if (n === 1) return leaves[from]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(merkleRoot(leaves, from, from + k), merkleRoot(leaves, from + k, to));
}

/** tlog-tiles: N in 3-digit groups, all but the last prefixed with x. */
export function tileIndexPath(n: number): string {
  const groups: string[] = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}
const suffix = (n: number, w: number): string =>
  w === 256 ? tileIndexPath(n) : `${tileIndexPath(n)}.p/${w}`;

interface VerifierKey {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
}

/** signed-note verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>`; checks the key id. */
export function parseVerifierKey(vkey: string): VerifierKey {
  // The key name holds no '+'; the base64 key may.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey);
  if (!m) throw new MonitorAlarm('malformed', 'verifier key is not name+id+key');
  const [, name, hexId, b64] = m as unknown as [string, string, string, string];
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== 0x01)
    throw new MonitorAlarm('malformed', 'verifier key is not an Ed25519 (0x01) key');
  const keyId = sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x01]), raw.subarray(1)).subarray(0, 4);
  if (keyId.toString('hex') !== hexId)
    throw new MonitorAlarm('malformed', 'verifier key id does not match name and key');
  return { name, keyId, publicKey: raw.subarray(1) };
}

function ed25519Verify(publicKey: Buffer, message: Buffer, signature: Buffer): boolean {
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]),
    format: 'der',
    type: 'spki',
  });
  return verify(null, message, key, signature);
}

/** Opens a checkpoint note: the signed text is everything up to and including the blank line's predecessor. */
export function openCheckpoint(text: string, key: VerifierKey): SeenCheckpoint {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new MonitorAlarm('malformed', 'note has no signature block');
  const body = text.slice(0, split + 1);
  const sigLines = text.slice(split + 2).split('\n');
  if (sigLines.pop() !== '') throw new MonitorAlarm('malformed', 'note does not end with a newline');
  let verified = false;
  for (const line of sigLines) {
    const m = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new MonitorAlarm('malformed', 'bad signature line');
    const sig = Buffer.from(m[2]!, 'base64');
    if (m[1] !== key.name || sig.length !== 68 || !sig.subarray(0, 4).equals(key.keyId)) continue; // another signer (a witness)
    if (!ed25519Verify(key.publicKey, Buffer.from(body, 'utf8'), sig.subarray(4)))
      throw new MonitorAlarm('signature', 'checkpoint signature does not verify');
    verified = true;
  }
  if (!verified) throw new MonitorAlarm('signature', 'no signature by the log key');
  const lines = body.split('\n');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin !== key.name) throw new MonitorAlarm('malformed', 'origin is not the key name');
  if (!/^(0|[1-9]\d*)$/.test(sizeText ?? '')) throw new MonitorAlarm('malformed', 'bad tree size');
  const root = Buffer.from(rootText ?? '', 'base64');
  if (root.length !== 32) throw new MonitorAlarm('malformed', 'bad root hash');
  return { origin, size: Number(sizeText), root, text };
}

/**
 * C2SP tlog-cosignature/v1, written from the spec: the witness vkey is `<name>+<hex id>+<base64(0x04 ‖ key)>`
 * with id = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[0:4]; a cosignature line is `— <name> base64(id ‖ u64 BE
 * timestamp ‖ Ed25519 signature)` over `cosignature/v1\ntime <timestamp>\n` ‖ the checkpoint body. Returns the
 * timestamp of the first line by that key that verifies over the note's body; throws `MonitorAlarm` otherwise.
 */
export function verifyWitnessCosignature(note: string, witnessVkey: string): number {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(witnessVkey);
  if (!m) throw new MonitorAlarm('malformed', 'witness key is not name+id+key');
  const [, name, hexId, b64] = m as unknown as [string, string, string, string];
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== 0x04)
    throw new MonitorAlarm('malformed', 'witness key is not a cosignature (0x04) key');
  const keyId = sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x04]), raw.subarray(1)).subarray(0, 4);
  if (keyId.toString('hex') !== hexId)
    throw new MonitorAlarm('malformed', 'witness key id does not match name and key');
  const split = note.indexOf('\n\n');
  if (split < 0) throw new MonitorAlarm('malformed', 'note has no signature block');
  const body = note.slice(0, split + 1);
  for (const line of note.slice(split + 2).split('\n')) {
    const l = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!l || l[1] !== name) continue;
    const sig = Buffer.from(l[2]!, 'base64');
    if (sig.length !== 4 + 8 + 64 || !sig.subarray(0, 4).equals(keyId)) continue;
    const timestamp = sig.readBigUInt64BE(4);
    const message = Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');
    if (ed25519Verify(raw.subarray(1), message, sig.subarray(12))) return Number(timestamp);
    throw new MonitorAlarm('signature', 'cosignature does not verify');
  }
  throw new MonitorAlarm('signature', 'no cosignature by the witness key');
}

export interface MonitorOptions {
  baseUrl: string;
  verifierKey: string;
  /** Bearer token of an auditor, to check records. */
  auditorToken?: string;
  fetch?: typeof fetch;
}

export class LogMonitor {
  private readonly key: VerifierKey;
  private readonly fetchFn: typeof fetch;
  /** The newest checkpoint verified so far. */
  seen: SeenCheckpoint | undefined;
  /** Every tile fetched, by path, so a later fetch of the same full tile must agree. */
  readonly tilesFetched = new Map<string, Buffer>();

  constructor(private readonly options: MonitorOptions) {
    this.key = parseVerifierKey(options.verifierKey);
    this.fetchFn = options.fetch ?? fetch;
  }

  private async get(path: string, headers: Record<string, string> = {}): Promise<Buffer> {
    const res = await this.fetchFn(`${this.options.baseUrl}/log/${path}`, { headers });
    if (res.status !== 200) throw new MonitorAlarm('malformed', `GET /log/${path}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  /** Fetches the node's checkpoint and checks it. */
  async update(): Promise<SeenCheckpoint> {
    return this.check((await this.get('checkpoint')).toString('utf8'));
  }

  /**
   * Checks a checkpoint (from the node or gossiped by anyone): signature, no rollback, no fork, root
   * recomputed from the entry bundles, hash tiles, and (with a token) records. Remembers it when it holds.
   */
  async check(text: string): Promise<SeenCheckpoint> {
    const cp = openCheckpoint(text, this.key);
    const prev = this.seen;
    if (prev && cp.size < prev.size)
      throw new MonitorAlarm('rollback', `tree size ${cp.size} after ${prev.size}`);
    if (prev && cp.size === prev.size && !cp.root.equals(prev.root))
      throw new MonitorAlarm('fork', `two roots for size ${cp.size}`);
    const leaves = await this.leafHashes(cp.size);
    if (!merkleRoot(leaves).equals(cp.root))
      throw new MonitorAlarm('root-mismatch', `entries do not give the signed root at size ${cp.size}`);
    // Consistency by recomputation: the old tree must be the prefix of the new one.
    if (prev && !merkleRoot(leaves, 0, prev.size).equals(prev.root)) {
      throw new MonitorAlarm('fork', `tree of size ${cp.size} does not extend the one of size ${prev.size}`);
    }
    await this.checkTiles(leaves);
    if (this.options.auditorToken) await this.checkRecords(cp.size);
    this.seen = cp;
    return cp;
  }

  /** Leaf hashes of the first `size` leaves, from the entry bundles. */
  private async leafHashes(size: number): Promise<Buffer[]> {
    const leaves: Buffer[] = [];
    for (let n = 0; n * 256 < size; n++) {
      const w = Math.min(256, size - n * 256);
      const bundle = await this.get(`tile/entries/${suffix(n, w)}`);
      let at = 0;
      for (let i = 0; i < w; i++) {
        if (at + 2 > bundle.length) throw new MonitorAlarm('malformed', `entry bundle ${n} is short`);
        const len = bundle.readUInt16BE(at);
        const entry = bundle.subarray(at + 2, at + 2 + len);
        if (len !== 32 || entry.length !== 32)
          throw new MonitorAlarm('malformed', `entry ${n * 256 + i} is not 32 bytes`);
        leaves.push(leafHash(entry));
        this.entries[n * 256 + i] = Buffer.from(entry);
        at += 2 + len;
      }
      if (at !== bundle.length) throw new MonitorAlarm('malformed', `entry bundle ${n} has trailing bytes`);
    }
    return leaves;
  }

  /** Record hashes (the entries) by leaf index, as last fetched. */
  readonly entries: Buffer[] = [];

  /** Every tile of the tree (tlog-tiles: level L holds ⌊size/256^L⌋ hashes of 256^L-leaf subtrees). */
  private async checkTiles(leaves: Buffer[]): Promise<void> {
    let level = leaves;
    for (let L = 0; level.length > 0; L++) {
      for (let n = 0; n * 256 < level.length; n++) {
        const w = Math.min(256, level.length - n * 256);
        const path = `tile/${L}/${suffix(n, w)}`;
        const tile = await this.get(path);
        const expected = Buffer.concat(level.slice(n * 256, n * 256 + w));
        if (!tile.equals(expected))
          throw new MonitorAlarm('tile-mismatch', `${path} differs from the entries`);
        this.tilesFetched.set(path, tile);
      }
      // The next level's hashes: roots of the full tiles of this one (each a perfect 256-hash subtree).
      const next: Buffer[] = [];
      for (let n = 0; (n + 1) * 256 <= level.length; n++)
        next.push(merkleRoot(level, n * 256, (n + 1) * 256));
      level = next;
    }
  }

  /** Records: SHA-256 of each line is its entry; each stream's `prev` is the previous record hash in it. */
  private async checkRecords(size: number): Promise<void> {
    const heads = new Map<string, { revision: number; hash: string }>();
    for (let n = 0; n * 256 < size; n++) {
      const w = Math.min(256, size - n * 256);
      const text = (
        await this.get(`records/${suffix(n, w)}`, {
          authorization: `Bearer ${this.options.auditorToken!}`,
          'x-purpose': 'log monitor audit',
        })
      ).toString('utf8');
      const lines = text.split('\n');
      if (lines.pop() !== '' || lines.length !== w)
        throw new MonitorAlarm('malformed', `records ${n}: ${lines.length} lines for ${w} entries`);
      lines.forEach((line, i) => {
        const index = n * 256 + i;
        const hash = sha256(Buffer.from(line, 'utf8'));
        if (!hash.equals(this.entries[index]!))
          throw new MonitorAlarm('record-mismatch', `record at leaf ${index} does not hash to its entry`);
        const record = JSON.parse(line) as { stream: string; revision: number; prev: string };
        const head = heads.get(record.stream);
        const expectedPrev = head ? head.hash : '0'.repeat(64);
        const expectedRevision = head ? head.revision + 1 : 0;
        if (record.revision !== expectedRevision || record.prev !== expectedPrev) {
          throw new MonitorAlarm('chain', `record at leaf ${index} breaks the prev chain of its stream`);
        }
        heads.set(record.stream, { revision: record.revision, hash: hash.toString('hex') });
      });
    }
  }
}
