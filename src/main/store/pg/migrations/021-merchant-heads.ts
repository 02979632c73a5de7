import { ddl } from './step'

// The PostgreSQL form of migration 021 (store/migrations/, same number): the index the window's figure
// of the merchant profiles' latest change is read through (store/heads.ts).

export const merchantHeads = ddl(`
  CREATE INDEX idx_merchants_updated ON merchants (updated_at);
`)
