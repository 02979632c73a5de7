// The sentences main sends to people, in both languages. Main throws with an id and parameters; the
// English text goes to the command line and the logs, and the window shows the one in its language.
// A parameter is written {name}; {detail} carries text that has no translation (a validation detail,
// an operating-system message). An import's sentences are in ./import-messages.ts.

import { IMPORT_MESSAGES } from './import-messages'

/** The two languages of every sentence and label. */
export type Lang = 'zh-CN' | 'en-US'

export type Params = Record<string, string | number>

export const MESSAGES = {
  'secrets.locked': { en: '{detail}', zh: '商户密钥已锁定：{detail}' },
  'merchant.noProfile': { en: 'merchant {id} has no profile', zh: '商户 {id} 没有配置' },
  'merchant.disabled': { en: 'merchant {name} is disabled', zh: '商户“{name}”已停用' },
  'merchant.noSecrets': {
    en: 'merchant {name} has no secrets stored; enter them in the profile',
    zh: '商户“{name}”尚未保存密钥，请在商户配置中填写',
  },
  'merchant.notFound': { en: 'merchant {id} does not exist', zh: '商户 {id} 不存在' },
  'merchant.noName': { en: 'there is no merchant profile named "{name}"', zh: '没有名为“{name}”的商户配置' },
  'merchant.exists': {
    en: 'a merchant profile named "{name}" exists already; remove it first or choose another name',
    zh: '已有名为“{name}”的商户配置，请先删除它或换一个名称',
  },
  'merchant.invalid': { en: 'the merchant profile is not valid: {detail}', zh: '商户配置有误：{detail}' },
  // A key the adapter could not read, named by the form's label for its field (merchants.field.*).
  'merchant.key.appPrivateKey': {
    en: 'App private key is not a usable RSA private key: paste the whole PEM block (-----BEGIN PRIVATE KEY----- ...)',
    zh: '应用私钥不是可用的 RSA 私钥：请粘贴完整的 PEM（-----BEGIN PRIVATE KEY----- …）',
  },
  'merchant.key.privateKey': {
    en: 'Private key is not a usable RSA private key: paste the whole PEM block (-----BEGIN PRIVATE KEY----- ...)',
    zh: '商户私钥不是可用的 RSA 私钥：请粘贴完整的 PEM（-----BEGIN PRIVATE KEY----- …）',
  },
  'merchant.key.alipayPublicKey': {
    en: 'Alipay public key is not a usable RSA public key: paste the whole PEM block (-----BEGIN PUBLIC KEY----- ...)',
    zh: '支付宝公钥不是可用的 RSA 公钥：请粘贴完整的 PEM（-----BEGIN PUBLIC KEY----- …）',
  },
  'merchant.key.unionpayPublicKey': {
    en: 'UnionPay public key is not a usable RSA public key: paste the whole PEM block (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE----- ...)',
    zh: '银联公钥不是可用的 RSA 公钥：请粘贴完整的 PEM（-----BEGIN PUBLIC KEY----- 或 -----BEGIN CERTIFICATE----- …）',
  },
  'merchant.key.platformPublicKeys': {
    en: 'Platform public key {serial} is not a usable RSA public key: paste the whole PEM block (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE----- ...)',
    zh: '平台公钥 {serial} 不是可用的 RSA 公钥：请粘贴完整的 PEM（-----BEGIN PUBLIC KEY----- 或 -----BEGIN CERTIFICATE----- …）',
  },
  'settings.invalid': { en: 'settings are not valid: {detail}', zh: '设置有误：{detail}' },
  'input.invalid': { en: '{detail}', zh: '输入有误：{detail}' },
  'operation.unknown': { en: 'there is no operation {name}', zh: '没有这个操作：{name}' },
  'sync.nothing': {
    en: 'nothing to sync: the selection holds no trades',
    zh: '没有可同步的交易：所选范围内没有订单',
  },
  'record.notFound': { en: 'sync record {id} does not exist', zh: '同步记录 {id} 不存在' },
  'order.notFound': { en: 'pay order {id} does not exist', zh: '支付订单 {id} 不存在' },
  'refund.notFound': { en: 'refund {id} does not exist', zh: '退款订单 {id} 不存在' },
  'order.noNumber': { en: 'no pay order has the number {no}', zh: '没有订单号为 {no} 的支付订单' },
  'refund.noNumber': { en: 'no refund has the number {no}', zh: '没有退款号为 {no} 的退款订单' },
  'anomaly.notFound': { en: 'anomaly {id} does not exist', zh: '待处理事项 {id} 不存在' },
  'anomaly.closed': { en: 'anomaly {id} is already {status}', zh: '待处理事项 {id} 已经处理过（{status}）' },
  'anomaly.action': {
    en: 'action {action} does not apply here; possible: {allowed}',
    zh: '此处不能执行“{action}”；可以执行：{allowed}',
  },
  'anomaly.changed': {
    en: '{no} changed while you decided; look at it again',
    zh: '{no} 在您处理期间发生了变化，请重新查看后再决定',
  },
  'batch.notFound': { en: 'batch {id} does not exist', zh: '批次 {id} 不存在' },
  'batch.runningHere': { en: 'batch {id} is already running here', zh: '批次 {id} 已在运行' },
  'batch.elsewhere': { en: 'batch {id} is being run by another process', zh: '批次 {id} 正由另一个进程运行' },
  'batch.pauseElsewhere': {
    en: 'batch {id} is being run by another process; pause it there',
    zh: '批次 {id} 正由另一个进程运行，请在那里暂停',
  },
  'batch.cancelElsewhere': {
    en: 'batch {id} is being run by another process; cancel it there',
    zh: '批次 {id} 正由另一个进程运行，请在那里取消',
  },
  'batch.nothingToResume': {
    en: 'batch {id} is {status}; there is nothing to resume',
    zh: '批次 {id} 的状态为 {status}，没有可继续的内容',
  },
  'batch.busy': { en: '{detail}', zh: '批次正忙：{detail}' },
  'upload.type': {
    en: 'only CSV and XLSX files can be imported, not {ext}',
    zh: '只能导入 CSV 或 XLSX 文件，不能导入 {ext}',
  },
  'upload.empty': { en: '{name} is empty', zh: '文件“{name}”是空的' },
  'mapping.invalid': { en: 'the column mapping is not valid: {detail}', zh: '列映射有误：{detail}' },
  'file.unreadable': { en: '{detail}', zh: '无法读取文件：{detail}' },
  'export.memory': {
    en: 'an in-memory database cannot be exported from',
    zh: '内存数据库无法导出',
  },
  'export.csvName': { en: 'the export file name must end in .csv', zh: '导出文件名必须以 .csv 结尾' },
  'export.noFolder': {
    en: 'cannot write {file}: the folder does not exist',
    zh: '无法写入 {file}：文件夹不存在',
  },
  'export.denied': { en: 'cannot write {file}: permission denied', zh: '无法写入 {file}：没有权限' },
  'keys.memory': { en: 'an in-memory database has no key file', zh: '内存数据库没有密钥文件' },
  'keys.onlyKeyFile': {
    en: 'the key file is the only protection of the merchant secrets in this database; it cannot be removed',
    zh: '密钥文件是此数据库中商户密钥的唯一保护，不能移除',
  },
  ...IMPORT_MESSAGES,
} as const satisfies Record<string, { en: string; zh: string }>

export type MessageId = keyof typeof MESSAGES

export function isMessageId(id: unknown): id is MessageId {
  return typeof id === 'string' && Object.hasOwn(MESSAGES, id)
}

/** The sentence in a language, its parameters filled in. */
export function say(id: MessageId, params: Params = {}, lang: Lang = 'en-US'): string {
  const m = MESSAGES[id]
  return (lang === 'zh-CN' ? m.zh : m.en).replace(/\{(\w+)\}/g, (all, k: string) =>
    k in params ? String(params[k]) : all,
  )
}
