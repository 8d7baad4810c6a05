/**
 * The ledger's database objects (integrity.md §5, §6: `ledger_leaves`, `ledger_nodes`, `ledger_checkpoints`,
 * `ledger_state`, the `ledger_append` function) are created by the migration `migrations/1795478500000-ledger.ts`,
 * whose SQL is frozen there; a schema change is a new migration.
 */

/** Advisory lock key (pg_advisory_lock) held by the one sequencer of a ledger database. */
export const SEQUENCER_LOCK_KEY = 0x7465636c6564n; // "tecled"
