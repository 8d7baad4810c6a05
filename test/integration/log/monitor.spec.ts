/**
 * Publishing the log (integrity.md §9): an independent monitor (test/support/monitor, written from the C2SP
 * specs only) follows a live API node while records are appended past 256 leaves (full, partial and level-1
 * tiles), and catches a rewritten record, a rollback and forks.
 */
import { expect } from 'chai';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { signCheckpoint } from '../../../src/domain/integrity/index.ts';
import { expected } from '../../../src/ports/eventstore.ts';
import type { NewEvent } from '../../../src/domain/record.ts';
import { waitFor } from '../../support/env.ts';
import { LogMonitor, MonitorAlarm, merkleRoot, type AlarmKind } from '../../support/monitor/monitor.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';
import { createHash } from 'node:crypto';

const note = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'NoteAdded',
  data: { n },
  meta: { actor: { kind: 'system', id: 'log-spec' }, province: '01', recordedAt: new Date().toISOString() },
});

async function appendRecords(node: ApiNode, count: number, cases: string[]): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    const events = Array.from({ length: Math.min(10, count - i) }, (_, k) => note(i + k));
    await node.store.append(`case-${cases[(i / 10) % cases.length]!}`, events, expected.any);
  }
}

async function sealedAt(node: ApiNode, size: number): Promise<void> {
  await waitFor(async () => ((await node.ledger.latestCheckpoint())?.treeSize ?? 0) >= size, { what: `a checkpoint of ${size}` });
}

async function alarmOf(p: Promise<unknown>): Promise<AlarmKind> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(MonitorAlarm);
    return (error as MonitorAlarm).kind;
  }
  expect.fail('the monitor raised no alarm');
}

