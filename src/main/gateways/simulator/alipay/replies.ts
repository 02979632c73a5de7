// What the simulated Alipay answers are made of (docs/protocols.md section 1): the methods it serves,
// a `*_response` node before it is signed, a refusal's four words.

export const BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query'
export const METHODS = [
  'alipay.trade.query',
  'alipay.trade.close',
  'alipay.trade.fastpay.refund.query',
  BILL_METHOD,
] as const
export type Method = (typeof METHODS)[number]
export type Node = Record<string, unknown>

/** A refusal as Alipay words one: code and msg, sub_code and sub_msg. */
export const fail = (code: string, msg: string, subCode: string, subMsg: string): Node => ({
  code,
  msg,
  sub_code: subCode,
  sub_msg: subMsg,
})
