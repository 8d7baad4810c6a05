/**
 * Evidence store throughput, encrypted at rest against plain, same blobs, same run (docs/data-protection.md):
 * - put: 1 MiB blobs (a camera JPEG is 0.1–1 MiB), each durable (fsync) before the next;
 * - get: streaming verified reads of the same blobs (digest check; plus GCM per segment when encrypted).
 * Target: encrypted ≥ 0.8× plain for both.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyEncryptionKeys, FileSystemEvidenceStore } from '../src/adapters/evidence/index.ts';
import { figure, scaled } from './report.ts';

const BLOB_BYTES = 1024 * 1024;
const BLOBS = scaled(process.env.BENCH_EVIDENCE_BLOBS, 48, 8);

async function measure(store: FileSystemEvidenceStore, blobs: Buffer[]): Promise<{ putMiBs: number; getMiBs: number }> {
  const digests: string[] = [];
  let start = process.hrtime.bigint();
  for (const blob of blobs) digests.push((await store.put(blob)).digest);
  const putS = Number(process.hrtime.bigint() - start) / 1e9;
  start = process.hrtime.bigint();
  for (let round = 0; round < 3; round++) {
    for (const digest of digests) {
      for await (const chunk of await store.get(digest)) void chunk;
    }
  }
  const getS = Number(process.hrtime.bigint() - start) / 1e9;
  const mib = (blobs.length * BLOB_BYTES) / (1024 * 1024);
  return { putMiBs: mib / putS, getMiBs: (3 * mib) / getS };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tec-bench-evidence-'));
  try {
    const blobs = Array.from({ length: BLOBS }, () => randomBytes(BLOB_BYTES));
    const keys = FileKeyEncryptionKeys.create(join(dir, 'keys', 'evidence-kek.key'));
    // Alternate the order over two passes so neither store always runs on a warmer cache.
    const results = { plain: [] as { putMiBs: number; getMiBs: number }[], encrypted: [] as { putMiBs: number; getMiBs: number }[] };
    for (let pass = 0; pass < 2; pass++) {
      const order = pass === 0 ? (['plain', 'encrypted'] as const) : (['encrypted', 'plain'] as const);
      for (const kind of order) {
        const store = await FileSystemEvidenceStore.open(join(dir, `${kind}-${pass}`), kind === 'encrypted' ? { encryption: keys } : {});
        results[kind].push(await measure(store, blobs));
      }
    }
    const best = (xs: { putMiBs: number; getMiBs: number }[], k: 'putMiBs' | 'getMiBs') => Math.max(...xs.map((x) => x[k]));
    const plainPut = best(results.plain, 'putMiBs');
    const plainGet = best(results.plain, 'getMiBs');
    const encPut = best(results.encrypted, 'putMiBs');
    const encGet = best(results.encrypted, 'getMiBs');
    console.log(`${BLOBS} blobs of ${BLOB_BYTES} bytes, put fsynced one at a time, get streamed and verified (best of 2 passes)`);
    console.log(`put  plain ${plainPut.toFixed(1)} MiB/s, encrypted ${encPut.toFixed(1)} MiB/s: ${(encPut / plainPut).toFixed(2)}× (target ≥ 0.8×)`);
    figure({ bench: 'evidence', figure: 'put-encrypted', value: encPut, unit: 'MiB/s', baseline: plainPut, target: '>= 0.8x' });
    figure({ bench: 'evidence', figure: 'get-encrypted', value: encGet, unit: 'MiB/s', baseline: plainGet, target: '>= 0.8x' });
    console.log(`get  plain ${plainGet.toFixed(1)} MiB/s, encrypted ${encGet.toFixed(1)} MiB/s: ${(encGet / plainGet).toFixed(2)}× (target ≥ 0.8×)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
