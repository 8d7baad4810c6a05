/**
 * `npm run bench -- federation` (docs/federation.md): two real API nodes in one process (a province with its
 * ledger, the national node with the witness and the mirror), talking HTTP over loopback.
 * - Witness round trip: the province's submitter sending a new checkpoint with its consistency proof and
 *   verifying the cosignature that comes back (`submitOnce`), p50/p99. Target p99 < 200 ms.
 * - Mirror throughput: records verified (entries against the cosigned root, each record against its entry
 *   and chain) and stored per second by the national mirror from a cold start, against the province's own
 *   feed read rate (`EventStore.readAll` pages of 1,000) in the same run. Target ≥ 0.5× the feed read rate.
 *   Beside it: the process's CPU per mirrored record, and a second baseline, the same published log read over
 *   HTTP as the mirror reads it with nothing checked or stored (`readPublishedLog`).
 * - National freshness: two provinces (01 above, and 79 with the node's default 500 ms checkpoint interval)
 *   ingesting steadily (`BENCH_FEDERATION_RATE` records/s each, default 20) for `BENCH_FEDERATION_SECONDS`
 *   (30; quick 10), each with its submitter running (1 s poll, as deployed) and the national mirror following
 *   (500 ms poll): per record, the time from its append at the province to the national mirror holding it
 *   (sealed, cosigned, fetched, verified and stored), p50/p99. Target p99 < 5 s.
 * `BENCH_FEDERATION_RECORDS` (default 20,000; `--quick` 2,000), `BENCH_FEDERATION_ROUNDS` (100; quick 20).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { MIRROR_SUBJECT } from '../src/adapters/http/routes/log.ts';
import { MirrorFollower } from '../src/adapters/witness/mirror.ts';
import { CheckpointSubmitter } from '../src/adapters/witness/submitter.ts';
import { Witness } from '../src/adapters/witness/witness.ts';
import { loadProvincialLogRegistry, provincialLogRegistryReader } from '../src/commands/federation.ts';
import { systemClock } from '../src/commands/deps.ts';
import { sha256 } from '../src/domain/integrity/index.ts';
import type { NewEvent } from '../src/domain/record.ts';
import { expected } from '../src/ports/eventstore.ts';
import { startApiNode } from '../test/integration/http/support/api-node.ts';
import { waitFor } from '../test/support/env.ts';
import { formatTileSuffix, TILE_WIDTH } from '../src/adapters/ledger/tiles.ts';
import { figure, load, scaled } from './report.ts';

const note = (n: number, province = '01'): NewEvent => ({
  id: randomUUID(),
  type: 'NoteAdded',
  data: { n, text: 'x'.repeat(200) },
  meta: { actor: { kind: 'system', id: 'bench' }, province, recordedAt: new Date().toISOString() },
});

/**
 * `BENCH_FEDERATION_PROFILE=<file>`: a V8 CPU profile of the mirror phase alone (both nodes share this
 * process, so it shows the province serving and the mirror checking side by side), for Chrome DevTools.
 */
async function startCpuProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/**
 * Reads leaves [0, size) of a published log as the mirror does (entry bundles 32 in flight, record bundles 8,
 * with the mirror's token and purpose) and only counts the lines: the HTTP transport without the mirror's work.
 */
async function readPublishedLog(baseUrl: string, size: number, token: string): Promise<number> {
  const tiles = Array.from({ length: Math.ceil(size / TILE_WIDTH) }, (_, tile) => ({ tile, width: Math.min(TILE_WIDTH, size - tile * TILE_WIDTH) }));
  const get = async (path: string, auth: boolean): Promise<ArrayBuffer> => {
    const headers: Record<string, string> = auth ? { authorization: `Bearer ${token}`, 'x-purpose': 'national mirror of the provincial log' } : {};
    const res = await fetch(`${baseUrl}/log/${path}`, { headers });
    if (!res.ok) throw new Error(`/log/${path} answered ${res.status}`);
    return res.arrayBuffer();
  };
  let lines = 0;
  const pool = async (window: number, fn: (t: { tile: number; width: number }) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (next < tiles.length) await fn(tiles[next++]!);
      }),
    );
  };
  await Promise.all([
    pool(32, async ({ tile, width }) => void (await get(`tile/entries/${formatTileSuffix(tile, width)}`, false))),
    pool(8, async ({ tile, width }) => {
      const body = Buffer.from(await get(`records/${formatTileSuffix(tile, width)}`, true));
      for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) lines++;
    }),
  ]);
  return lines;
}

