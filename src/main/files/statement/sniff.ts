import path from 'node:path'
import { StatementError } from './errors'
import { detectEncoding } from './lines'
import { ZM_MAX_BYTES, ZM_MIN_BYTES, zmSeparatorsAt } from './unionpay-layout'

// What a file is, from its content (docs/reconcile.md A5.1): the first non-empty line names the
// format, never the file's name (people rename files; zip entry names may not even decode). The one
// exception is UnionPay's fixed-width file, which has no header: its shape (541 to 608 bytes, a
// three-character code and a space, spaces between the fixed-width fields) is checked, and its name
// `INN{yyMMdd}88ZM_{merId}` gives the settle date. Files people upload by mistake get a sentence
// that says what to download instead.

export type SniffedFormat = 'alipay_detail' | 'alipay_summary' | 'wechat_trade' | 'unionpay_zm'

export interface UnionpayName {
  /** YYYY-MM-DD from the name's yyMMdd. */
  settleDate: string | null
  merId: string
  errorFile: boolean
}

/** Name positions [0,3) == "INN" and [11,14) == "ZM_" (or [11,15) == "ZME_"), as UnionPay's demo tests them. */
export function unionpayName(name: string): UnionpayName | null {
  const base = path.basename(name.replaceAll('\\', '/'))
  if (base.slice(0, 3) !== 'INN') return null
  const errorFile = base.slice(11, 15) === 'ZME_'
  if (!errorFile && base.slice(11, 14) !== 'ZM_') return null
  const yymmdd = base.slice(3, 9)
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(yymmdd)
  const settleDate =
    m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31
      ? `20${m[1]}-${m[2]}-${m[3]}`
      : null
  const merId = base.slice(errorFile ? 15 : 14).replace(/\..*$/, '')
  return { settleDate, merId, errorFile }
}

function firstByteLine(head: Buffer): Buffer {
  const nl = head.indexOf(10)
  const line = nl < 0 ? head : head.subarray(0, nl)
  return line.length && line[line.length - 1] === 13 ? line.subarray(0, -1) : line
}

function looksLikeZm(line: Buffer, name: string): boolean {
  if (!/^[A-Z0-9]{3} $/.test(line.subarray(0, 4).toString('latin1'))) return false
  // A file named like one is read as one, so that a damaged line is refused for what it is.
  const named = unionpayName(name)
  if (named !== null && !named.errorFile) return true
  return line.length >= ZM_MIN_BYTES && line.length <= ZM_MAX_BYTES && zmSeparatorsAt(line) === null
}

const PERSONAL_ALIPAY = [
  /^交易时间,交易分类,交易对方/,
  /支付宝（中国）网络技术有限公司/,
  /^支付宝交易记录明细查询/,
]
const PERSONAL_WECHAT = [/微信支付账单明细/, /^交易时间,交易类型,交易对方/]

/** Sniffs the head of a file (`whole`: the head is the whole file); refuses what is no trade bill. */
export function sniffStatement(head: Buffer, whole: boolean, name: string): SniffedFormat {
  if (looksLikeZm(firstByteLine(head), name)) return 'unionpay_zm'
  // An empty ZM file is a settle day without lines, not an empty upload.
  if (head.length === 0 && unionpayName(name)?.errorFile === false) return 'unionpay_zm'
  if (unionpayName(name)?.errorFile)
    throw new StatementError('unknown_format', 'statement.unionpayErrorFile', {}, 1)
  const text = new TextDecoder(detectEncoding(head, whole)).decode(head)
  const lines = text.replace(/^\uFEFF/, '').split('\n', 40)
  if (!whole && lines.length > 1) lines.pop() // the last one may be cut by the end of the head
  let first = -1
  for (let i = 0; i < lines.length; i++) {
    lines[i] = lines[i]!.replace(/\r$/, '')
    if (first < 0 && lines[i]!.trim() !== '') first = i
  }
  if (first < 0) {
    if (whole) throw new StatementError('unknown_format', 'statement.empty', {}, 1)
    throw unknown(1, lines[0] ?? '')
  }
  const line = lines[first]!.trim()
  if (line === '#支付宝业务明细查询') return 'alipay_detail'
  if (line === '#支付宝业务汇总查询') return 'alipay_summary'
  if (line.startsWith('#支付宝账务明细查询'))
    throw new StatementError('unknown_format', 'statement.alipayFund', {}, first + 1)
  if (line.startsWith('交易时间,公众账号ID,商户号,')) return 'wechat_trade'
  if (line.startsWith('记账时间,微信支付业务单号'))
    throw new StatementError('unknown_format', 'statement.wechatFund', {}, first + 1)
  for (let i = first; i < lines.length; i++) {
    if (PERSONAL_ALIPAY.some((re) => re.test(lines[i]!)))
      throw new StatementError('unknown_format', 'statement.personalAlipay', {}, i + 1)
    if (PERSONAL_WECHAT.some((re) => re.test(lines[i]!)))
      throw new StatementError('unknown_format', 'statement.personalWechat', {}, i + 1)
  }
  throw unknown(first + 1, line)
}

function unknown(line: number, text: string): StatementError {
  // The first line is shown so that a person sees what they uploaded; long lines are cut.
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text
  return new StatementError('unknown_format', 'statement.unknown', { line, text: shown }, line)
}
