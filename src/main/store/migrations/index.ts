import type { Db } from '../db'
import { initial } from './001-initial'
import { recordCounts } from './002-record-counts'
import { anomalyGatewayTime } from './003-anomaly-gateway-time'
import { forgetRemovedTokens } from './004-forget-removed-tokens'
import { recordTextCut } from './005-record-text-cut'
import { statements } from './006-statements'

/** Numbered migrations: entry N brings user_version from N to N + 1. Append only; never edit one. */
export const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  initial,
  recordCounts,
  anomalyGatewayTime,
  forgetRemovedTokens,
  recordTextCut,
  statements,
]
