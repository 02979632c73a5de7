// The fixed lines of Alipay's trade bill files (docs/reconcile.md A1.1). Markers are matched by regex,
// not by their dash counts (41 + text + 40 and 41 + text + 36 in the detail file, 40 + text + 37 at
// the summary file's end); footers accept the older wording "交易金额共…/优惠金额共…".

export const DETAIL_TITLE = '#支付宝业务明细查询'
export const SUMMARY_TITLE = '#支付宝业务汇总查询'

export const DETAIL_START = /^#-+业务明细列表-+$/
export const DETAIL_END = /^#-+业务明细列表结束-+$/
export const SUMMARY_START = /^#-+业务汇总列表-+$/
export const SUMMARY_END = /^#-+业务汇总列表结束-+$/

export const ACCOUNT = /^#账号：\[(\d+)\]$/
export const WINDOW = /^#起始日期：\[(.+?)\]\s+终止日期：\[(.+?)\]$/
export const PAY_TOTAL =
  /^#交易合计：(\d+)笔，(?:商家实收|交易金额)共(-?\d+\.\d{2})元，(?:商家优惠|优惠金额)共(-?\d+\.\d{2})元$/
export const REFUND_TOTAL =
  /^#退款合计：(\d+)笔，(?:商家实收退款|交易退款金额)共(-?\d+\.\d{2})元，(?:商家优惠退款|优惠退款金额)共(-?\d+\.\d{2})元$/
export const EXPORTED = /^#导出时间：\[(\d{4})年(\d{2})月(\d{2})日 (\d{2}:\d{2}:\d{2})\]$/
