/**
 * `/log/records` served two ways (src/adapters/http/routes/log.ts): the national mirror's read takes the bundle
 * as one string from two one-row queries (`LogPublisher.recordBundleText`); every other reader gets it line by
 * line with custody. Both must be the same bytes, for full and partial bundles, and a leaf whose record is
 * missing must still be refused.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import type { NewEvent } from '../../../src/domain/record.ts';
import { expected } from '../../../src/ports/eventstore.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';

const note = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'NoteAdded',
  // Text a COPY or a line split could get wrong: tab, backslash, an escaped newline, Vietnamese.
  data: { n, text: `Hà Nội\t\\ "x"\n${n}` },
  meta: { actor: { kind: 'system', id: 'bundle-text-spec' }, province: '01', recordedAt: new Date().toISOString() },
});

describe('record bundles: the mirror’s one-string read equals the line-by-line read', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let mirror: string;
  let auditor: string;

  before(async () => {
    node = await startApiNode('log_bundle_text', { checkpointIntervalMs: 50 });
    mirror = await node.token('auditor', '00', MIRROR_SUBJECT);
    auditor = await node.token('auditor', '00', 'aud-1');
    for (let i = 0; i < 300; i += 20) {
      await node.store.append(`case-${randomUUID()}`, Array.from({ length: 20 }, (_, k) => note(i + k)), expected.any);
    }
    await waitFor(async () => ((await node.ledger.latestCheckpoint())?.treeSize ?? 0) >= 300, { what: 'a checkpoint of 300' });
  });
  after(async () => node?.close());

  const read = async (path: string, token: string) => {
    const res = await fetch(`${node.url}/log/${path}`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'audit' } });
    expect(res.status, path).to.equal(200);
    return Buffer.from(await res.arrayBuffer());
  };

  it('serves the same bytes to the mirror and to an auditor, for a full and a partial bundle', async () => {
    const size = (await node.ledger.latestCheckpoint())!.treeSize;
    for (const path of ['records/000', `records/001.p/${size - 256}`]) {
      const [fast, lineByLine] = [await read(path, mirror), await read(path, auditor)];
      expect(fast.equals(lineByLine), path).to.equal(true);
      const lines = fast.toString('utf8').split('\n');
      expect(lines.at(-1)).to.equal('');
      expect(lines.length - 1).to.equal(path === 'records/000' ? 256 : size - 256);
    }
    const joined = (await node.services.log!.recordBundle(0, 256))!.map((l) => `${l.text}\n`).join('');
    expect(await node.services.log!.recordBundleText(0, 256)).to.equal(joined);
  });

  it('answers 404 beyond the newest checkpoint', async () => {
    const res = await fetch(`${node.url}/log/records/999`, { headers: { authorization: `Bearer ${mirror}`, 'x-purpose': 'audit' } });
    expect(res.status).to.equal(404);
  });

  it('refuses a bundle whose record is missing from the event store, naming the leaf', async () => {
    const pool = new pg.Pool({ connectionString: node.db.url, max: 1 });
    try {
      // As a superuser would: remove one record's text behind the store's back (the triggers refuse a DELETE).
      const { rows } = await pool.query<{ record_id: string }>('SELECT record_id FROM ledger_leaves WHERE leaf_index = 3');
      await pool.query('ALTER TABLE event_records DISABLE TRIGGER USER');
      await pool.query('DELETE FROM event_records WHERE event_id = $1', [rows[0]!.record_id]);
      await pool.query('ALTER TABLE event_records ENABLE TRIGGER USER');
    } finally {
      await pool.end();
    }
    const error = await node.services.log!.recordBundleText(0, 256).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
    expect((error as { details?: { leafIndex?: string } }).details?.leafIndex).to.equal('3');
    const res = await fetch(`${node.url}/log/records/000`, { headers: { authorization: `Bearer ${mirror}`, 'x-purpose': 'audit' } });
    expect(res.status).to.be.greaterThanOrEqual(500);
  });
});
