import crypto from 'node:crypto'
import { formatBeijing } from '../../../../shared/time'
import { dayStart } from '../bills/format'
import { gzipped } from '../bills/stream'
import { wechatBillChunks, type WechatBillOptions, type WechatBillType } from '../bills/wechat'
import type { SimMerchant, SimState } from '../state'
import { billDay, billLines, billReadyAt, BillLinks, type BillDay, type BillRules } from '../statements'
import type { SimOptions, SimRequest, SimResponse } from '../types'
import { PAID, type Reply, type WechatRoute } from './replies'
import type { WechatSigning } from './signing'

// The trade bill (docs/reconcile.md A1.2 and A14): `GET /v3/bill/tradebill` answers, signed, the
// SHA-1 of the bill and a link valid 30 s; `GET /v3/billdownload/file?token=…` wants a valid
// Authorization like any call and answers the file (gzipped for tar_type=GZIP) with no Wechatpay-*
// headers: the hash is the evidence, not a signature.
export const BILL_DOWNLOAD_PATH = '/v3/billdownload/file'
const BILL_TYPES: readonly string[] = ['ALL', 'SUCCESS', 'REFUND']
const DAY_MS = 86_400_000

/** Payments by their success time; refunds on the day WeChat accepted them, in the state they are in. */
const WECHAT_BILL: BillRules = {
  paid: (o) => PAID.has(o.state),
  refund: (r) => {
    const status = { SUCCESS: 'SUCCESS', PROCESSING: 'PROCESSING', ABNORMAL: 'CHANGE' }[r.state]
    if (!status) return null
    // The refund query answers success_time a minute after the refund was made (refund.ts).
    return {
      time: r.createdAt,
      status,
      ...(status === 'SUCCESS' ? { finishedAt: r.createdAt + 60_000 } : {}),
    }
  },
}

interface WechatBillLink {
  merchant: string
  date: string
  options: Omit<WechatBillOptions, 'rows'>
  day: BillDay
  gzip: boolean
}

/** The trade bill's route, and the download of the file its answer links to. */
export function wechatBills(state: SimState, options: SimOptions, signing: WechatSigning) {
  const links = new BillLinks<WechatBillLink>()

  function tradeBill(m: SimMerchant, req: SimRequest): Reply {
    state.stats.billRequests += 1
    const q = req.url.searchParams
    const invalid = (message: string): Reply => ({
      status: 400,
      body: { code: 'INVALID_REQUEST', message },
      code: 268435461,
    })
    const date = q.get('bill_date') ?? ''
    const start = /^\d{4}-\d{2}-\d{2}$/.test(date) ? dayStart(date) : NaN
    if (Number.isNaN(start) || formatBeijing(start).slice(0, 10) !== date)
      return invalid('账单日期格式不正确，格式为yyyy-MM-DD')
    const now = options.now()
    if (start + DAY_MS > now) return invalid('不支持下载当日及以后的账单')
    if (start < now - 92 * DAY_MS) return invalid('仅支持三个月内的账单下载申请')
    const billType = q.get('bill_type') ?? 'ALL'
    if (!BILL_TYPES.includes(billType))
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'bill_type取值不正确' } }
    const tar = q.get('tar_type')
    if (tar !== null && tar !== 'GZIP')
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'tar_type取值不正确' } }
    const sub = q.get('sub_mchid')
    if (sub !== null && (m.mode !== 'partner' || sub !== m.ids.subMchid))
      return invalid('子商户号与服务商不存在受理关系')
    if (req.fault === 'bill_not_ready' || now < billReadyAt(state, m.name, date))
      return { status: 400, body: { code: 'STATEMENT_CREATING', message: '账单生成中' } }
    const day = billDay(state, m.name, date, WECHAT_BILL)
    const bill: Omit<WechatBillOptions, 'rows'> = {
      mchid: m.ids.mchid!,
      appid: m.ids.appId,
      subMchid: m.mode === 'partner' ? m.ids.subMchid : '0',
      billType: billType as WechatBillType,
      truncated: req.fault === 'bill_truncated',
    }
    const rows = () => billLines(date, day)
    let lines = 0
    for (const r of rows())
      if (billType === 'ALL' || (billType === 'SUCCESS' ? r.kind === 'pay' : r.kind === 'refund')) lines++
    if (lines === 0)
      return {
        status: 400,
        body: { code: 'NO_STATEMENT_EXIST', message: '账单文件不存在' },
        code: 268435462,
      }
    // The digest of the bill as served (a truncated one too: its own summary gives it away), or of
    // other bytes under bill_hash_mismatch.
    const sha1 = crypto.createHash('sha1')
    for (const chunk of wechatBillChunks(bill, rows)) sha1.update(chunk)
    if (req.fault === 'bill_hash_mismatch') sha1.update('\n')
    const token = links.add({ merchant: m.name, date, options: bill, day, gzip: tar === 'GZIP' }, now)
    return {
      status: 200,
      body: {
        hash_type: 'SHA1',
        hash_value: sha1.digest('hex'),
        download_url: `http://${String(req.headers.host ?? '127.0.0.1')}${BILL_DOWNLOAD_PATH}?token=${token}`,
      },
    }
  }

  /** The file itself: no Wechatpay-* headers, nothing to verify but the hash. */
  function billDownload(m: SimMerchant, req: SimRequest): SimResponse {
    state.stats.billRequests += 1
    const link = links.get(req.url.searchParams.get('token') ?? '', options.now())
    if (!link || link.merchant !== m.name)
      return signing.respond(req, m, {
        status: 400,
        body: { code: 'INVALID_REQUEST', message: '下载链接已失效' },
      })
    const bill = { ...link.options, truncated: link.options.truncated || req.fault === 'bill_truncated' }
    const chunks = () => wechatBillChunks(bill, () => billLines(link.date, link.day))
    return {
      status: 200,
      headers: {
        'content-type': link.gzip ? 'application/x-gzip' : 'text/plain;charset=utf-8',
        'request-id': crypto.randomBytes(20).toString('hex').toUpperCase(),
      },
      body: '',
      stream: link.gzip ? () => gzipped(chunks()) : chunks,
    }
  }

  const routes: WechatRoute[] = [
    {
      method: 'GET',
      re: /^\/v3\/bill\/tradebill$/,
      name: 'wechat.bill.tradebill',
      run: (m, r) => tradeBill(m, r),
    },
  ]

  return { routes, billDownload }
}
