import type { Actor } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import { say as sayIn } from '../../../shared/messages'
import {
  download,
  downloaderOf,
  statementFolder,
  storeUpload,
  type StoredFile,
} from '../../engine/reconcile/fetch'
import type { GatewayAdapter } from '../../gateways/types'
import { auditOn } from '../../store/audit'
import { type MerchantRow } from '../../store/merchants'
import { fileCalls, type StoreCalls } from '../../store/sql/calls'
import { updateStatementOn, type StatementRow } from '../../store/statements'
import type { ServiceContext } from '../context'
import { type DayRequest } from './common'

// A run's file: the bytes a re-run kept, a file the person chose (copied under the statement's folder
// and audited), or the gateway's download; a day without a bill is written on the statement as such.
// Written once for the desktop's file and a team database (docs/team-mode.md B8.19): what differs is
// where the bytes are kept on this computer and whose key opens the merchant's adapter.

export type Fetched = { kind: 'file'; file: StoredFile } | { kind: 'empty'; file: null } | { kind: 'stop' }

/** What fetching a run's file needs of the books it runs on. */
export interface FetchBooks {
  calls: StoreCalls
  now(): number
  /** This computer's folder of statement files for these books. */
  statementsDir: string
  /** Who an upload's audit row names. */
  operator: Actor['operator']
  /** The merchant's adapter, its secrets opened with these books' key. */
  adapterFor(merchantId: number): Promise<GatewayAdapter>
}

/** The desktop's file, through its ServiceContext. */
export function fileFetchBooks(ctx: ServiceContext): FetchBooks {
  return {
    calls: fileCalls(ctx.db),
    now: ctx.now,
    statementsDir: ctx.filesDir('statements'),
    operator: ctx.operator,
    adapterFor: (id) => ctx.adapterFor(id),
  }
}

export async function fetchFileOn(
  books: FetchBooks,
  merchant: MerchantRow,
  st: StatementRow,
  billDate: string,
  chosen: DayRequest['file'],
): Promise<Fetched> {
  const { calls } = books
  const folder = statementFolder(books.statementsDir, merchant.name, billDate)
  if (chosen) {
    if (chosen.stored) {
      // A re-run reads the bytes it kept; they were hashed when they came.
      return {
        kind: 'file',
        file: {
          path: chosen.path,
          name: chosen.name,
          bytes: st.file_bytes ?? 0,
          sha256: st.file_sha256 ?? '',
          verified: st.verified === 1,
          expectedSha1: st.gateway_hash,
        },
      }
    }
    const file = await storeUpload(chosen.path, chosen.name, folder, books.now())
    const detail = {
      merchant: merchant.name,
      billDate,
      file: file.name,
      sha256: file.sha256,
      bytes: file.bytes,
    }
    const entry = { operator: books.operator, action: 'statement_uploaded' as const, detail }
    await calls.run(auditOn, { ...entry, target: `statement:${st.id}` }, books.now())
    const unverified = { source: 'upload' as const, verified: 0, gateway_hash: null }
    await calls.run(updateStatementOn, st.id, unverified, books.now())
    return { kind: 'file', file }
  }
  const adapter = await books.adapterFor(merchant.id)
  const downloader = downloaderOf(adapter)
  if (!downloader) throw AppError.say('config', 'statement.noDownload', { merchant: merchant.name })
  const { file, answer } = await download(downloader, billDate, folder, books.now())
  if (answer.status === 'ok') {
    const verified = { source: 'download' as const, verified: file!.verified ? 1 : 0 }
    await calls.run(updateStatementOn, st.id, { ...verified, gateway_hash: file!.expectedSha1 }, books.now())
    return { kind: 'file', file: file! }
  }
  const id =
    answer.status === 'not_ready'
      ? 'statement.notReady'
      : answer.status === 'empty'
        ? 'statement.noBill'
        : 'statement.downloadFailed'
  const detail = `${answer.code} ${answer.msg}`.trim()
  await calls.run(
    updateStatementOn,
    st.id,
    {
      source: 'download',
      status: answer.status,
      ...(answer.status === 'empty' ? {} : { result: null, summary: null, open_diffs: 0 }),
      error_code:
        answer.status === 'not_ready'
          ? 'STATEMENT_NOT_READY'
          : answer.status === 'empty'
            ? 'STATEMENT_EMPTY'
            : 'STATEMENT_DOWNLOAD_FAILED',
      error_msg: AppError.say('config', id, { date: billDate, detail }).message,
      error_zh: sayZh(id, { date: billDate, detail }),
    },
    books.now(),
  )
  // An empty day still reconciles our side: every local success of the day is then local_only (A17.7).
  return answer.status === 'empty' ? { kind: 'empty', file: null } : { kind: 'stop' }
}

function sayZh(id: Parameters<typeof AppError.say>[1], params: Record<string, string | number>): string {
  return sayIn(id, params, 'zh-CN')
}
