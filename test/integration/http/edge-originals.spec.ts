/**
 * Originals later (docs/edge.md): the node's side with a hand-driven edge (signed relay with `withheld`, the
 * background upload's checks, requests, the bundle export's 409), then a real edge (`startEdge`, in this
 * process) in front of the node: review copies relayed first, every original delivered in the background,
 * bytes saved counted; and EDGE_ORIGINALS=now keeps sending everything at once.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { verifyLedger } from '../../../src/adapters/ledger/verify.ts';
import { TokenVerifier } from '../../../src/adapters/auth/tokens.ts';
import { deriveForReview, overviewOriginals } from '../../../src/adapters/edge/derive.ts';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { buildEdgeReceipt, detectionHash, signEdgeReceipt } from '../../../src/domain/signoff/edge-receipt.ts';
import {
  EDGE_ORIGINAL_PURPOSE,
  EDGE_REQUESTS_PURPOSE,
  EDGE_WITHHELD_PURPOSE,
  signEdgeRequest,
  signEdgeWithheld,
  type EdgeDerivedItem,
} from '../../../src/domain/signoff/edge-withheld.ts';
import { generateKeyPair, type Ed25519KeyPair } from '../../../src/domain/signoff/keys.ts';
import { streams } from '../../../src/domain/record.ts';
import { loadEdgeConfig, startEdge, type EdgeNode } from '../../../src/edge/index.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  LOCATIONS,
  buildHttpWorld,
  call,
  expectStatus,
  ingest,
  photo,
  signedDetection,
  type HttpWorld,
  type Reply,
  type SignedDetection,
} from './support/world.ts';

const PROBLEMS = 'https://tec.csgt.vn/problems/';

const scene = photo;

interface ManualEdge {
  edgeId: string;
  key: Ed25519KeyPair;
}

async function registerEdge(node: ApiNode, world: HttpWorld, edgeId: string, publicKey: string): Promise<void> {
  expectStatus(
    await call(node, 'POST', '/v1/admin/cameras', {
      token: world.adminToken,
      body: { cameraId: edgeId, province: HANOI, location: LOCATIONS[HANOI], publicKey },
    }),
    201,
    'register edge',
  );
}

/** What an edge in `later` mode sends: the detection, its receipt, the signed withheld statement, the derived items. */
async function relayWithheld(node: ApiNode, edge: ManualEdge, signed: SignedDetection): Promise<{ reply: Reply; derived: EdgeDerivedItem[] }> {
  const receivedAt = new Date().toISOString();
  const receipt = signEdgeReceipt(
    buildEdgeReceipt({ edgeId: edge.edgeId, detection: signed.detection, cameraSignature: signed.signature, receivedAt, sequence: 1 }),
    edge.key.secretKey,
  );
  const overview = overviewOriginals(signed.detection)[0]!;
  const index = signed.detection.evidence.findIndex((e) => e.digest === overview.digest);
  const made = await deriveForReview(signed.images[index]!, edge.edgeId);
  const withheld = signEdgeWithheld(
    {
      purpose: EDGE_WITHHELD_PURPOSE,
      edgeId: edge.edgeId,
      detectionId: signed.detection.detectionId,
      detectionHash: detectionHash(signed.detection),
      originals: [overview.digest],
      derived: made.map((m) => m.item),
      receivedAt,
    },
    edge.key.secretKey,
  );
  const form = new FormData();
  form.append('detection', JSON.stringify({ detection: signed.detection, signature: signed.signature, keyId: signed.keyId }));
  form.append('receipt', JSON.stringify(receipt));
  form.append('withheld', JSON.stringify(withheld));
  signed.images.forEach((bytes, i) => {
    if (i !== index) form.append(evidenceDigest(bytes), new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'o.jpg');
  });
  for (const m of made) form.append(m.item.digest, new Blob([new Uint8Array(m.bytes)], { type: 'image/jpeg' }), 'd.jpg');
  return { reply: await call(node, 'POST', '/v1/edge/relay', { raw: form }), derived: made.map((m) => m.item) };
}

