import type { Channel } from './domain'
import type { Lang } from './messages'

// Why a sync or a connection test failed, in the window's language. The store keeps what happened as
// the engine wrote it (a code, and a sentence in English or the gateway's own words: the command line
// and the log read those); the window says the codes of our own making here, and shows a gateway's
// own code with the gateway's own message, which is Chinese for the gateways that write Chinese.

type Sentence = readonly [zh: string, en: string]

const OURS: Record<string, Sentence> = {
  timeout: ['网关没有在限定时间内应答', 'the gateway did not answer in time'],
  reset: ['网关没有应答就断开了连接', 'the gateway closed the connection without an answer'],
  refused: [
    '网关拒绝连接：请核对网关地址与端口，或网关服务是否在运行',
    'the gateway refused the connection: check its address and port, or whether it is running',
  ],
  network: ['网络错误，未能连上网关', 'a network error kept the call from the gateway'],
  retries_exhausted: ['多次重试后网关仍然出错', 'the gateway kept failing'],
  malformed: ['网关应答的格式无法读取', 'the gateway answer could not be read'],
  missing_signature: ['网关应答没有签名', 'the gateway answer carries no signature'],
  bad_signature: [
    '网关应答的签名验证不通过：请核对网关公钥或平台证书',
    'the signature of the answer does not verify: check the gateway public key or platform certificate',
  ],
  probe_signature: [
    '收到微信支付的签名探测应答（不是真实应答）',
    'WeChat Pay sent its signature probe, not a real answer',
  ],
  mismatch: ['网关应答说的是另一笔交易，已忽略', 'the gateway answer is about another trade: ignored'],
  stale_answer: [
    '网关应答缺少时间或已过期，已忽略',
    'the gateway answer is stale or carries no time: ignored',
  ],
  replayed: [
    '网关应答与之前的一次完全相同（疑似重放），已忽略',
    'the gateway answer repeats an earlier one: ignored',
  ],
  too_large: ['网关应答过大，已中止读取', 'the gateway answer was too large and was cut off'],
  clock_skew: [
    '网关应答的时间与本机时钟相差超过 5 分钟：请校准本机时间',
    "the answer's time is more than 5 minutes from this computer's clock: correct the clock",
  ],
  unknown_serial: [
    '网关应答所用的平台证书不在商户配置中：请在商户配置中添加该平台公钥',
    'the answer is signed with a platform key the profile does not have: add it to the profile',
  ],
  SIGN_ERROR: [
    '微信支付拒绝了请求签名：请核对商户私钥、证书序列号和本机时间',
    "WeChat Pay refused the request signature: check the merchant key, its serial number and this computer's clock",
  ],
  invalid_request: [
    '网关说请求无效：请核对商户配置',
    'the gateway refused the request: check the merchant profile',
  ],
  merchant_config: ['商户配置无法使用：请在商户配置中核对', 'the merchant profile cannot be used: check it'],
  internal: ['程序内部错误，请联系技术支持', 'something went wrong inside PaySync Desk'],
  conflict: [
    '订单已被其他操作修改，本次修复未执行',
    'the order was changed meanwhile; the repair was not applied',
  ],
  still_open: ['网关仍未关闭订单', 'the gateway has not closed the order'],
  paid: ['关单时网关说订单已支付', 'the gateway says the order is paid'],
  '10007': ['同步处理中，请勿重复操作', 'the trade is being synced elsewhere'],
  sync_error: ['网关应答无法使用', 'the gateway answer could not be used'],
}

/** What a wrong address most often looks like, per channel. */
const NOT_FOUND_HINT: Partial<Record<Channel, Sentence>> = {
  alipay: ['支付宝网关地址应以 /gateway.do 结尾', "Alipay's address ends in /gateway.do"],
}

/**
 * A failure's sentence for the window. `code` is the record's error code; `msg` what the engine or
 * the gateway said with it.
 */
export function syncErrorText(
  code: string | null | undefined,
  msg: string | null | undefined,
  lang: Lang,
  channel?: Channel,
): string {
  const zh = lang === 'zh-CN'
  if (!code) return msg ?? ''
  const ours = Object.hasOwn(OURS, code) ? OURS[code] : undefined
  if (ours) return zh ? ours[0] : ours[1]
  const http = /^HTTP_(\d{3})$/.exec(code)
  if (http) {
    const hint = http[1] === '404' && channel ? NOT_FOUND_HINT[channel] : undefined
    const said = zh ? `网关返回 HTTP ${http[1]}` : `the gateway answered HTTP ${http[1]}`
    return hint ? `${said}${zh ? '：' : ': '}${zh ? hint[0] : hint[1]}` : said
  }
  // The gateway's own code, with its own message as it gave it: in the Chinese window only when it is
  // Chinese (a gateway's; ours beside a gateway's code are English, kept for the record's detail).
  const said = !!msg && msg !== code && (!zh || /[\u4e00-\u9fff]/.test(msg))
  const own = said ? `${zh ? '：' : ': '}${msg}` : ''
  return zh ? `网关返回错误 ${code}${own}` : `the gateway answered ${code}${own}`
}
