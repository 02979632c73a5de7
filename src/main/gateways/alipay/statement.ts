import { allowedBillUrl, fetchBill } from '../bill-file'
import type { CallContext, StatementDownload, StatementRequest } from '../types'
import {
  beijingDayStart,
  empty,
  failed,
  fetchFailed,
  notReady,
  plainFileName,
  refusedBillDate,
  retryableFailure,
} from '../statement-kit'
import { refusalCode, refusalMessage } from './answers'
import type { AlipayTransport } from './transport'

const BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query'
/**
 * `isp.bill_not_exist` means "not made yet" until this long after the day ends, "no bill" after
 * (docs/reconcile.md A1.1: bills are made "一般于次日 9 点前"; an hour's margin, to 10:00 Beijing).
 */
const NOT_READY_UNTIL_MS = 34 * 3600_000

/**
 * The day's trade bill (docs/reconcile.md A1.1): the signed answer of
 * `alipay.data.dataservice.bill.downloadurl.query`, verified as any answer, gives a link that lives
 * 30 s; the zip behind it is a plain GET, unsigned, trusted as the verified answer's link.
 */
export async function downloadStatement(
  t: AlipayTransport,
  req: StatementRequest,
  ctx: CallContext,
): Promise<StatementDownload> {
  const refused = refusedBillDate(req.billDate, t.now())
  if (refused) return refused
  const { ex, reading } = await t.call(BILL_METHOD, { bill_type: 'trade', bill_date: req.billDate }, ctx)
  if (reading.kind === 'error') {
    const busy = ex.ok && ex.response.status === 200 && /"code"\s*:\s*"20000"/.test(ex.response.body)
    return failed(reading.code, reading.msg, busy || retryableFailure(reading.code), reading.raw)
  }
  const n = reading.node
  const raw = reading.raw
  if (n.code !== '10000') {
    const code = refusalCode(n, 'no_code')
    const msg = refusalMessage(n, 'the gateway refused the bill without a message')
    // The live gateway's word for "no bill", whatever its specification says (A1.1, A18).
    if (n.sub_code === 'isp.bill_not_exist')
      return t.now() < beijingDayStart(req.billDate)! + NOT_READY_UNTIL_MS
        ? notReady(code, `${msg} (the bill of ${req.billDate} may not be made yet: ask again later)`, raw)
        : empty(code, msg, raw)
    return failed(code, msg, n.code === '20000', raw)
  }
  const link = typeof n.bill_download_url === 'string' ? allowedBillUrl(n.bill_download_url) : null
  if (!link)
    return failed(
      'malformed',
      'the answer carries no bill_download_url, or one that is not https',
      false,
      raw,
    )
  // The link names the day it serves (bizDates): a signed link to another day is no answer to ours.
  const stamp = req.billDate.replaceAll('-', '')
  const named = link.searchParams.get('bizDates')
  if (named !== null && named !== stamp)
    return failed(
      'mismatch',
      `the link serves the bill of ${named}, not ${stamp} that was asked for`,
      false,
      raw,
    )
  // The download host is not the API: the merchant's QPS gate does not apply to it.
  const fetched = await fetchBill(
    () => ({ method: 'GET', url: link.toString(), headers: { accept: '*/*' } }),
    req.dest,
    { policy: t.policy },
  )
  if (!fetched.ok) return fetchFailed(fetched, raw)
  return {
    status: 'ok',
    fileName: plainFileName(link.searchParams.get('downloadFileName'), `alipay_${stamp}.csv.zip`),
    bytes: fetched.bytes,
    sha256: fetched.sha256,
    verified: true,
    expectedSha1: null,
    rawAnswer: raw,
  }
}
