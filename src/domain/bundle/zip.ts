/**
 * Reading and writing bundle archives with jszip. Reading treats the archive as hostile: names with `..`
 * segments, absolute or drive paths, backslashes, duplicates (checked in the central directory itself, since
 * jszip would silently keep only one), more than `maxEntries` entries, and more than `maxTotalBytes` of
 * *actual* decompressed output (counted while inflating, so a zip bomb is stopped early) are refused with
 * `BundleReadError`. Every entry also has its own size cap by kind (`ENTRY_SIZE_LIMITS`): an entry whose
 * declared size (central directory) exceeds its cap is refused before anything is inflated, and since a
 * declared size can lie, inflating stops as soon as the output exceeds the declared size or the cap
 * (`BundleEntryTooLargeError`). No Node-only API: the browser verifier can use this file too.
 */
import JSZip from 'jszip';
import { AppError } from '../shared/errors.ts';

export class BundleReadError extends AppError {
  readonly category = 'validation' as const;
  readonly code: string = 'bundle-unreadable';
}

/** One entry is larger than its cap, as declared in the central directory or as actually inflated. */
export class BundleEntryTooLargeError extends BundleReadError {
  override readonly code: string = 'bundle-entry-too-large';
}

/** Uncompressed size caps per entry kind, in bytes (documented in docs/integrity.md, court bundles). */
export interface EntrySizeLimits {
  /** `evidence/<hex>`: the node's `MAX_EVIDENCE_BYTES` default; raise it for a node configured higher. */
  evidence: number;
  /** `records.jsonl` and `proofs.json`: grow with the number of records. */
  records: number;
  /** `manifest.json` (lists every stream and evidence item). */
  manifest: number;
  /** `keys.json`, `checkpoint.txt`, `manifest.sig`, `README.txt`, and any other entry. */
  small: number;
}

export const ENTRY_SIZE_LIMITS: EntrySizeLimits = {
  evidence: 20 * 1024 * 1024,
  records: 64 * 1024 * 1024,
  manifest: 4 * 1024 * 1024,
  small: 1024 * 1024,
};

/** The cap that applies to an entry name. */
export function entrySizeLimit(entryName: string, limits: EntrySizeLimits = ENTRY_SIZE_LIMITS): number {
  // A linked part (`linked/<province>/…`, docs/federation.md) is a whole bundle: its entries have their kinds' caps.
  const name = entryName.replace(/^linked\/[^/]+\//, '');
  if (name.startsWith('evidence/')) return limits.evidence;
  if (name === 'records.jsonl' || name === 'proofs.json') return limits.records;
  if (name === 'manifest.json') return limits.manifest;
  return limits.small;
}

export interface ReadBundleOptions {
  /** Cap on the sum of decompressed entry sizes; default 2 GiB. */
  maxTotalBytes?: number;
  /** Cap on the number of entries; default 10,000. */
  maxEntries?: number;
  /** Per-entry caps by kind; defaults `ENTRY_SIZE_LIMITS`, any field overridable. */
  entryLimits?: Partial<EntrySizeLimits>;
}

interface CentralEntry {
  name: string;
  /** Uncompressed size as the central directory declares it (may lie). */
  declaredSize: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

/** Entry names and declared sizes from the central directory, in order, without trusting jszip's de-duplicating map. */
function centralDirectory(bytes: Uint8Array, maxEntries: number): CentralEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new BundleReadError('not a ZIP archive (no end of central directory)');
  const count = view.getUint16(eocd + 10, true);
  const size = view.getUint32(eocd + 12, true);
  const offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff)
    throw new BundleReadError('ZIP64 archives are not accepted as bundles');
  if (count > maxEntries)
    throw new BundleReadError(`the archive has ${count} entries, more than ${maxEntries}`);
  if (offset + size > bytes.length)
    throw new BundleReadError('the central directory lies outside the archive');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entries: CentralEntry[] = [];
  let p = offset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL_SIGNATURE)
      throw new BundleReadError('malformed central directory');
    const declaredSize = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (p + 46 + nameLength > bytes.length) throw new BundleReadError('malformed central directory');
    try {
      entries.push({ name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)), declaredSize });
    } catch {
      throw new BundleReadError('an entry name is not valid UTF-8');
    }
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function checkName(name: string): void {
  const bad = (why: string) => new BundleReadError(`entry ${JSON.stringify(name)} refused: ${why}`);
  if (name.length === 0 || name.length > 512) throw bad('empty or too long');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw bad('absolute path');
  if (name.includes('\\')) throw bad('backslash in name');
  if (/[\u0000-\u001f]/.test(name)) throw bad('control character in name');
  if (name.split('/').some((segment) => segment === '..' || segment === '.'))
    throw bad('relative path segment');
}

/**
 * Inflates one entry, stopping (and dropping what it inflated) as soon as the output exceeds the entry's
 * declared size, its cap, or the archive's total budget: a lying or hostile entry never inflates in full.
 */
