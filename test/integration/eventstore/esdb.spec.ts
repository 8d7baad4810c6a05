/**
 * The contract suite against a real EventStoreDB, when EVENTSTORE_URL=esdb://… names one. No server can
 * run on the development and CI machines, so it is skipped there (with a message) — see docs/eventstore.md.
 */
import { EsdbEventStore } from '../../../src/adapters/eventstore/esdb/esdb-event-store.ts';
import { describeEventStoreContract } from '../../contract/eventstore.contract.ts';
import { closedPort } from './support.ts';

const url = process.env.EVENTSTORE_URL;

if (url?.startsWith('esdb://')) {
  describeEventStoreContract('esdb', {
    open: async () => new EsdbEventStore({ connectionString: url }),
    openUnreachable: async () => new EsdbEventStore({ connectionString: `esdb://127.0.0.1:${await closedPort()}?tls=false` }),
    capabilities: { uniqueEventIdsAcrossStreams: false },
  });
} else {
  describe('event store contract: esdb', function () {
    it('needs EVENTSTORE_URL=esdb://… to run against a real EventStoreDB', function () {
      this.skip();
    });
  });
}
