import type { Db } from '../db'

// Migration 019 changes nothing on SQLite: every entry of an SQLite index ends in the row's id (the
// rowid), so an index on (outcome, created_at) already hands the list its rows in the order
// `created_at DESC, id DESC` and a page is a walk down the index. A PostgreSQL index holds only the
// columns it names; its form of this migration (store/pg/migrations/019-list-index-ids.ts) names the
// id too. The number is taken on both sides so that the two lists stay one (docs/team-mode.md B8.1).

export function listIndexIds(_db: Db): void {}
