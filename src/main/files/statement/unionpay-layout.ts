import type { TextDecoder } from 'node:util'

// UnionPay's 全渠道 ZM line (商户一般交易明细流水, docs/reconcile.md A1.3): 46 fixed-width fields
// separated by one space, widths in GBK BYTES (the official demo slices the GBK byte array), values
// space-padded. The widths are liao47's BillParser `LENGTH_ARR`, identical to DaxPay 2.0.8's
// `UnionPayCode.RECONCILE_BILL_SPLIT`; the older 42-field layout shares fields 1 to 41.

export const ZM_FIELD_WIDTHS: readonly number[] = [
  3, 11, 11, 6, 10, 19, 12, 4, 2, 21, 2, 32, 2, 6, 10, 13, 13, 4, 15, 2, 2, 6, 2, 4, 32, 1, 21, 15, 1, 15, 32,
  13, 13, 8, 32, 13, 13, 12, 2, 1, 32, 13, 2, 1, 12, 67,
]

export const ZM_FIELD_NAMES: readonly string[] = [
  '交易代码',
  '代理机构标识码',
  '发送机构标识码',
  '系统跟踪号',
  '交易传输时间',
  '帐号',
  '交易金额',
  '商户类别',
  '终端类型',
  '查询流水号',
  '支付方式（旧）',
  '商户订单号',
  '支付卡类型',
  '原始交易的系统跟踪号',
  '原始交易日期时间',
  '商户手续费',
  '结算金额',
  '支付方式',
  '集团商户代码',
  '交易类型',
  '交易子类',
  '业务类型',
  '帐号类型',
  '账单类型',
  '账单号码',
  '交互方式',
  '原交易查询流水号',
  '商户代码',
  '分账入账方式',
  '二级商户代码',
  '二级商户简称',
  '二级商户分账入账金额',
  '清算净额',
  '终端号',
  '商户自定义域',
  '优惠金额',
  '发票金额',
  '分期付款附加手续费',
  '分期付款期数',
  '交易介质',
  '原始交易订单号',
  '清算金额',
  '服务点输入方式码',
  '移动支付产品标志',
  '检索参考号',
  '保留使用',
]

/** Byte offset of each field: the widths before it plus one separator each. */
export const ZM_FIELD_OFFSETS: readonly number[] = ZM_FIELD_WIDTHS.map((_, i) =>
  ZM_FIELD_WIDTHS.slice(0, i).reduce((sum, w) => sum + w + 1, 0),
)

/** Everything before the reserved field (liao47 and the spec accept a line cut there). */
export const ZM_MIN_BYTES = 541
/** The 46-field line; the 42-field one is a byte shorter. */
export const ZM_MAX_BYTES = 608

/** Field `index` (0-based) of a line, decoded from GBK and trimmed; '' past the end of a short line. */
export function zmField(line: Buffer, index: number, gbk: TextDecoder): string {
  const start = ZM_FIELD_OFFSETS[index]!
  if (start >= line.length) return ''
  const bytes = line.subarray(start, start + ZM_FIELD_WIDTHS[index]!)
  // Most fields are ASCII digits and letters, which need no GBK decoder.
  for (const b of bytes) if (b >= 0x80) return gbk.decode(bytes).trim()
  return bytes.toString('latin1').trim()
}

/**
 * The first field (0-based) among 1..41, common to the 46-field and the older 42-field layouts, that
 * is not followed by a space; null when every separator is in place.
 */
export function zmSeparatorsAt(line: Buffer): number | null {
  let at = 0
  for (let i = 0; i < 41; i++) {
    at += ZM_FIELD_WIDTHS[i]!
    if (at >= line.length) return i
    if (line[at] !== 0x20) return i
    at += 1
  }
  return null
}
