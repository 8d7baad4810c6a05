/** The process managers' feed checkpoints: one row per process manager, overwritten as it advances. */
export const PROCESS_MANAGER_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS process_manager_checkpoint (
  name text PRIMARY KEY,
  checkpoint text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
