import { formatBeijing } from '../../../../shared/time'
import { alipayBillStream } from '../bills/alipay'
import { compactDate, dayStart } from '../bills/format'
import type { SimMerchant, SimState } from '../state'
import { billDay, billLines, billReadyAt, BillLinks, type BillDay, type BillRules } from '../statements'
import type { SimOptions, SimRequest, SimResponse } from '../types'
import { fail, type Node } from './replies'

// The bill application of the simulated Alipay (`alipay.data.dataservice.bill.downloadurl.query`,
// docs/reconcile.md A1.1 and A14) and the link it answers, `GET /downloadBillFile.resource`,
// unsigned, valid 30 s, serving the zip.

export const DOWNLOAD_PATH = '/downloadBillFile.resource'

/** Alipay's trade bill: payments by their pay time (a closed one was refunded whole), refunds done. */
const ALIPAY_BILL: BillRules = {
  paid: (o) =>
    ['TRADE_SUCCESS', 'TRADE_FINISHED'].includes(o.state) || (o.state === 'TRADE_CLOSED' && !!o.paidAt),
  refund: (r) => (r.state === 'REFUND_SUCCESS' ? { time: r.createdAt } : null),
}

/** What a bill link serves, fixed when the link was made. */
interface AlipayBillLink {
  pid: string
  date: string
  day: BillDay
  truncated: boolean
  utf8NameFlag: boolean
}

export function alipayBills(state: SimState, options: SimOptions) {
  const links = new BillLinks<AlipayBillLink>()

  /**
   * The bill application: a day (yyyy-MM-dd) of `trade`, ready from 09:00 the next day ("当日数据一般
   * 于次日 9 点前生成"); no bill, or not yet, is `isp.bill_not_exist` as the live gateway writes it.
   */
  function billApply(m: SimMerchant, biz: Node, req: SimRequest): Node {
    state.stats.billRequests += 1
    const type = biz.bill_type
    const date = biz.bill_date
    const notExist = fail('40004', 'Business Failed', 'isp.bill_not_exist', '账单不存在')
    if (type !== 'trade' && type !== 'signcustomer')
      return fail('40004', 'Business Failed', 'isv.invalid_arguments', '参数有误bill_type')
    // A month (yyyy-MM) is a valid question; the simulator keeps no month bills.
    if (typeof date === 'string' && /^\d{4}-\d{2}$/.test(date)) return notExist
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || date < '2016-01-01')
      return fail('40004', 'Business Failed', 'isv.invalid_arguments', '参数有误bill_date')
    const start = dayStart(date)
    if (Number.isNaN(start) || formatBeijing(start).slice(0, 10) !== date)
      return fail('40004', 'Business Failed', 'isv.invalid_arguments', '参数有误bill_date')
    // No balance movements are simulated: a fund bill has nothing (A1.1 says the gateway answers so).
    if (type === 'signcustomer') return notExist
    const now = options.now()
    if (req.fault === 'bill_not_ready' || now < billReadyAt(state, m.name, date)) return notExist
    const day = billDay(state, m.name, date, ALIPAY_BILL)
    if (day.count === 0) return notExist
    const pid = m.ids.pid ?? '2088000000000000'
    const token = links.add(
      {
        pid,
        date,
        day,
        truncated: req.fault === 'bill_truncated',
        utf8NameFlag: req.fault === 'bill_gbk_name_utf8flag',
      },
      now,
    )
    const stamp = compactDate(date)
    const url = new URL(`http://${String(req.headers.host ?? '127.0.0.1')}${DOWNLOAD_PATH}`)
    for (const [k, v] of Object.entries({
      bizType: 'trade',
      userId: pid,
      fileType: 'csv.zip',
      bizDates: stamp,
      downloadFileName: `${pid}_${stamp}.csv.zip`,
      fileId: `/trade/${pid}/${stamp}.csv.zip`,
      timestamp: String(Math.floor(now / 1000)),
      token,
    }))
      url.searchParams.set(k, v)
    return { code: '10000', msg: 'Success', bill_download_url: url.toString() }
  }

  /** The link's GET: the zip, streamed; unsigned, as on the real download host. */
  function billDownload(req: SimRequest): SimResponse {
    state.stats.billRequests += 1
    const link = links.get(req.url.searchParams.get('token') ?? '', options.now())
    if (req.method !== 'GET' || !link)
      return {
        status: 404,
        headers: { 'content-type': 'text/html;charset=utf-8' },
        body: '<html><body>下载链接已失效，请重新获取</body></html>',
      }
    const { name, body } = alipayBillStream(
      {
        pid: link.pid,
        date: link.date,
        // The file is exported once, early the next morning, whenever it is downloaded.
        exportedAt: dayStart(link.date) + 86_400_000 + 5 * 3600_000 + 46 * 60_000 + 49_000,
        truncated: link.truncated || req.fault === 'bill_truncated',
        utf8NameFlag: link.utf8NameFlag || req.fault === 'bill_gbk_name_utf8flag',
      },
      // Alipay's trade bill has no revoke rows.
      function* () {
        for (const t of billLines(link.date, link.day)) if (t.kind !== 'revoke') yield t
      },
    )
    return {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${name}"`,
      },
      body: '',
      stream: body,
    }
  }

  return { billApply, billDownload }
}