function cpuMicros(u: NodeJS.CpuUsage): number {
  return u.user + u.system;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const records = scaled(process.env.BENCH_FEDERATION_RECORDS, 20_000, 2_000);
  const rounds = scaled(process.env.BENCH_FEDERATION_ROUNDS, 100, 20);
  // One issuer for the three nodes (one national identity provider): the provinces accept the mirror's token.
  const issuerSeed = sha256('bench federation issuer');
  const national = await startApiNode('bench_fed_national', { sequencer: false, issuerSeed });
  const province = await startApiNode('bench_fed_province', { checkpointIntervalMs: 50, origin: 'vn-traffic/bench-province-01', issuerSeed });
  const province79 = await startApiNode('bench_fed_province79', { checkpointIntervalMs: 500, origin: 'vn-traffic/bench-province-79', issuerSeed });
  const nationalPool = new pg.Pool({ connectionString: national.db.url, max: 6 });
  const provincePool = new pg.Pool({ connectionString: province.db.url, max: 4 });
  const province79Pool = new pg.Pool({ connectionString: province79.db.url, max: 4 });
  const stops: (() => Promise<void>)[] = [];
  try {
    const witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('bench witness'),
      clock: systemClock,
      registry: provincialLogRegistryReader(national.store), // as the node runs it
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
    const cf = process.cpuUsage();
    const tf = performance.now();
    let after: string | undefined;
    for (;;) {
      const page = await province.store.readAll({ maxCount: 1000, ...(after !== undefined ? { after } : {}) });
      if (page.length === 0) break;
      read += page.length;
      after = page.at(-1)!.checkpoint;
    }
    const feedRate = read / ((performance.now() - tf) / 1000);
    const feedCpu = cpuMicros(process.cpuUsage(cf)) / read;

    // Mirror throughput from a cold start up to the cosigned size.
    // One token for the run, as the node caches its own (minting one per request is no part of mirroring).
    const mirrorToken = await province.token('auditor', '00', MIRROR_SUBJECT);
    const follower = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => Promise.resolve(mirrorToken),
    });
    // Second baseline: the same published log read over HTTP as the mirror reads it (entry and record bundles,
    // the same windows and token) with no check and nothing stored: the transport's share of the mirror's cost.
    const cosigned = (await witness.status()).find((l) => l.origin === province.ledger.origin)?.size ?? 0;
    const tp = performance.now();
    const published = await readPublishedLog(province.url, cosigned, mirrorToken);
    const publishedRate = published / ((performance.now() - tp) / 1000);
    const profile = process.env.BENCH_FEDERATION_PROFILE ? await startCpuProfile() : undefined;
    const cm = process.cpuUsage();
    const tm = performance.now();
    const [result] = await follower.syncOnce();
    const seconds = (performance.now() - tm) / 1000;
    const mirrorCpuTotal = cpuMicros(process.cpuUsage(cm));
    if (profile) await profile.stop(process.env.BENCH_FEDERATION_PROFILE!);
    if (result?.outcome !== 'mirrored') throw new Error(`mirror: ${JSON.stringify(result)}`);
    const mirrored = result.to - result.from;
    const mirrorRate = mirrored / seconds;
    console.log(
      `mirror: ${mirrored} records verified and stored in ${seconds.toFixed(1)} s = ${mirrorRate.toFixed(0)} records/s; ` +
        `province feed read ${read} records at ${feedRate.toFixed(0)} records/s; ratio ${(mirrorRate / feedRate).toFixed(2)} (target ≥ 0.5), load ${load()}`,
    );
    // CPU time of this process (the province serving and the national mirror checking, both here) per record:
    // steadier than wall time on a shared machine, and what the code changes move.
    const mirrorCpu = mirrorCpuTotal / mirrored;
    console.log(`  process CPU per record: mirror ${mirrorCpu.toFixed(1)} µs (province serving + national checking and storing), feed read ${feedCpu.toFixed(1)} µs`);
    figure({ bench: 'federation', figure: 'mirror-cpu-per-record', value: mirrorCpu, unit: 'µs', baseline: feedCpu });
    console.log(
      `  the published log read over HTTP without checking or storing: ${published} records at ${publishedRate.toFixed(0)} records/s; ` +
        `mirror / published read ${(mirrorRate / publishedRate).toFixed(2)}`,
    );
    figure({ bench: 'federation', figure: 'mirror-vs-published-read', value: mirrorRate, unit: 'records/s', baseline: publishedRate });
    figure({ bench: 'federation', figure: 'mirror-throughput', value: mirrorRate, unit: 'records/s', baseline: feedRate, target: '>= 0.5x feed read' });

    // National freshness with both provinces ingesting steadily.
    const reg79 = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ province: '79', origin: province79.ledger.origin, verifierKey: province79.ledger.verifierKey(), baseUrl: province79.url }),
    });
    if (reg79.status !== 201) throw new Error(`registration of 79 answered ${reg79.status}`);
    const submitter79 = new CheckpointSubmitter({
      db: province79Pool,
      ledger: province79.ledger,
      witnessUrl: `${national.url}/witness`,
      witnessKey: witness.verifierKey(),
      clock: systemClock,
    });
    const live = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => province.token('auditor', '00', MIRROR_SUBJECT),
    });
    for (const s of [submitter, submitter79]) {
      s.start();
      stops.push(() => s.stop());
    }
    live.start();
    stops.push(() => live.stop());
    const rate = scaled(process.env.BENCH_FEDERATION_RATE, 20, 20);
    const seconds2 = scaled(process.env.BENCH_FEDERATION_SECONDS, 30, 10);
    const provinces = [
      { code: '01', node: province, pool: provincePool, origin: province.ledger.origin },
      { code: '79', node: province79, pool: province79Pool, origin: province79.ledger.origin },
    ];
    // Converged first: every leaf so far mirrored, so leaf base + i is the i-th record appended below.
    const mirrorSize = async (origin: string) => (await live.status()).find((m) => m.origin === origin)?.size ?? 0;
    const base = new Map<string, number>();
    for (const p of provinces) {
      const total = Number((await p.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM event_records')).rows[0]!.n);
      await waitFor(async () => (await mirrorSize(p.origin)) >= total, { timeoutMs: 600_000, what: `mirror of ${p.code} converged` });
      base.set(p.origin, total);
    }
    const appendedAt = new Map<string, number[]>(provinces.map((p) => [p.origin, []]));
    const covered = new Map<string, number>(provinces.map((p) => [p.origin, 0]));
    const freshness: number[] = [];
    let ingesting = true;
    const steady = provinces.map(async (p) => {
      const times = appendedAt.get(p.origin)!;
      const t0 = performance.now();
      for (let i = 0; ingesting; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // pacing the load, not synchronisation
        const at = performance.now();
        await p.node.store.append(`case-${randomUUID()}`, [note(i, p.code)], expected.any);
        times.push(at);
      }
    });
    const watch = async () => {
      for (const p of provinces) {
        const times = appendedAt.get(p.origin)!;
        const held = Math.min(times.length, (await mirrorSize(p.origin)) - base.get(p.origin)!);
        const now = performance.now();
        for (let i = covered.get(p.origin)!; i < held; i++) freshness.push(now - times[i]!);
        covered.set(p.origin, Math.max(covered.get(p.origin)!, held));
      }
    };
    const tEnd = performance.now() + seconds2 * 1000;
    while (performance.now() < tEnd) {
      await watch();
      await new Promise((r) => setTimeout(r, 50)); // the sampling period of the measurement
    }
    ingesting = false;
    await Promise.all(steady);
    await waitFor(
      async () => {
        await watch();
        return provinces.every((p) => covered.get(p.origin)! >= appendedAt.get(p.origin)!.length);
      },
      { timeoutMs: 120_000, intervalMs: 50, what: 'the mirror holding every steady record' },
    );
    freshness.sort((a, b) => a - b);
    const f50 = percentile(freshness, 50) / 1000;
    const f99 = percentile(freshness, 99) / 1000;
    console.log(
      `national freshness, 01 and 79 each ingesting ${rate} records/s for ${seconds2} s (${freshness.length} records; checkpoints every 50 ms at 01, 500 ms at 79; ` +
        `submitter poll 1 s, mirror poll 500 ms): p50 ${f50.toFixed(2)} s, p99 ${f99.toFixed(2)} s (target p99 < 5 s), load ${load()}`,
    );
    figure({ bench: 'federation', figure: 'freshness-p50', value: f50, unit: 's' });
    figure({ bench: 'federation', figure: 'freshness-p99', value: f99, unit: 's', target: '< 5' });
  } finally {
    for (const stop of stops) await stop();
    await province79Pool.end();
    await province79.close();
    await nationalPool.end();
    await provincePool.end();
    await province.close();
    await national.close();
  }
}
