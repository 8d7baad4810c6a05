import { expect } from 'chai';
import pg from 'pg';
import { createConnection } from 'node:net';
import { scratchDatabase, testDatabaseUrl, testRedisUrl } from '../../support/env.ts';

describe('test harness services', () => {
  it('provides a PostgreSQL server where scratch databases can be created and dropped', async () => {
    const db = await scratchDatabase('harness');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('select current_database() as db');
    await client.end();
    expect(rows[0]?.db).to.equal(db.name);
    await db.drop();
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    const left = await admin.query('select 1 from pg_database where datname = $1', [db.name]);
    await admin.end();
    expect(left.rowCount).to.equal(0);
  });

  it('provides a Redis server that answers PING', async () => {
    const url = new URL(testRedisUrl());
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
      socket.once('error', reject);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
    });
    expect(reply).to.equal('+PONG\r\n');
  });
});
