/**
 * A node process running only the ledger sequencer, for the crash spec: it is killed with SIGKILL at
 * random moments. Prints `verifier-key: …` at start and `leading` once it holds the ledger lock.
 * Environment: LEDGER_TEST_DATABASE_URL, LEDGER_KEY_FILE, LEDGER_ORIGIN.
 */
import pg from 'pg';
import { startLedger } from '../../../../src/adapters/ledger/index.ts';
import { openEventStore } from './events.ts';

const url = process.env.LEDGER_TEST_DATABASE_URL!;
const pool = new pg.Pool({ connectionString: url, max: 4 });
const store = openEventStore(url);
const service = await startLedger({
  pool,
  eventStore: store,
  keyFile: process.env.LEDGER_KEY_FILE!,
  origin: process.env.LEDGER_ORIGIN!,
  checkpointIntervalMs: 15,
  maxBatch: 4,
  print: (line) => process.stdout.write(`${line}\n`),
  onFailure: (error) => {
    process.stderr.write(`sequencer failed: ${(error as Error).message}\n`);
    process.exit(3);
  },
});
await service.sequencer!.started;
process.stdout.write('leading\n');
process.on('SIGTERM', () => {
  void service
    .close()
    .then(() => store.close())
    .then(() => pool.end())
    .then(() => process.exit(0));
});