describe('the published log, followed by an independent monitor', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let auditor: string;
  const cases = [randomUUID(), randomUUID(), randomUUID()];

  before(async () => {
    node = await startApiNode('log_monitor', { checkpointIntervalMs: 50 });
    auditor = await node.token('auditor', '00', 'aud-1');
  });
  after(async () => node?.close());

  const monitor = (options: { token?: boolean; fetch?: typeof fetch } = {}) =>
    new LogMonitor({
      baseUrl: node.url,
      verifierKey: node.ledger.verifierKey(),
      ...(options.token ? { auditorToken: auditor } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });

  it('given no checkpoint yet, /log/checkpoint is a 404 problem', async () => {
    // The sequencer may sign the first checkpoint while the request runs: judge by the state before and after it.
    const before = await node.ledger.latestCheckpoint();
    const res = await fetch(`${node.url}/log/checkpoint`);
    const after = await node.ledger.latestCheckpoint();
    if (after === undefined) {
      expect(res.status).to.equal(404);
      expect(res.headers.get('content-type')).to.match(/problem\+json/);
    } else if (before !== undefined) expect(res.status).to.equal(200);
    else expect(res.status === 200 || (res.status === 404 && /problem\+json/.test(res.headers.get('content-type') ?? ''))).to.equal(true);
  });

  it('follows the log past 256 leaves: signature, root from entries, tiles at levels 0 and 1, records and chains', async () => {
    const m = monitor({ token: true });
    await appendRecords(node, 100, cases);
    await sealedAt(node, 100);
    const first = await m.update();
    expect(first.size).to.be.at.least(100);
    await appendRecords(node, 300, cases);
    // Records read by the monitor add custody records too; wait for everything appended so far.
    await sealedAt(node, 400);
    const second = await m.update();
    expect(second.size).to.be.greaterThan(first.size);
    expect([...m.tilesFetched.keys()]).to.include('tile/0/000');
    expect([...m.tilesFetched.keys()].some((p) => p.startsWith('tile/0/001.p/'))).to.equal(true);
    expect([...m.tilesFetched.keys()].some((p) => p.startsWith('tile/1/000.p/'))).to.equal(true);
  });

  it('serves full tiles immutable and cacheable, partial ones and the checkpoint no-cache', async () => {
    const full = await fetch(`${node.url}/log/tile/0/000`);
    expect(full.status).to.equal(200);
    expect(full.headers.get('content-type')).to.equal('application/octet-stream');
    expect(full.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect((await full.arrayBuffer()).byteLength).to.equal(256 * 32);
    const entries = await fetch(`${node.url}/log/tile/entries/000`);
    expect(entries.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect((await entries.arrayBuffer()).byteLength).to.equal(256 * 34);
    const partial = await fetch(`${node.url}/log/tile/1/000.p/1`);
    expect(partial.status).to.equal(200);
    expect(partial.headers.get('cache-control')).to.equal('no-cache');
    const checkpoint = await fetch(`${node.url}/log/checkpoint`);
    expect(checkpoint.headers.get('cache-control')).to.equal('no-cache');
    expect(checkpoint.headers.get('content-type')).to.match(/^text\/plain/);
  });

  it('answers a tile beyond the newest checkpoint 404 and a malformed path 400, never 500', async () => {
    const size = (await node.ledger.latestCheckpoint())!.treeSize;
    const beyond = Math.floor(size / 256) + 1;
    for (const path of [`tile/0/${String(beyond).padStart(3, '0')}`, 'tile/1/000', 'tile/0/001.p/255', 'tile/entries/x001/000', 'tile/9/000']) {
      const res = await fetch(`${node.url}/log/${path}`);
      expect(res.status, path).to.equal(404);
      expect(((await res.json()) as { type: string }).type, path).to.match(/not-found$/);
    }
    for (const path of ['tile/0/1', 'tile/0/x000/001', 'tile/0/000.p/256', 'tile/0/000.p/0', 'tile/01/000', 'tile/a/000', 'tile/entries/000.p/007', 'records/abc']) {
      const res = await fetch(`${node.url}/log/${path}`, { headers: { authorization: `Bearer ${auditor}`, 'x-purpose': 'log monitor audit' } });
      expect(res.status, path).to.equal(400);
      expect(((await res.json()) as { type: string }).type, path).to.match(/invalid-tile-path$/);
    }
  });

  it('serves records only to an auditor, with a purpose, and records the access in each case’s custody log', async () => {
    const officer = await node.token('officer', '01', 'off-1');
    expect((await fetch(`${node.url}/log/records/000`)).status).to.equal(401);
    expect((await fetch(`${node.url}/log/records/000`, { headers: { authorization: `Bearer ${officer}`, 'x-purpose': 'audit' } })).status).to.equal(403);
    expect((await fetch(`${node.url}/log/records/000`, { headers: { authorization: `Bearer ${auditor}` } })).status).to.equal(400);
    const custodyBefore = await node.store.readStream(`custody-${cases[0]!}`).then((r) => r.length, () => 0);
    const res = await fetch(`${node.url}/log/records/000`, { headers: { authorization: `Bearer ${auditor}`, 'x-purpose': 'log monitor audit' } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const custody = await node.store.readStream(`custody-${cases[0]!}`);
    expect(custody.length).to.equal(custodyBefore + 1);
    expect(custody.at(-1)!.record.type).to.equal('EvidenceAccessed');
    expect((custody.at(-1)!.record.data as { access: string }).access).to.equal('export');
  });

  it('appends nothing for the national mirror’s reads, so a mirror reading again and again sees a settled log', async () => {
    const mirror = await node.token('auditor', '00', MIRROR_SUBJECT);
    const read = () => fetch(`${node.url}/log/records/000`, { headers: { authorization: `Bearer ${mirror}`, 'x-purpose': 'national mirror' } });
    const custodyBefore = await node.store.readStream(`custody-${cases[0]!}`).then((r) => r.length, () => 0);
    const headBefore = await node.store.headCheckpoint();
    for (let i = 0; i < 3; i++) expect((await read()).status).to.equal(200);
    expect(await node.store.readStream(`custody-${cases[0]!}`).then((r) => r.length, () => 0)).to.equal(custodyBefore);
    expect(await node.store.headCheckpoint()).to.equal(headBefore);
    // Another national auditor (a person) is still recorded per case.
    const person = await node.token('auditor', '00', 'aud-00-1');
    await fetch(`${node.url}/log/records/000`, { headers: { authorization: `Bearer ${person}`, 'x-purpose': 'national audit' } });
    expect((await node.store.readStream(`custody-${cases[0]!}`)).length).to.equal(custodyBefore + 1);
  });

  it('declares the /log routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${node.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).to.include.members(['/log/checkpoint', '/log/tile/{level}/{rest}', '/log/tile/entries/{rest}', '/log/records/{rest}']);
  });

  it('catches a rollback: an older genuine checkpoint after a newer one', async () => {
    const m = monitor();
    const older = await node.ledger.checkpointAtOrAfter(1);
    await m.update();
    expect(await alarmOf(m.check(older!.note))).to.equal('rollback');
  });

  it('catches a fork: a second checkpoint of the same size, signed with the node key, for another tree', async () => {
    const m = monitor();
    const seen = await m.update();
    const forged = signCheckpoint(
      { origin: seen.origin, size: seen.size, root: new Uint8Array(createHash('sha256').update('other tree').digest()), time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      node.ledger.key.seed,
    );
    expect(await alarmOf(m.check(forged))).to.equal('fork');
  });

  it('catches a fork: a larger signed tree (consistent with its own tiles) that does not extend the one seen', async () => {
    const m = monitor();
    const seen = await m.update();
    await appendRecords(node, 20, cases);
    await sealedAt(node, seen.size + 20);
    const latest = (await node.ledger.latestCheckpoint())!;
    // A node that rewrote entry 5 and signed the rewritten tree: entry bundle 000 and its tiles rewritten to match.
    const forgedEntry = createHash('sha256').update('rewritten').digest();
    const genuineEntries: Buffer[] = [];
    for (let n = 0; n * 256 < latest.treeSize; n++) {
      const w = Math.min(256, latest.treeSize - n * 256);
      const b = Buffer.from(await (await fetch(`${node.url}/log/tile/entries/${String(n).padStart(3, '0')}${w < 256 ? `.p/${w}` : ''}`)).arrayBuffer());
      for (let i = 0; i < w; i++) genuineEntries.push(b.subarray(i * 34 + 2, i * 34 + 34));
    }
    const entries = genuineEntries.map((e, i) => (i === 5 ? forgedEntry : e));
    const leaves = entries.map((e) => createHash('sha256').update(Buffer.from([0])).update(e).digest());
    const forgedNote = signCheckpoint(
      { origin: seen.origin, size: latest.treeSize, root: new Uint8Array(merkleRoot(leaves)), time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      node.ledger.key.seed,
    );
    const level1 = [merkleRoot(leaves, 0, 256)];
    const lying: typeof fetch = async (input, init) => {
      const path = String(input).slice(node.url.length);
      const body = (b: Buffer) => new Response(new Uint8Array(b), { status: 200 });
      if (path === '/log/checkpoint') return new Response(forgedNote, { status: 200 });
      if (path === '/log/tile/entries/000') return body(Buffer.concat(entries.slice(0, 256).map((e) => Buffer.concat([Buffer.from([0, 32]), e]))));
      if (path === '/log/tile/0/000') return body(Buffer.concat(leaves.slice(0, 256)));
      if (path.startsWith('/log/tile/1/000.p/1')) return body(Buffer.concat(level1));
      return fetch(input, init);
    };
    const lied = monitor({ fetch: lying });
    lied.seen = seen;
    expect(await alarmOf(lied.update())).to.equal('fork');
  });

  it('catches a record rewritten in the database: it no longer hashes to the entry the checkpoint commits to', async () => {
    const m = monitor({ token: true });
    await m.update();
    const client = new pg.Client({ connectionString: node.db.url });
    await client.connect();
    try {
      await client.query("SET session_replication_role = replica");
      const { rows } = await client.query<{ event_id: string; record: string }>(
        "SELECT event_id, record FROM event_records WHERE type = 'NoteAdded' ORDER BY global_position LIMIT 1 OFFSET 3",
      );
      await client.query('UPDATE event_records SET record = $1 WHERE event_id = $2', [rows[0]!.record.replace('"n":3', '"n":4'), rows[0]!.event_id]);
    } finally {
      await client.end();
    }
    expect(await alarmOf(monitor({ token: true }).update())).to.equal('record-mismatch');
  });
});