function readEntry(
  file: JSZip.JSZipObject,
  declaredSize: number,
  limit: number,
  budget: { left: number },
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let chunks: Uint8Array[] = [];
    let size = 0;
    let stopped = false;
    // internalStream is jszip's documented streaming primitive (not in its type declarations).
    const stream = (file as unknown as { internalStream(type: 'uint8array'): StreamHelper }).internalStream(
      'uint8array',
    );
    stream
      .on('data', (chunk: Uint8Array) => {
        if (stopped) return;
        size += chunk.length;
        budget.left -= chunk.length;
        const stop = (error: BundleReadError): void => {
          stopped = true;
          chunks = [];
          stream.pause();
          reject(error);
        };
        if (size > limit) {
          stop(
            new BundleEntryTooLargeError(
              `entry ${JSON.stringify(file.name)} decompresses to more than its limit of ${limit} bytes`,
              { entry: file.name, limit, inflated: size },
            ),
          );
          return;
        }
        if (size > declaredSize) {
          stop(
            new BundleEntryTooLargeError(
              `entry ${JSON.stringify(file.name)} decompresses to more than the ${declaredSize} bytes it declares`,
              { entry: file.name, declaredSize, inflated: size },
            ),
          );
          return;
        }
        if (budget.left < 0) {
          stop(new BundleReadError('the archive decompresses to more than the size limit (zip bomb?)'));
          return;
        }
        chunks.push(chunk);
      })
      .on('error', (e: unknown) =>
        reject(
          new BundleReadError(
            `entry ${file.name} cannot be decompressed: ${String((e as Error)?.message ?? e)}`,
          ),
        ),
      )
      .on('end', () => {
        if (stopped) return;
        if (size !== declaredSize) {
          reject(
            new BundleReadError(
              `entry ${JSON.stringify(file.name)} decompresses to ${size} bytes, the archive declares ${declaredSize}`,
            ),
          );
          return;
        }
        const out = new Uint8Array(size);
        let o = 0;
        for (const c of chunks) {
          out.set(c, o);
          o += c.length;
        }
        resolve(out);
      })
      .resume();
  });
}

interface StreamHelper {
  on(event: 'data', fn: (chunk: Uint8Array) => void): StreamHelper;
  on(event: 'error', fn: (e: unknown) => void): StreamHelper;
  on(event: 'end', fn: () => void): StreamHelper;
  resume(): StreamHelper;
  pause(): StreamHelper;
}

/** Reads a bundle archive into entry name → bytes. Throws `BundleReadError` for anything unreadable or hostile. */
export async function readBundleZip(
  bytes: Uint8Array,
  options: ReadBundleOptions = {},
): Promise<Map<string, Uint8Array>> {
  const maxTotalBytes = options.maxTotalBytes ?? 2 * 1024 ** 3;
  const maxEntries = options.maxEntries ?? 10_000;
  const limits: EntrySizeLimits = { ...ENTRY_SIZE_LIMITS, ...options.entryLimits };
  if (!(bytes instanceof Uint8Array)) throw new BundleReadError('input is not bytes');
  const central = centralDirectory(bytes, maxEntries);
  const seen = new Map<string, number>();
  for (const { name, declaredSize } of central) {
    if (seen.has(name)) throw new BundleReadError(`entry ${JSON.stringify(name)} appears twice`);
    seen.set(name, declaredSize);
    if (!name.endsWith('/')) checkName(name);
    else checkName(name.slice(0, -1));
    const limit = entrySizeLimit(name, limits);
    if (declaredSize > limit)
      throw new BundleEntryTooLargeError(
        `entry ${JSON.stringify(name)} declares ${declaredSize} bytes, more than its limit of ${limit}`,
        { entry: name, limit, declaredSize, inflated: 0 },
      );
  }
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { createFolders: false, checkCRC32: false });
  } catch (e) {
    throw new BundleReadError(`not a readable ZIP archive: ${(e as Error).message}`);
  }
  const budget = { left: maxTotalBytes };
  const entries = new Map<string, Uint8Array>();
  for (const file of Object.values(zip.files)) {
    if (file.dir) continue;
    if (!seen.has(file.name))
      throw new BundleReadError(`entry ${JSON.stringify(file.name)} is not in the central directory`);
    entries.set(
      file.name,
      await readEntry(file, seen.get(file.name)!, entrySizeLimit(file.name, limits), budget),
    );
  }
  return entries;
}

/** Writes entries as a deterministic ZIP (sorted names, fixed dates, DEFLATE). */
export async function writeBundleZip(entries: Map<string, Uint8Array>): Promise<Uint8Array> {
  const zip = new JSZip();
  const date = new Date(Date.UTC(1980, 0, 1));
  for (const name of [...entries.keys()].sort()) {
    checkName(name);
    // Evidence is already-compressed media (JPEG, video): deflating it costs time and saves nothing.
    const store = name.startsWith('evidence/');
    zip.file(name, entries.get(name)!, { date, binary: true, createFolders: false, ...(store ? { compression: 'STORE' as const } : {}) });
  }
  return zip.generateAsync({
    type: 'uint8array',
    compression: 'DEFLATE',
    compressionOptions: { level: 6 },
    platform: 'UNIX',
  });
}
