import { ddl } from './step'

// The PostgreSQL form of migration 018 (store/migrations/, same number): the indexes the window's
// figures of what moved are read through (store/heads.ts).

export const liveHeads = ddl(`
  CREATE INDEX idx_statements_updated ON statements (updated_at);
  CREATE INDEX idx_batches_open ON batches (status, heartbeat_at, owner)
    WHERE status IN ('pending', 'running', 'paused', 'interrupted');
`)
