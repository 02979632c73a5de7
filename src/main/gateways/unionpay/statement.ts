import { formatBeijingCompact } from '../../../shared/time'
import { BillTooLargeError, MAX_BILL_BYTES } from '../bill-file'
import { aboutAnotherTrade } from '../kit'
import type { CallContext, StatementDownload, StatementRequest } from '../types'
import { empty, failed, plainFileName, refusedBillDate, retryableFailure } from '../statement-kit'
import { queryFailed } from './answers'
import { FileContentError, writeFileContent } from './file-content'
import { RETRYABLE_RESP, type UnionpayTransport } from './transport'

/**
 * The most of a file transfer answer read. Unlike a bill of the other channels it comes inside the
 * signed answer, so it is read whole to be verified: base64 of a deflated zip of the ZM file, about
 * a tenth of the lines' 608 bytes each, so this holds some 800 000 lines.
 */
const MAX_FILE_ANSWER_BYTES = 64 * 1024 * 1024

/**
 * Where the file transfer goes: UnionPay's file host beside its gateway (`gateway.95516.com` →
 * `https://filedownload.95516.com/`, the test host likewise); any other host (the simulator, a
 * proxy) serves both at the same origin.
 */
export function fileTransferUrl(endpoint: string): string {
  const u = new URL(endpoint)
  if (u.hostname.startsWith('gateway.')) u.hostname = `filedownload.${u.hostname.slice('gateway.'.length)}`
  return `${u.origin}/`
}

/**
 * A file transfer answer as kept on the record: its `fileContent` (the file itself, in `dest`) cut to
 * a note of its length, every other field as it came.
 */
function shortened(raw: string | null): string | null {
  if (raw === null) return null
  return raw.replace(
    /(^|&)fileContent=([^&]*)/,
    (_m, lead: string, v: string) =>
      `${lead}fileContent=(${v.length} characters of base64: the file, written apart)`,
  )
}

/**
 * The day's ZM file (docs/reconcile.md A1.3): the file transfer (txnType 76) for the settle date,
 * signed like a query and its answer verified like one; the file comes inside the verified answer
 * (`fileContent`) and is written to `dest` as the zip it is. respCode 98 is "no file": an empty day.
 */
export async function downloadStatement(
  t: UnionpayTransport,
  req: StatementRequest,
  ctx: CallContext,
): Promise<StatementDownload> {
  const refused = refusedBillDate(req.billDate, t.now())
  if (refused) return refused
  const stamp = req.billDate.replaceAll('-', '')
  // Built afresh for every try, so that each carries its own txnTime.
  const reading = await t.fileTransfer(
    () => ({
      txnType: '76',
      txnSubType: '01',
      bizType: '000000',
      accessType: '0',
      channelType: '07',
      fileType: '00',
      merId: t.profile.merId,
      txnTime: formatBeijingCompact(t.now()),
      // 清算日期 without its year: the gateway takes the latest such day.
      settleDate: stamp.slice(4),
    }),
    fileTransferUrl(t.profile.endpoint),
    MAX_FILE_ANSWER_BYTES,
    `file ${req.billDate}`,
    ctx,
  )
  if (reading.kind === 'error')
    return failed(reading.code, reading.msg, retryableFailure(reading.code), shortened(reading.raw))
  const f = reading.fields
  const raw = shortened(reading.raw)!
  // The answer names the day it is about (settleDate, the file's name): another day's is no answer.
  const fileDay = /_(\d{8})\.zip$/.exec(f.fileName ?? '')?.[1] ?? stamp
  const other =
    aboutAnotherTrade(f, { settleDate: stamp.slice(4), txnType: '76' }) ??
    (fileDay !== stamp
      ? {
          code: 'mismatch',
          msg: `the answer is about the file ${f.fileName ?? ''}, not of ${req.billDate}`,
        }
      : null)
  if (other) return failed(other.code, other.msg, false, raw)
  if (f.respCode === '98') return empty('respCode 98', f.respMsg || '文件不存在', raw)
  if (f.respCode !== '00') {
    const q = queryFailed(f, raw)
    return failed(q.code, q.msg, RETRYABLE_RESP.has(f.respCode!) || f.respCode === '37', raw)
  }
  if (!f.fileContent) return failed('malformed', 'a successful file transfer without fileContent', false, raw)
  try {
    const written = await writeFileContent(f.fileContent, req.dest, MAX_BILL_BYTES)
    return {
      status: 'ok',
      fileName: plainFileName(f.fileName, `${t.profile.merId}_${stamp}.zip`),
      ...written,
      verified: true,
      expectedSha1: null,
      rawAnswer: raw,
    }
  } catch (err) {
    if (err instanceof FileContentError) return failed(err.code, err.message, false, raw)
    if (err instanceof BillTooLargeError) return failed(err.code, err.message, false, raw)
    return failed('write_failed', `the bill could not be written: ${(err as Error).message}`, false, raw)
  }
}
