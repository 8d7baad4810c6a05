/**
 * `npm run bench -- federation` (docs/federation.md): two real API nodes in one process (a province with its
 * ledger, the national node with the witness and the mirror), talking HTTP over loopback.
 * - Witness round trip: the province's submitter sending a new checkpoint with its consistency proof and
 *   verifying the cosignature that comes back (`submitOnce`), p50/p99. Target p99 < 200 ms.
 * - Mirror throughput: records verified (entries against the cosigned root, each record against its entry
 *   and chain) and stored per second by the national mirror from a cold start, against the province's own
 *   feed read rate (`EventStore.readAll` pages of 1,000) in the same run. Target ≥ 0.5× the feed read rate.
 * `BENCH_FEDERATION_RECORDS` (default 20,000; `--quick` 2,000), `BENCH_FEDERATION_ROUNDS` (100; quick 20).
 * Freshness under steady ingest at both provinces is not measured here.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { MIRROR_SUBJECT } from '../src/adapters/http/routes/log.ts';
import { MirrorFollower } from '../src/adapters/witness/mirror.ts';
import { CheckpointSubmitter } from '../src/adapters/witness/submitter.ts';
import { Witness } from '../src/adapters/witness/witness.ts';
import { loadProvincialLogRegistry } from '../src/commands/federation.ts';
import { systemClock } from '../src/commands/deps.ts';
import { sha256 } from '../src/domain/integrity/index.ts';
import type { NewEvent } from '../src/domain/record.ts';
import { expected } from '../src/ports/eventstore.ts';
import { startApiNode } from '../test/integration/http/support/api-node.ts';
import { waitFor } from '../test/support/env.ts';
import { figure, load, scaled } from './report.ts';

const note = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'NoteAdded',
  data: { n, text: 'x'.repeat(200) },
  meta: { actor: { kind: 'system', id: 'bench' }, province: '01', recordedAt: new Date().toISOString() },
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const records = scaled(process.env.BENCH_FEDERATION_RECORDS, 20_000, 2_000);
  const rounds = scaled(process.env.BENCH_FEDERATION_ROUNDS, 100, 20);
  const national = await startApiNode('bench_fed_national', { sequencer: false });
  const province = await startApiNode('bench_fed_province', { checkpointIntervalMs: 50 });
  const nationalPool = new pg.Pool({ connectionString: national.db.url, max: 6 });
  const provincePool = new pg.Pool({ connectionString: province.db.url, max: 4 });
  try {
    const witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('bench witness'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    // Where a round trip's time goes (the profile behind the p99): the witness's own answer (registry read,
    // state read, decision, cosignature, conditional write) against the whole submission.
    const witnessSide: number[] = [];
    const answer = witness.addCheckpoint.bind(witness);
    witness.addCheckpoint = async (body) => {
      const t = performance.now();
      try {
        return await answer(body);
      } finally {
        witnessSide.push(performance.now() - t);
      }
    };
    const admin = await national.token('admin', '00', 'adm-bench');
    const reg = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ province: '01', origin: province.ledger.origin, verifierKey: province.ledger.verifierKey(), baseUrl: province.url }),
    });
    if (reg.status !== 201) throw new Error(`registration answered ${reg.status}`);
    const submitter = new CheckpointSubmitter({
      db: provincePool,
      ledger: province.ledger,
      witnessUrl: `${national.url}/witness`,
      witnessKey: witness.verifierKey(),
      clock: systemClock,
    });

    // Bulk records for the mirror, appended 100 per stream.
    let appended = 0;
    const appendNotes = async (count: number) => {
      for (let i = 0; i < count; i += 100) {
        const n = Math.min(100, count - i);
        await province.store.append(`case-${randomUUID()}`, Array.from({ length: n }, (_, k) => note(i + k)), expected.any);
        appended += n;
      }
    };
    const sealed = () =>
      waitFor(async () => ((await province.ledger.latestCheckpoint())?.treeSize ?? 0) >= appended, { timeoutMs: 600_000, what: 'sealing' });
    await appendNotes(records);
    await sealed();

    // Witness round trip: a new checkpoint each round (one record, then a checkpoint on demand).
    const rtt: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await appendNotes(1);
      await sealed();
      const t0 = performance.now();
      const r = await submitter.submitOnce();
      rtt.push(performance.now() - t0);
      if (r.outcome !== 'cosigned') throw new Error(`round ${i}: ${r.outcome}`);
    }
    rtt.sort((a, b) => a - b);
    const p50 = percentile(rtt, 50);
    const p99 = percentile(rtt, 99);
    console.log(`witness round trip over ${rounds} checkpoints: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target p99 < 200 ms), load ${load()}`);
    witnessSide.sort((a, b) => a - b);
    console.log(`  of which the witness's own answer: p50 ${percentile(witnessSide, 50).toFixed(1)} ms, p99 ${percentile(witnessSide, 99).toFixed(1)} ms`);
    figure({ bench: 'federation', figure: 'witness-rtt-p50', value: p50, unit: 'ms' });
    figure({ bench: 'federation', figure: 'witness-rtt-p99', value: p99, unit: 'ms', target: '< 200' });

    // Baseline: the province's own feed read rate.
    let read = 0;
    const tf = performance.now();
    let after: string | undefined;
    for (;;) {
      const page = await province.store.readAll({ maxCount: 1000, ...(after !== undefined ? { after } : {}) });
      if (page.length === 0) break;
      read += page.length;
      after = page.at(-1)!.checkpoint;
    }
    const feedRate = read / ((performance.now() - tf) / 1000);

    // Mirror throughput from a cold start up to the cosigned size.
    const follower = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => province.token('auditor', '00', MIRROR_SUBJECT),
    });
    const tm = performance.now();
    const [result] = await follower.syncOnce();
    const seconds = (performance.now() - tm) / 1000;
    if (result?.outcome !== 'mirrored') throw new Error(`mirror: ${JSON.stringify(result)}`);
    const mirrored = result.to - result.from;
    const mirrorRate = mirrored / seconds;
    console.log(
      `mirror: ${mirrored} records verified and stored in ${seconds.toFixed(1)} s = ${mirrorRate.toFixed(0)} records/s; ` +
        `province feed read ${read} records at ${feedRate.toFixed(0)} records/s; ratio ${(mirrorRate / feedRate).toFixed(2)} (target ≥ 0.5), load ${load()}`,
    );
    figure({ bench: 'federation', figure: 'mirror-throughput', value: mirrorRate, unit: 'records/s', baseline: feedRate, target: '>= 0.5x feed read' });
  } finally {
    await nationalPool.end();
    await provincePool.end();
    await province.close();
    await national.close();
  }
}
