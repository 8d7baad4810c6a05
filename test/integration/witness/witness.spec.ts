/**
 * The national witness (integrity.md §7, §10; C2SP tlog-witness) between two real nodes in one process: a
 * national API node running the witness and the provincial log registry, and a provincial node with its
 * ledger and the checkpoint submitter. Every answer of the protocol, a fork kept with both notes, the
 * province sealing while the witness is unreachable and catching up after, and the cosignature checked by
 * the independent monitor code (written from the C2SP specs).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { fetchFederationStatus, formatFederationStatus } from '../../../src/cli/commands/federation.ts';
import { createMetrics } from '../../../src/adapters/http/metrics.ts';
import { loadNodeKey } from '../../../src/adapters/keys/node-key.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { Witness } from '../../../src/adapters/witness/witness.ts';
import { loadProvincialLogRegistry, provincialLogRegistryReader } from '../../../src/commands/federation.ts';
import { systemClock } from '../../../src/commands/deps.ts';
import {
  formatAddCheckpointRequest,
  MAX_ADD_CHECKPOINT_BYTES,
  sha256,
  signCheckpoint,
  verifierKey,
  publicKeyFromSeed,
  openCheckpoint,
  witnessVerifierKey,
} from '../../../src/domain/integrity/index.ts';
import type { NewEvent } from '../../../src/domain/record.ts';
import { expected } from '../../../src/ports/eventstore.ts';
import { expectDeclaredResponse } from '../../support/declared-response.ts';
import { waitFor } from '../../support/env.ts';
import { verifyWitnessCosignature, MonitorAlarm } from '../../support/monitor/monitor.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';

const ORIGIN = 'vn-traffic-evidence/test-node';
const WITNESS_NAME = 'vn-traffic/national-witness';

const note = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'NoteAdded',
  data: { n },
  meta: {
    actor: { kind: 'system', id: 'witness-spec' },
    province: '01',
    recordedAt: new Date().toISOString(),
  },
});

describe('the national witness and a provincial node (C2SP tlog-witness)', function () {
  this.timeout(120_000);
  let national: ApiNode;
  let province: ApiNode;
  let nationalPool: pg.Pool;
  let provincePool: pg.Pool;
  let witness: Witness;
  let admin: string;
  let provinceSeed: Uint8Array;
  const metrics = createMetrics({ defaultMetrics: false });
  let linkUp = true;
  const flakyFetch: typeof fetch = (input, init) =>
    linkUp ? fetch(input, init) : Promise.reject(new TypeError('fetch failed (link down)'));
  let submitter: CheckpointSubmitter;

  const post = (body: string) =>
    fetch(`${national.url}/witness/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });
  const append = async (count: number) => {
    for (let i = 0; i < count; i += 5)
      await province.store.append(
        `case-${randomUUID()}`,
        Array.from({ length: Math.min(5, count - i) }, (_, k) => note(i + k)),
        expected.any,
      );
  };
  const sealedAtLeast = (size: number) =>
    waitFor(
      async () => {
        const c = await province.ledger.latestCheckpoint();
        return c && c.treeSize >= size ? c : undefined;
      },
      { what: `a province checkpoint of ${size}` },
    );
  const witnessedSize = async () => (await witness.status()).find((l) => l.origin === ORIGIN)?.size;
  const problemType = async (res: Response) => ((await res.json()) as { type: string }).type;

  before(async () => {
    national = await startApiNode('witness_national', { sequencer: false });
    province = await startApiNode('witness_province', { checkpointIntervalMs: 50 });
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 4 });
    provincePool = new pg.Pool({ connectionString: province.db.url, max: 2 });
    witness = new Witness({
      db: nationalPool,
      name: WITNESS_NAME,
      seed: sha256('national witness seed (test)'),
      clock: systemClock,
      // The node's registry reader (folded once, refolded when the stream moves): the rotation and retirement
      // below reach a witness that has been answering from it.
      registry: provincialLogRegistryReader(national.store),
      onAnswer: (answer) => metrics.witnessRequests.inc({ answer }),
      onForkAlarm: (kind) => metrics.witnessForkAlarms.inc({ kind }),
    });
    national.services.witness = witness;
    admin = await national.token('admin', '00', 'adm-00-1');
    provinceSeed = (await loadNodeKey(join(province.dir, 'keys', 'ledger.key'))).seed;
    submitter = new CheckpointSubmitter({
      db: provincePool,
      ledger: province.ledger,
      witnessUrl: `${national.url}/witness`,
      witnessKey: witness.verifierKey(),
      clock: systemClock,
      fetch: flakyFetch,
      pollMs: 30,
      initialBackoffMs: 20,
      maxBackoffMs: 100,
    });
    await append(10);
    await sealedAtLeast(10);
  });
  after(async () => {
    await submitter?.stop();
    await nationalPool?.end();
    await provincePool?.end();
    await province?.close();
    await national?.close();
  });

  it('answers 404 for a checkpoint of an origin nobody registered', async () => {
    const c = (await province.ledger.latestCheckpoint())!;
    const res = await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpointText: c.note }));
    expect(res.status).to.equal(404);
    expect(await problemType(res)).to.match(/witness-unknown-log$/);
  });

  it('lets only a national admin register a provincial log', async () => {
    const body = JSON.stringify({
      province: '01',
      origin: ORIGIN,
      verifierKey: province.ledger.verifierKey(),
      baseUrl: province.url,
    });
    const provincial = await national.token('admin', '01', 'adm-01-1');
    const refused = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${provincial}`, 'content-type': 'application/json' },
      body,
    });
    expect(refused.status).to.equal(403);
    const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).to.equal(201);
    expectDeclaredResponse('POST', '/v1/admin/provincial-logs', await res.json(), 201);
  });

  it('answers 400 for malformed bodies and 413 past the cap', async () => {
    const c = (await province.ledger.latestCheckpoint())!;
    for (const body of [
      '',
      'old 01\n\n' + c.note,
      `old 0\nnot-a-hash\n\n${c.note}`,
      'old 0\n\nnot a checkpoint\n',
      `old ${c.treeSize + 1}\n\n${c.note}`,
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body.slice(0, 12))).to.equal(400);
    }
    const big = await post('a'.repeat(MAX_ADD_CHECKPOINT_BYTES + 1));
    expect(big.status).to.equal(413);
  });

  it('answers 403 for a checkpoint of the registered origin signed with another key', async () => {
    const c = (await province.ledger.latestCheckpoint())!;
    const forged = signCheckpoint(
      { origin: ORIGIN, size: c.treeSize, root: c.root, time: new Date().toISOString() },
      sha256('not the key'),
    );
    const res = await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpointText: forged }));
    expect(res.status).to.equal(403);
    expect(await problemType(res)).to.match(/witness-untrusted-checkpoint$/);
  });

  it('cosigns the province checkpoint; the province stores and serves it; the monitor verifies it independently', async () => {
    const result = await submitter.submitOnce();
    expect(result.outcome).to.equal('cosigned');
    const served = await (await fetch(`${province.url}/log/checkpoint`)).text();
    const time = verifyWitnessCosignature(served, witness.verifierKey());
    expect(Math.abs(time - Date.now() / 1000)).to.be.lessThan(60);
    // Another witness key is not accepted by the independent check (it can fail).
    const otherKey = witnessVerifierKey(WITNESS_NAME, publicKeyFromSeed(sha256('other')));
    expect(() => verifyWitnessCosignature(served, otherKey)).to.throw(MonitorAlarm);
    if (result.outcome !== 'cosigned') return;
    expect(await witnessedSize()).to.equal(result.size);
  });

  it('answers 409 with the size it knows (text/x.tlog.size) to a stale old size', async () => {
    const known = (await witnessedSize())!;
    await append(5);
    const c = await sealedAtLeast(known + 5);
    const res = await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpointText: c.note }));
    expect(res.status).to.equal(409);
    expect(res.headers.get('content-type')).to.match(/^text\/x\.tlog\.size/);
    expect(await res.text()).to.equal(`${known}\n`);
  });

  it('answers 422 for a consistency proof that does not verify, and cosigns nothing', async () => {
    const known = (await witnessedSize())!;
    const c = (await province.ledger.latestCheckpoint())!;
    const proof = await province.ledger.consistencyProof(known, c.treeSize);
    proof[0] = sha256('tampered');
    const res = await post(formatAddCheckpointRequest({ oldSize: known, proof, checkpointText: c.note }));
    expect(res.status).to.equal(422);
    expect(await problemType(res)).to.match(/witness-bad-proof$/);
    expect(await witnessedSize()).to.equal(known);
  });

  it('refuses a fork (another root at the cosigned size, signed with the province key) and keeps both notes', async () => {
    const known = (await witnessedSize())!;
    const forked = signCheckpoint(
      { origin: ORIGIN, size: known, root: sha256('a rewritten history'), time: new Date().toISOString() },
      provinceSeed,
    );
    const res = await post(formatAddCheckpointRequest({ oldSize: known, proof: [], checkpointText: forked }));
    expect(res.status).to.equal(409);
    expect(await res.text()).to.equal(`${known}\n`);
    const list = await fetch(`${national.url}/v1/federation/fork-alarms`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const listed = await list.json();
    expectDeclaredResponse('GET', '/v1/federation/fork-alarms', listed);
    const { alarms } = listed as {
      alarms: { kind: string; cosignedNote: string; submittedNote: string; cosignedSize: number }[];
    };
    const fork = alarms.find((a) => a.kind === 'same-size-different-root');
    expect(fork, 'fork alarm').to.not.equal(undefined);
    expect(fork!.submittedNote).to.equal(forked);
    expect(fork!.cosignedSize).to.equal(known);
    // Both notes open under the province key: the pair is proof of the fork to anyone.
    const vkey = verifierKey(ORIGIN, publicKeyFromSeed(provinceSeed));
    const a = openCheckpoint(fork!.cosignedNote, [vkey]).checkpoint;
    const b = openCheckpoint(fork!.submittedNote, [vkey]).checkpoint;
    expect(a.size).to.equal(b.size);
    expect(Buffer.from(a.root).equals(Buffer.from(b.root))).to.equal(false);
    expect(await witnessedSize()).to.equal(known);
    const statusBody = await (
      await fetch(`${national.url}/v1/federation/status`, { headers: { authorization: `Bearer ${admin}` } })
    ).json();
    expectDeclaredResponse('GET', '/v1/federation/status', statusBody);
    const status = statusBody as { logs: { origin: string; forkAlarms: number }[] };
    expect(status.logs.find((l) => l.origin === ORIGIN)!.forkAlarms).to.be.at.least(1);
    // `tec federation status` lists the log and the alarm.
    const cli = await fetchFederationStatus(national.url, admin);
    expect(cli.alarms.map((a) => a.kind)).to.include('same-size-different-root');
    expect(formatFederationStatus(cli).join('\n')).to.match(
      /^01 vn-traffic-evidence\/test-node: size \d+, cosigned \S+, fork alarms [1-9]\d*$/m,
    );
    const text = await metrics.registry.metrics();
    expect(text).to.match(/tec_witness_fork_alarms_total\{kind="same-size-different-root"\} 1/);
    expect(text).to.match(/tec_witness_requests_total\{answer="conflict"\} [1-9]/);
  });

  it('refuses to roll witness_logs back even to the database owner (trigger)', async () => {
    let code: string | undefined;
    try {
      await nationalPool.query('UPDATE witness_logs SET tree_size = 0 WHERE origin = $1', [ORIGIN]);
    } catch (error) {
      code = (error as { code?: string }).code;
    }
    expect(code).to.equal('TEC02');
  });

  it('keeps sealing while the witness is unreachable, and catches up with one proof when the link returns', async () => {
    const before = (await witnessedSize())!;
    linkUp = false;
    submitter.start();
    await waitFor(() => submitter.failures >= 2, { what: 'failed submissions while the link is down' });
    await append(20);
    const sealed = await sealedAtLeast(before + 20);
    expect(await witnessedSize()).to.equal(before);
    linkUp = true;
    await waitFor(async () => ((await witnessedSize()) ?? 0) >= sealed.treeSize, {
      what: 'the witness catching up',
    });
    await waitFor(async () => ((await submitter.cosignedSize()) ?? 0) >= sealed.treeSize, {
      what: 'the cosignature stored',
    });
    const served = await (await fetch(`${province.url}/log/checkpoint`)).text();
    expect(verifyWitnessCosignature(served, witness.verifierKey())).to.be.a('number');
  });

  it('resubmits from the size the witness knows after a 409', async () => {
    await submitter.stop();
    await append(5);
    const c = await sealedAtLeast(((await witnessedSize()) ?? 0) + 5);
    const known = (await witnessedSize())!;
    // Someone else (a mirror) brings the witness forward first: the province's next request is stale.
    const proof = await province.ledger.consistencyProof(known, c.treeSize);
    expect(
      (await post(formatAddCheckpointRequest({ oldSize: known, proof, checkpointText: c.note }))).status,
    ).to.equal(200);
    const fresh = new CheckpointSubmitter({
      db: provincePool,
      ledger: province.ledger,
      witnessUrl: `${national.url}/witness`,
      witnessKey: witness.verifierKey(),
      clock: systemClock,
    });
    const first = await fresh.submitOnce();
    expect(first).to.deep.equal({ outcome: 'size-conflict', witnessSize: c.treeSize });
    const second = await fresh.submitOnce();
    expect(second.outcome).to.equal('cosigned');
  });

  it('trusts a rotated key from the next request on and the old one no more (the registry reader refolds)', async () => {
    const c = (await province.ledger.latestCheckpoint())!;
    const known = (await witnessedSize())!;
    const reader = provincialLogRegistryReader(national.store);
    expect((await reader()).logs[ORIGIN]!.verifierKey).to.equal(province.ledger.verifierKey());
    const rotatedKey = verifierKey(ORIGIN, publicKeyFromSeed(sha256('rotated province key (test)')));
    const rotate = await fetch(`${national.url}/v1/admin/provincial-logs/${encodeURIComponent(ORIGIN)}/rotate-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ verifierKey: rotatedKey }),
    });
    expect(rotate.status).to.equal(200);
    expectDeclaredResponse('POST', '/v1/admin/provincial-logs/:origin/rotate-key', await rotate.json());
    expect((await reader()).logs[ORIGIN]!.verifierKey).to.equal(rotatedKey);
    expect(await reader()).to.deep.equal(await loadProvincialLogRegistry(national.store));
    // A checkpoint signed by the rotated-out key: refused, and the witness's state is unchanged.
    const proof = known === c.treeSize ? [] : await province.ledger.consistencyProof(known, c.treeSize);
    const res = await post(formatAddCheckpointRequest({ oldSize: known, proof, checkpointText: c.note }));
    expect(res.status).to.equal(403);
    expect(await witnessedSize()).to.equal(known);
    // Rotated back to the province's own key: the same checkpoint is cosigned on the next request.
    const back = await fetch(`${national.url}/v1/admin/provincial-logs/${encodeURIComponent(ORIGIN)}/rotate-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ verifierKey: province.ledger.verifierKey() }),
    });
    expect(back.status).to.equal(200);
    const again = await post(formatAddCheckpointRequest({ oldSize: known, proof, checkpointText: c.note }));
    expect(again.status).to.equal(200);
    expect(await witnessedSize()).to.equal(c.treeSize);
  });

  it('answers 403 once the log is retired', async () => {
    const retire = await fetch(
      `${national.url}/v1/admin/provincial-logs/${encodeURIComponent(ORIGIN)}/retire`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'moved to a new origin' }),
      },
    );
    expect(retire.status).to.equal(200);
    expectDeclaredResponse('POST', '/v1/admin/provincial-logs/:origin/retire', await retire.json());
    const c = (await province.ledger.latestCheckpoint())!;
    const known = (await witnessedSize())!;
    const proof = known === c.treeSize ? [] : await province.ledger.consistencyProof(known, c.treeSize);
    const res = await post(formatAddCheckpointRequest({ oldSize: known, proof, checkpointText: c.note }));
    expect(res.status).to.equal(403);
  });
});
