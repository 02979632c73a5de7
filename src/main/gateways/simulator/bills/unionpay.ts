import zlib from 'node:zlib'
import { formatBeijingCompact } from '../../../../shared/time'
import { compactDate, e5ToFen, gbk } from './format'
import type { BillTrade } from './types'
import { zipArchive } from './zip'

// UnionPay's file transfer (txnType 76) as the gateway answers it (docs/reconcile.md A1.3): the ZM
// file `INN{yyMMdd}88ZM_{merId}` of fixed-width GBK lines (46 fields, one space between, CRLF), in a
// zip, deflated, base64 in `fileContent`. Widths are GBK bytes: a Chinese 二级商户简称 takes two
// bytes a character and the padding shrinks to match, so every later field stays in place. The
// deflate carries the zlib wrapper by default, which the official acp SDK's `new Inflater(false)`
// expects; `raw` gives bare DEFLATE, the reading of the spec and DaxPay. The synthetic sample file of
// the spec is reproduced byte for byte.

/** The 46 fields: name and width in GBK bytes (liao47 BillParser `LENGTH_ARR`, DaxPay 2.0.8). */
export const ZM_FIELDS: ReadonlyArray<readonly [string, number]> = [
  ['交易代码', 3],
  ['代理机构标识码', 11],
  ['发送机构标识码', 11],
  ['系统跟踪号', 6],
  ['交易传输时间', 10],
  ['帐号', 19],
  ['交易金额', 12],
  ['商户类别', 4],
  ['终端类型', 2],
  ['查询流水号', 21],
  ['支付方式（旧）', 2],
  ['商户订单号', 32],
  ['支付卡类型', 2],
  ['原始交易的系统跟踪号', 6],
  ['原始交易日期时间', 10],
  ['商户手续费', 13],
  ['结算金额', 13],
  ['支付方式', 4],
  ['集团商户代码', 15],
  ['交易类型', 2],
  ['交易子类', 2],
  ['业务类型', 6],
  ['帐号类型', 2],
  ['账单类型', 4],
  ['账单号码', 32],
  ['交互方式', 1],
  ['原交易查询流水号', 21],
  ['商户代码', 15],
  ['分账入账方式', 1],
  ['二级商户代码', 15],
  ['二级商户简称', 32],
  ['二级商户分账入账金额', 13],
  ['清算净额', 13],
  ['终端号', 8],
  ['商户自定义域', 32],
  ['优惠金额', 13],
  ['发票金额', 13],
  ['分期付款附加手续费', 12],
  ['分期付款期数', 2],
  ['交易介质', 1],
  ['原始交易订单号', 32],
  ['清算金额', 13],
  ['服务点输入方式码', 2],
  ['移动支付产品标志', 1],
  ['检索参考号', 12],
  ['保留使用', 67],
]

const WIDTH = new Map(ZM_FIELDS)

/** One ZM line (608 bytes, no line end) from field values by name; absent fields are blank. */
export function zmLine(fields: Readonly<Record<string, string>>): Buffer {
  for (const name of Object.keys(fields))
    if (!WIDTH.has(name)) throw new RangeError(`a ZM line has no field ${name}`)
  const parts: Buffer[] = []
  ZM_FIELDS.forEach(([name, width], i) => {
    const bytes = gbk(fields[name] ?? '')
    if (bytes.length > width)
      throw new RangeError(`${name} is ${bytes.length} GBK bytes, wider than ${width}`)
    parts.push(bytes, Buffer.alloc(width - bytes.length + (i < ZM_FIELDS.length - 1 ? 1 : 0), 0x20))
  })
  return Buffer.concat(parts)
}

/** A signed amount in fen as the ZM file writes it: `C000000003559`, `D000000000021`. */
export function zmSigned(fen: number): string {
  return `${fen < 0 ? 'D' : 'C'}${String(Math.abs(fen)).padStart(12, '0')}`
}

export interface UnionpayBillRow extends BillTrade {
  /** Any field of the line by name, over what the trade gives. */
  fields?: Readonly<Record<string, string>>
  subMerId?: string
  subMerName?: string
}

export interface UnionpayBillOptions {
  merId: string
  /** The settle date (清算日期), YYYY-MM-DD. */
  settleDate: string
  rows: UnionpayBillRow[]
}

/** The fields a simulated trade gives its line. */
export function zmFields(
  o: UnionpayBillOptions,
  row: UnionpayBillRow,
  index: number,
): Record<string, string> {
  const refund = row.kind === 'refund'
  const fee = e5ToFen(row.feeE5 ?? 0)
  // 结算金额 is what the line moves for the merchant: the amount (negative on a refund) plus the fee,
  // negative when charged (D) and given back on a refund (C).
  const settle = (refund ? -row.amount : row.amount) + fee
  const fields: Record<string, string> = {
    交易代码: refund ? 'S30' : row.kind === 'revoke' ? 'S31' : 'S22',
    代理机构标识码: '00010000',
    发送机构标识码: '00010000',
    系统跟踪号: String((index % 999_999) + 1).padStart(6, '0'),
    交易传输时间: formatBeijingCompact(row.time).slice(4),
    帐号: '621700******1234',
    交易金额: String(row.amount).padStart(12, '0'),
    商户类别: '5311',
    终端类型: '07',
    查询流水号: (refund ? row.gatewayRefundNo : row.gatewayTradeNo) ?? '',
    商户订单号: refund ? (row.refundNo ?? '') : row.orderNo,
    支付卡类型: '01',
    商户手续费: zmSigned(fee),
    结算金额: zmSigned(settle),
    支付方式: '0001',
    交易类型: refund ? '04' : row.kind === 'revoke' ? '31' : '01',
    交易子类: refund ? '00' : '01',
    业务类型: '000201',
    原交易查询流水号: refund || row.kind === 'revoke' ? (row.gatewayTradeNo ?? '') : '',
    商户代码: o.merId,
    二级商户代码: row.subMerId ?? '',
    二级商户简称: row.subMerName ?? '',
    清算净额: zmSigned(settle),
    原始交易订单号: refund || row.kind === 'revoke' ? row.orderNo : '',
    清算金额: zmSigned(settle),
  }
  return { ...fields, ...row.fields }
}

export function unionpayZmFile(o: UnionpayBillOptions): Buffer {
  const crlf = Buffer.from('\r\n')
  return Buffer.concat(o.rows.flatMap((row, i) => [zmLine(zmFields(o, row, i)), crlf]))
}

export interface UnionpayBillFiles {
  /** `{merId}_{yyyyMMdd}.zip`, the answer's fileName. */
  fileName: string
  /** `INN{yyMMdd}88ZM_{merId}` */
  entryName: string
  zm: Buffer
  zip: Buffer
  /** base64(deflate(zip)), the answer's fileContent. */
  fileContent: string
}

export function unionpayBill(
  o: UnionpayBillOptions,
  options: { deflate?: 'zlib' | 'raw'; utf8NameFlag?: boolean } = {},
): UnionpayBillFiles {
  const day = compactDate(o.settleDate)
  const entryName = `INN${day.slice(2)}88ZM_${o.merId}`
  const zm = unionpayZmFile(o)
  const mtime = Date.parse(`${o.settleDate}T06:00:00+08:00`)
  const zip = zipArchive([{ name: entryName, data: zm, mtime, utf8Flag: options.utf8NameFlag }])
  const packed = options.deflate === 'raw' ? zlib.deflateRawSync(zip) : zlib.deflateSync(zip)
  return { fileName: `${o.merId}_${day}.zip`, entryName, zm, zip, fileContent: packed.toString('base64') }
}
