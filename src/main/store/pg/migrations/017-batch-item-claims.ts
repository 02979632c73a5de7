import { ddl } from './step'

// The PostgreSQL form of migration 017 (store/migrations/, same number): who holds a batch item and
// until when, on the database's clock (store/coordination/pg.ts). No rows to move: every item of a
// batch copied in before this step is unclaimed.

export const batchItemClaims = ddl(`
  ALTER TABLE batch_items ADD COLUMN claimed_by text COLLATE "C";
  ALTER TABLE batch_items ADD COLUMN claim_expires_at bigint;
  CREATE INDEX idx_batch_items_claim ON batch_items (batch_id, id, claim_expires_at) WHERE state = 'pending';
`)
