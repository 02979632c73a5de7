import { AppError } from '../../../shared/errors'
import { say as sayIn } from '../../../shared/messages'
import {
  download,
  downloaderOf,
  statementFolder,
  storeUpload,
  type StoredFile,
} from '../../engine/reconcile/fetch'
import { audit } from '../../store/audit'
import { type MerchantRow } from '../../store/merchants'
import { updateStatement, type StatementRow } from '../../store/statements'
import type { ServiceContext } from '../context'
import { type DayRequest } from './common'

// A run's file: the bytes a re-run kept, a file the person chose (copied under the statement's folder
// and audited), or the gateway's download; a day without a bill is written on the statement as such.

type Fetched = { kind: 'file'; file: StoredFile } | { kind: 'empty'; file: null } | { kind: 'stop' }

export async function fetchFile(
  ctx: ServiceContext,
  merchant: MerchantRow,
  st: StatementRow,
  billDate: string,
  request: DayRequest,
): Promise<Fetched> {
  const folder = statementFolder(ctx.filesDir('statements'), merchant.name, billDate)
  if (request.file) {
    if (request.file.stored) {
      // A re-run reads the bytes it kept; they were hashed when they came.
      return {
        kind: 'file',
        file: {
          path: request.file.path,
          name: request.file.name,
          bytes: st.file_bytes ?? 0,
          sha256: st.file_sha256 ?? '',
          verified: st.verified === 1,
          expectedSha1: st.gateway_hash,
        },
      }
    }
    const file = await storeUpload(request.file.path, request.file.name, folder, ctx.now())
    audit(ctx.db, {
      operator: ctx.operator,
      action: 'statement_uploaded',
      target: `statement:${st.id}`,
      detail: { merchant: merchant.name, billDate, file: file.name, sha256: file.sha256, bytes: file.bytes },
    })
    updateStatement(ctx.db, st.id, { source: 'upload', verified: 0, gateway_hash: null }, ctx.now())
    return { kind: 'file', file }
  }
  const adapter = await ctx.adapterFor(merchant.id)
  const downloader = downloaderOf(adapter)
  if (!downloader) throw AppError.say('config', 'statement.noDownload', { merchant: merchant.name })
  const { file, answer } = await download(downloader, billDate, folder, ctx.now())
  if (answer.status === 'ok') {
    updateStatement(
      ctx.db,
      st.id,
      { source: 'download', verified: file!.verified ? 1 : 0, gateway_hash: file!.expectedSha1 },
      ctx.now(),
    )
    return { kind: 'file', file: file! }
  }
  const id =
    answer.status === 'not_ready'
      ? 'statement.notReady'
      : answer.status === 'empty'
        ? 'statement.noBill'
        : 'statement.downloadFailed'
  const detail = `${answer.code} ${answer.msg}`.trim()
  updateStatement(
    ctx.db,
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
    ctx.now(),
  )
  // An empty day still reconciles our side: every local success of the day is then local_only (A17.7).
  return answer.status === 'empty' ? { kind: 'empty', file: null } : { kind: 'stop' }
}

function sayZh(id: Parameters<typeof AppError.say>[1], params: Record<string, string | number>): string {
  return sayIn(id, params, 'zh-CN')
}
