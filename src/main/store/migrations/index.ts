import type { Db } from '../db'
import { initial } from './001-initial'
import { recordCounts } from './002-record-counts'
import { anomalyGatewayTime } from './003-anomaly-gateway-time'
import { forgetRemovedTokens } from './004-forget-removed-tokens'
import { recordTextCut } from './005-record-text-cut'
import { secretAnchors } from './006-secret-anchors'
import { whoActed } from './007-who-acted'
import { decidedAnswers } from './008-decided-answers'
import { scheduleHolds } from './009-schedule-holds'
import { durability } from './010-durability'
import { importRejectsAndMappings } from './011-import-rejects-and-mappings'
import { listTotalsAndSearch } from './012-list-totals-and-search'
import { statements } from './013-statements'
import { deferredIndexes } from './014-deferred-indexes'
import { statementSourceIndex } from './015-statement-source-index'
import { statementLineIndexes } from './016-statement-line-indexes'
import { batchItemClaims } from './017-batch-item-claims'
import { liveHeads } from './018-live-heads'
import { listIndexIds } from './019-list-index-ids'
import { keptAtCommit } from './020-kept-at-commit'
import { merchantHeads } from './021-merchant-heads'
import { statementFiles } from './022-statement-files'

/** Numbered migrations: entry N brings user_version from N to N + 1. Append only; never edit one. */
export const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
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
