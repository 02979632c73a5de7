import type { Db } from '../db'

// Migration 020 changes nothing on SQLite: one file has one writer at a time, so the kept totals'
// triggers (migration 012) hold nothing up there. Its PostgreSQL form (store/pg/migrations/
// 020-kept-at-commit.ts) moves them to the commit, where desktops writing at once waited on them.
// The number is taken on both sides so that the two lists stay one (docs/team-mode.md B8.1).

export function keptAtCommit(_db: Db): void {}