function putOriginal(
  node: ApiNode,
  edge: ManualEdge,
  detectionId: string,
  digest: string,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const at = new Date().toISOString();
  return call(node, 'PUT', `/v1/edge/originals/${digest}`, {
    raw: bytes,
    headers: {
      'content-type': 'image/jpeg',
      'x-edge-id': edge.edgeId,
      'x-edge-time': at,
      'x-edge-detection': detectionId,
      'x-edge-signature': signEdgeRequest(EDGE_ORIGINAL_PURPOSE, edge.edgeId, `${detectionId}\n${digest}`, at, edge.key.secretKey),
      ...headers,
    },
  });
}

function getRequests(node: ApiNode, edge: ManualEdge): Promise<Reply> {
  const at = new Date().toISOString();
  return call(node, 'GET', '/v1/edge/requests', {
    headers: {
      'x-edge-id': edge.edgeId,
      'x-edge-time': at,
      'x-edge-signature': signEdgeRequest(EDGE_REQUESTS_PURPOSE, edge.edgeId, 'requests', at, edge.key.secretKey),
    },
  });
}

describe('edge originals later (issue 18)', function () {
  this.timeout(180_000);
  let node: ApiNode;
  let world: HttpWorld;
  let edge: ManualEdge;
  let other: ManualEdge;

  before(async () => {
    node = await startApiNode('edge_originals', { checkpointIntervalMs: 200 });
    world = await buildHttpWorld(node);
    edge = { edgeId: `edge-01-m${world.suffix}`, key: generateKeyPair() };
    other = { edgeId: `edge-01-o${world.suffix}`, key: generateKeyPair() };
    await registerEdge(node, world, edge.edgeId, edge.key.publicKey);
    await registerEdge(node, world, other.edgeId, other.key.publicKey);
  });
  after(async () => node?.close());

  describe('the node, with a hand-driven edge', () => {
    let signed: SignedDetection;
    let caseId: string;
    let overview: Uint8Array;
    let overviewDigest: string;
    let derived: EdgeDerivedItem[];

    before(async () => {
      overview = await scene();
      signed = await signedDetection(world.cameras[HANOI]!, { images: [overview, await scene(320, 160)] });
      overviewDigest = evidenceDigest(overview);
      caseId = caseIdForDetection(signed.detection.detectionId);
      const relayed = await relayWithheld(node, edge, signed);
      expectStatus(relayed.reply, 201, 'relay with withheld');
      derived = relayed.derived;
    });

    it('records the detection, EvidenceDerived per derived item by the edge device, and custody carrying withheld', async () => {
      const records = await node.services.store.readStream(streams.case(caseId));
      expect(records[0]!.record.type).to.equal('ViolationDetected');
      const derivedRecords = records.filter((r) => r.record.type === 'EvidenceDerived');
      expect(derivedRecords.map((r) => (r.record.data as { derived: { digest: string } }).derived.digest)).to.have.members(derived.map((d) => d.digest));
      for (const r of derivedRecords) {
        expect(r.record.meta.actor).to.deep.equal({ kind: 'device', id: edge.edgeId });
        expect((r.record.data as { sourceDigest: string }).sourceDigest).to.equal(overviewDigest);
      }
      expect(derived.map((d) => d.operation)).to.have.members(['plate-crop', 'reduced-overview']);
      const custody = await node.services.store.readStream(streams.custody(caseId));
      const relay = custody.find((r) => (r.record.data as { access?: string }).access === 'relay');
      const withheld = (relay!.record.data as { withheld?: { withheld: { originals: string[]; edgeId: string } } }).withheld;
      expect(withheld?.withheld.originals).to.deep.equal([overviewDigest]);
      expect(withheld?.withheld.edgeId).to.equal(edge.edgeId);
      expect(await node.services.evidence.has(overviewDigest)).to.equal(false);
      for (const d of derived) expect(await node.services.evidence.has(d.digest)).to.equal(true);
    });

    it('a redelivery of the same relay records nothing twice', async () => {
      const before = (await node.services.store.readStream(streams.case(caseId))).length;
      expectStatus((await relayWithheld(node, edge, signed)).reply, 200, 'redelivery');
      expect((await node.services.store.readStream(streams.case(caseId))).length).to.equal(before);
    });

    it('refuses a withheld statement that withholds a digest the detection does not name', async () => {
      const s = await signedDetection(world.cameras[HANOI]!, { images: [await scene(640, 480)] });
      const receivedAt = new Date().toISOString();
      const receipt = signEdgeReceipt(
        buildEdgeReceipt({ edgeId: edge.edgeId, detection: s.detection, cameraSignature: s.signature, receivedAt, sequence: 2 }),
        edge.key.secretKey,
      );
      const made = await deriveForReview(s.images[0]!, edge.edgeId);
      const withheld = signEdgeWithheld(
        {
          purpose: EDGE_WITHHELD_PURPOSE,
          edgeId: edge.edgeId,
          detectionId: s.detection.detectionId,
          detectionHash: detectionHash(s.detection),
          originals: [`sha256:${'a'.repeat(64)}`],
          derived: made.map((m) => ({ ...m.item, sourceDigest: `sha256:${'a'.repeat(64)}` })),
          receivedAt,
        },
        edge.key.secretKey,
      );
      const form = new FormData();
      form.append('detection', JSON.stringify({ detection: s.detection, signature: s.signature, keyId: s.keyId }));
      form.append('receipt', JSON.stringify(receipt));
      form.append('withheld', JSON.stringify(withheld));
      const reply = await call(node, 'POST', '/v1/edge/relay', { raw: form });
      expectStatus(reply, 400);
      expect(reply.json.type).to.equal(`${PROBLEMS}edge-withheld-mismatch`);
      expect(await node.services.store.readStream(streams.case(caseIdForDetection(s.detection.detectionId))).catch(() => [])).to.have.length(0);
    });

    it('the bundle export answers 409 originals-pending with Retry-After and requests the original of the edge', async () => {
      const officer = world.officers[HANOI]!;
      const reply = await call(node, 'GET', `/v1/cases/${caseId}/bundle`, { token: officer.token, purpose: 'Court file 12/2026' });
      expectStatus(reply, 409);
      expect(reply.json.type).to.equal(`${PROBLEMS}originals-pending`);
      expect(reply.headers.get('retry-after')).to.equal('30');
      expect(reply.json.edges).to.deep.equal([edge.edgeId]);
      const requests = await getRequests(node, edge);
      expectStatus(requests, 200);
      expect(requests.json.digests).to.deep.equal([overviewDigest]);
      expect((await getRequests(node, other)).json.digests).to.deep.equal([]);
    });

    it('ledger verify reports the withheld original as pending at its edge (a notice), and as missing past the allowed age', async () => {
      const pool = new pg.Pool({ connectionString: node.db.url, max: 2 });
      try {
        const verify = (options: { maxPendingAtEdgeMs?: number; now?: () => number } = {}) =>
          verifyLedger({ ledgerPool: pool, feed: 'same-database', evidence: node.evidence, verifierKeys: [node.ledger.verifierKey()], ...options });
        const fresh = await verify();
        expect(fresh.ok, JSON.stringify(fresh.discrepancies)).to.equal(true);
        expect(fresh.pendingAtEdge.map((p) => [p.digest, p.edgeId])).to.deep.equal([[overviewDigest, edge.edgeId]]);
        expect(fresh.pendingAtEdge[0]!.message).to.contain(`pending at edge ${edge.edgeId} since `);
        const late = await verify({ maxPendingAtEdgeMs: 60_000, now: () => Date.now() + 3_600_000 });
        expect(late.ok).to.equal(false);
        expect(late.pendingAtEdge).to.have.length(0);
        const missing = late.discrepancies.filter((d) => d.code === 'EVIDENCE_MISSING');
        expect(missing.map((d) => d.digest)).to.deep.equal([overviewDigest]);
        expect(missing[0]!.message).to.contain(`pending at edge ${edge.edgeId}`);
      } finally {
        await pool.end();
      }
    });

    it('refuses hostile original uploads clearly and stores nothing', async () => {
      const traversal = await call(node, 'PUT', '/v1/edge/originals/..%2F..%2Fetc%2Fpasswd', { raw: overview, headers: { 'content-type': 'image/jpeg' } });
      expectStatus(traversal, 400, 'path traversal');
      const unsigned = await call(node, 'PUT', `/v1/edge/originals/${overviewDigest}`, { raw: overview, headers: { 'content-type': 'image/jpeg' } });
      expectStatus(unsigned, 401, 'unsigned');
      expect(unsigned.json.type).to.equal(`${PROBLEMS}edge-signature-invalid`);
      const wrongEdge = await putOriginal(node, other, signed.detection.detectionId, overviewDigest, overview);
      expectStatus(wrongEdge, 403, 'another edge');
      expect(wrongEdge.json.type).to.equal(`${PROBLEMS}edge-original-not-withheld`);
      const notWithheld = await putOriginal(node, edge, signed.detection.detectionId, evidenceDigest(signed.images[1]!), signed.images[1]!);
      expectStatus(notWithheld, 403, 'an original that was sent, not withheld');
      const other1 = await scene(800, 600);
      const wrongBytes = await putOriginal(node, edge, signed.detection.detectionId, overviewDigest, other1.subarray(0, Math.min(other1.length, overview.length)));
      expect(wrongBytes.status, wrongBytes.text).to.equal(400);
      expect(wrongBytes.json.type).to.match(/digest-mismatch/);
      const oversized = await putOriginal(node, edge, signed.detection.detectionId, overviewDigest, Buffer.concat([overview, Buffer.alloc(1024)]));
      expectStatus(oversized, 413, 'oversized');
      const stale = new Date(Date.now() - 10 * 60_000).toISOString();
      const replayed = await putOriginal(node, edge, signed.detection.detectionId, overviewDigest, overview, {
        'x-edge-time': stale,
        'x-edge-signature': signEdgeRequest(EDGE_ORIGINAL_PURPOSE, edge.edgeId, `${signed.detection.detectionId}\n${overviewDigest}`, stale, edge.key.secretKey),
      });
      expectStatus(replayed, 401, 'stale signature');
      expect(await node.services.evidence.has(overviewDigest)).to.equal(false);
    });

    it('accepts the original from its edge (201, then created:false), and the bundle then holds it', async () => {
      const first = await putOriginal(node, edge, signed.detection.detectionId, overviewDigest, overview);
      expectStatus(first, 201, 'original');
      expect(first.json).to.include({ digest: overviewDigest, size: overview.length, created: true });
      const again = await putOriginal(node, edge, signed.detection.detectionId, overviewDigest, overview);
      expectStatus(again, 200, 'repeat');
      expect(again.json.created).to.equal(false);
      expect((await getRequests(node, edge)).json.digests).to.deep.equal([]);
      const officer = world.officers[HANOI]!;
      let bundle: Reply | undefined;
      await waitFor(async () => {
        bundle = await call(node, 'GET', `/v1/cases/${caseId}/bundle`, { token: officer.token, purpose: 'Court file 12/2026' });
        return bundle.status === 200;
      }, { timeoutMs: 30_000, intervalMs: 200, what: "the bundle" });
      const text = Buffer.from(bundle!.bytes).toString('latin1');
      expect(text).to.include(overviewDigest.slice('sha256:'.length));
    });
  });

  describe('a real edge in front of the node', () => {
    const dirs: string[] = [];
    const edges: EdgeNode[] = [];
    after(async () => {
      for (const e of edges) await e.stop();
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });

    async function startRealEdge(originals: 'later' | 'now'): Promise<EdgeNode> {
      const dir = await mkdtemp(join(tmpdir(), 'tec-edge-originals-'));
      dirs.push(dir);
      const edgeId = `edge-01-${originals}${world.suffix}`;
      const started = await startEdge(
        loadEdgeConfig({
          DATA_DIR: dir,
          PROVINCES: HANOI,
          UPSTREAM_URL: node.url,
          EDGE_ID: edgeId,
          EDGE_ORIGINALS: originals,
          EDGE_REQUEST_POLL_SECONDS: '1',
          PORT: '0',
          LOG_LEVEL: 'silent',
        }),
        { verifier: new TokenVerifier({ issuer: node.issuer.issuer, audience: node.issuer.audience, keys: [node.issuer.publicKey] }) },
      );
      edges.push(started);
      await registerEdge(node, world, edgeId, started.publicKey);
      return started;
    }

    it('later: review copies first, every original delivered in the background, bytes saved counted', async () => {
      const real = await startRealEdge('later');
      const sent: SignedDetection[] = [];
      for (let i = 0; i < 3; i++) {
        const s = await signedDetection(world.cameras[HANOI]!, { images: [await scene(), await scene(320, 160)] });
        expectStatus(await ingest({ url: real.url }, world.cameras[HANOI]!, s), 202, 'edge accepts');
        sent.push(s);
      }
      await waitFor(async () => {
        const st = real.status();
        return st.queueDepth === 0 && st.originalsPending === 0;
      }, { timeoutMs: 60_000, intervalMs: 100, what: "the spool to drain" });
      const status = real.status();
      expect(status.originalsSent).to.equal(3);
      const originalBytes = sent.reduce((n, s) => n + s.detection.evidence[0]!.size, 0);
      expect(status.bytesSaved).to.be.greaterThan(0).and.lessThan(originalBytes);
      for (const s of sent) {
        for (const e of s.detection.evidence) expect(await node.services.evidence.has(e.digest), e.role).to.equal(true);
        const caseId = caseIdForDetection(s.detection.detectionId);
        const records = await node.services.store.readStream(streams.case(caseId));
        expect(records.filter((r) => r.record.type === 'EvidenceDerived')).to.have.length(2);
        const custody = await node.services.store.readStream(streams.custody(caseId));
        const relays = custody.filter((r) => (r.record.data as { access?: string }).access === 'relay');
        // The relay (with receipt and withheld) and the original's delivery.
        expect(relays).to.have.length(2);
      }
      const metrics = await (await fetch(`${real.url}/metrics`)).text();
      expect(metrics).to.match(/tec_edge_bytes_saved_total [1-9]\d*/);
    });

    it('now: every original goes with its detection, nothing withheld, nothing saved', async () => {
      const real = await startRealEdge('now');
      const s = await signedDetection(world.cameras[HANOI]!, { images: [await scene()] });
      expectStatus(await ingest({ url: real.url }, world.cameras[HANOI]!, s), 202, 'edge accepts');
      await waitFor(async () => real.status().queueDepth === 0, { timeoutMs: 60_000, intervalMs: 100, what: "the spool to drain" });
      expect(real.status().bytesSaved).to.equal(0);
      expect(real.status().originalsPending).to.equal(0);
      expect(await node.services.evidence.has(s.detection.evidence[0]!.digest)).to.equal(true);
      const records = await node.services.store.readStream(streams.case(caseIdForDetection(s.detection.detectionId)));
      expect(records.filter((r) => r.record.type === 'EvidenceDerived')).to.have.length(0);
    });
  });
});
