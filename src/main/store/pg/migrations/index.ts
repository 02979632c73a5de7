import { initial } from './001-initial'
import {
  anomalyGatewayTime,
  decidedAnswers,
  durability,
  forgetRemovedTokens,
  importRejectsAndMappings,
  recordCounts,
  recordTextCut,
  scheduleHolds,
  secretAnchors,
  whoActed,
} from './002-011-columns'
import { listTotalsAndSearch } from './012-list-totals'
import { statements } from './013-statements'
import { deferredIndexes, statementLineIndexes, statementSourceIndex } from './014-016-indexes'
import { batchItemClaims } from './017-batch-item-claims'
import { liveHeads } from './018-live-heads'
import { listIndexIds } from './019-list-index-ids'
import { keptAtCommit } from './020-kept-at-commit'
import { merchantHeads } from './021-merchant-heads'
import { statementFiles } from './022-statement-files'
import type { PgStep } from './step'

/**
 * The numbered migrations' PostgreSQL forms: entry N is the form of store/migrations' entry N, and
 * brings schema_migrations from N to N + 1. One list, two dialects: a SQLite step without its form
 * here stops the PostgreSQL migrator and fails tests/pg/schema.test.ts. Append only; never edit one.
 *
 * PostgreSQL databases begin with this build: each one was made empty by this list (a copy into one
 * migrates it first), so steps 001 to 016 build the schema and leave out what only moved the rows of
 * older versions, which no PostgreSQL database ever held. From 017 on, a step that moves rows moves
 * them in both forms.
 */
export const PG_MIGRATIONS: readonly PgStep[] = [
  initial,
  recordCounts,
  anomalyGatewayTime,
  forgetRemovedTokens,
  recordTextCut,
  secretAnchors,
  whoActed,
  decidedAnswers,
  scheduleHolds,
  durability,
  importRejectsAndMappings,
  listTotalsAndSearch,
  statements,
  deferredIndexes,
  statementSourceIndex,
  statementLineIndexes,
  batchItemClaims,
  liveHeads,
  listIndexIds,
  keptAtCommit,
  merchantHeads,
  statementFiles,
]
