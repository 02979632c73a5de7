import { fieldList } from './labels'

// The sentences main sends to people, in both languages. Main throws with an id and parameters; the
// English text goes to the command line and the logs, and the window shows the one in its language.
// A parameter is written {name}; {detail} carries text that has no translation (a validation detail,
// an operating-system message). A parameter named ...Fields carries merchant profile fields by code,
// comma-separated ("appPrivateKey,appAuthToken"): each language lists them by the form's labels.
// An import's sentences are in ./import-messages.ts.

import { IMPORT_MESSAGES } from './import-messages'

/** The two languages of every sentence and label. */
export type Lang = 'zh-CN' | 'en-US'

export type Params = Record<string, string | number>

export const MESSAGES = {
  'secrets.locked': { en: '{detail}', zh: '商户密钥已锁定：{detail}' },
  'secrets.passphraseNeeded': {
    en: 'this computer has no secure key store ({backend}), so merchant secrets are kept under a passphrase: set or enter it in the window, or start with PAYSYNC_PASSPHRASE',
    zh: '这台电脑没有安全的系统密钥库（{backend}），商户密钥改用口令保护：请先在窗口顶部设置或输入口令',
  },
  // One sentence for every place a passphrase is tried: the window, PAYSYNC_PASSPHRASE, the team key.
  'secrets.wrongPassphrase': {
    en: 'the passphrase is wrong: it does not open the merchant secrets of these books (ask whoever set the team passphrase)',
    zh: '口令不对，打不开这份账本的商户密钥（团队口令请向设置它的同事确认）',
  },
  // A team database has no key store of this computer's: the team's two ways (docs/team-mode.md B8.7).
  'secrets.teamKeyNeeded': {
    en: 'the merchant secrets of a team database open with the team passphrase or the team key file: set PAYSYNC_PASSPHRASE or PAYSYNC_KEY_FILE',
    zh: '团队数据库的商户密钥要用团队口令或团队密钥文件打开：请设置 PAYSYNC_PASSPHRASE 或 PAYSYNC_KEY_FILE',
  },
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
  // Two desktops saving one profile at the same moment, again and again (services/merchant-profiles.ts).
  'merchant.changedMeanwhile': {
    en: 'merchant profile "{name}" was changed by someone else while this change was saved: open it again and save once more',
    zh: '保存时商户配置“{name}”已被他人修改：请重新打开后再保存',
  },
  'merchant.invalid': { en: 'the merchant profile is not valid: {detail}', zh: '商户配置有误：{detail}' },
  // Secrets are bound to the profile's trust anchors (shared/anchors.ts); the form marks {secretFields}.
  'merchant.anchorsChanged': {
    en: 'the {changedFields} of merchant {name} changed, and its stored secrets work only with the old ones: enter {secretFields} again to save',
    zh: '商户“{name}”的{changedFields}已更改，已保存的密钥只能用于原来的设置：请重新填写{secretFields}后再保存',
  },
  'merchant.secretsUnbound': {
    en: 'the secrets of merchant {name} were sealed for another endpoint, merchant id or gateway key than its profile names now, and are not used: enter them again in the profile',
    zh: '商户“{name}”的密钥是为另一个网关地址、商户号或网关公钥保存的，现已停用：请在商户配置中重新填写密钥',
  },
  // A key the adapter could not read, named by the form's label for its field ({keyFields}: labels.ts,
  // profileField), so a new channel's key fields need no sentence of their own.
  'merchant.key.private': {
    en: '{keyFields} is not a usable RSA private key: paste the whole PEM block (-----BEGIN PRIVATE KEY----- ...)',
    zh: '{keyFields}不是可用的 RSA 私钥：请粘贴完整的 PEM（-----BEGIN PRIVATE KEY----- …）',
  },
  'merchant.key.public': {
    en: '{keyFields} is not a usable RSA public key: paste the whole PEM block (-----BEGIN PUBLIC KEY----- ...)',
    zh: '{keyFields}不是可用的 RSA 公钥：请粘贴完整的 PEM（-----BEGIN PUBLIC KEY----- …）',
  },
  'merchant.key.publicOrCertificate': {
    en: '{keyFields} is not a usable RSA public key: paste the whole PEM block (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE----- ...)',
    zh: '{keyFields}不是可用的 RSA 公钥：请粘贴完整的 PEM（-----BEGIN PUBLIC KEY----- 或 -----BEGIN CERTIFICATE----- …）',
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
  'sync.nightlyRunning': {
    en: 'the nightly pass of this database is running in another process ({owner}): this run syncs nothing',
    zh: '此数据库的夜间同步正在另一个进程（{owner}）中运行：本次不再重复同步',
  },
  'record.notFound': { en: 'sync record {id} does not exist', zh: '同步记录 {id} 不存在' },
  'order.notFound': { en: 'pay order {id} does not exist', zh: '支付订单 {id} 不存在' },
  'refund.notFound': { en: 'refund {id} does not exist', zh: '退款订单 {id} 不存在' },
  'order.noNumber': { en: 'no pay order has the number {no}', zh: '没有订单号为 {no} 的支付订单' },
  'refund.noNumber': { en: 'no refund has the number {no}', zh: '没有退款号为 {no} 的退款订单' },
  'anomaly.notFound': { en: 'anomaly {id} does not exist', zh: '待处理事项 {id} 不存在' },
  // Two people (or desktops) deciding one anomaly at once: the one who lost is told who won and when.
  'anomaly.closed': {
    en: 'anomaly {id} is already {status}: {operator} decided it at {at}; look at it again',
    zh: '待处理事项 {id} 已经处理过（{status}）：{operator} 于 {at} 已作出处理，请重新查看',
  },
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
  'batch.nothingToResume': {
    en: 'batch {id} is {status}; there is nothing to resume',
    zh: '批次 {id} 的状态为 {status}，没有可继续的内容',
  },
  // The storage refused a write (docs/domain.md section 6.8): an operation that met it, and a batch
  // paused by it. Answers the gateways gave are never lost: they wait in the journal beside the database.
  'storage.disk_full': {
    en: 'the disk of the database is full, so nothing more could be written; the gateway answers already received are kept beside the database and written once there is space again',
    zh: '数据库所在的磁盘已满，无法继续写入；已收到的网关结果已保存在数据库旁，腾出空间后会补写进数据库',
  },
  'storage.io_error': {
    en: 'the database file could not be written (a disk or file system error); the gateway answers already received are kept beside the database and written once it can be written again',
    zh: '数据库文件无法写入（磁盘或文件系统出错）；已收到的网关结果已保存在数据库旁，恢复后会补写进数据库',
  },
  'storage.db_locked': {
    en: 'another program kept the database locked for too long; the gateway answers already received are kept and written once it lets go',
    zh: '数据库被其他程序长时间占用；已收到的网关结果已保存，占用结束后会补写进数据库',
  },
  'storage.db_unreachable': {
    en: 'the team database cannot be reached (the network or the server is down); the gateway answers already received are kept on this computer and written once it is back',
    zh: '无法连接团队数据库（网络或服务器中断）；已收到的网关结果已保存在本机，恢复连接后会补写进数据库',
  },
  'storage.db_too_many_connections': {
    en: 'the team database takes no more connections (every PaySync on it keeps a few open): close PaySync where it is not needed, or raise max_connections on the server; the gateway answers already received are kept on this computer and written once it takes them again',
    zh: '团队数据库的连接数已满（每个打开的 PaySync 都会占用几个连接）：请关闭不需要的 PaySync，或在服务器上调高 max_connections；已收到的网关结果已保存在本机，可以连接后会补写进数据库',
  },
  'batch.paused.disk_full': {
    en: 'Paused: the disk of the database is full. Every gateway answer received so far is kept; free some space, then resume.',
    zh: '已暂停：数据库所在的磁盘已满。已收到的网关结果都已保存；请腾出磁盘空间后点击“继续”。',
  },
  'batch.paused.io_error': {
    en: 'Paused: the database file could not be written (a disk or file system error). Every gateway answer received so far is kept; resume once the disk is back.',
    zh: '已暂停：数据库文件无法写入（磁盘或文件系统出错）。已收到的网关结果都已保存；请在磁盘恢复后点击“继续”。',
  },
  'batch.paused.db_locked': {
    en: 'Paused: another program kept the database locked for too long. Every gateway answer received so far is kept; resume once it lets go.',
    zh: '已暂停：数据库被其他程序长时间占用。已收到的网关结果都已保存；请在占用结束后点击“继续”。',
  },
  'batch.paused.db_unreachable': {
    en: 'Paused: the team database cannot be reached. Every gateway answer received so far is kept on this computer; resume once the connection is back.',
    zh: '已暂停：无法连接团队数据库。已收到的网关结果都已保存在本机；请在连接恢复后点击“继续”。',
  },
  'batch.paused.db_too_many_connections': {
    en: 'Paused: the team database takes no more connections. Every gateway answer received so far is kept on this computer; close PaySync where it is not needed or raise max_connections on the server, then resume.',
    zh: '已暂停：团队数据库的连接数已满。已收到的网关结果都已保存在本机；请关闭不需要的 PaySync 或在服务器上调高 max_connections，然后点击“继续”。',
  },
  'upload.type': {
    en: 'only order lists (CSV, XLSX) and bills (.zip, .csv, .gz, .txt, a UnionPay INN…ZM_ file) can be uploaded, not {ext}',
    zh: '只能上传订单列表（CSV、XLSX）或对账单（.zip、.csv、.gz、.txt、银联 INN…ZM_ 文件），不能上传 {ext}',
  },
  'upload.empty': { en: '{name} is empty', zh: '文件“{name}”是空的' },
  'upload.full': {
    en: 'the uploads waiting for their import take {max} MB already: import them, or wait half an hour until the unused ones are deleted',
    zh: '等待导入的上传文件已占用 {max} MB：请先导入它们，或等待半小时，未使用的上传会被删除',
  },
  // A file the page names by the handle main gave it (services/file-handles.ts), never by its path.
  'file.notChosen': {
    en: 'choose the file again: PaySync reads only a file chosen in its window or uploaded, and keeps it for 30 minutes',
    zh: '请重新选择文件：PaySync 只读取在窗口中选择或上传的文件，并只保留 30 分钟',
  },
  'file.missing': {
    en: '{name} is no longer there: choose it again',
    zh: '文件“{name}”已不存在，请重新选择',
  },
  'file.special': {
    en: '{name} is not an ordinary file (a device, a pipe, a socket or a file of the system) and is not read',
    zh: '“{name}”不是普通文件（设备、管道、套接字或系统文件），不会读取',
  },
  'file.outside': {
    en: '{name} leads out of the folder it was put in and is not read',
    zh: '“{name}”指向其所在文件夹之外，不会读取',
  },
  'file.moved': {
    en: '{name} leads somewhere else than when it was chosen: choose it again',
    zh: '“{name}”已指向与选择时不同的位置，请重新选择',
  },
  'file.own': {
    en: "{name} is PaySync Desk's own database or key file and is not imported",
    zh: '“{name}”是 PaySync Desk 自己的数据库或密钥文件，不能导入',
  },
  'file.tooLarge': {
    en: '{name} is {size} MB; a file chosen here may have up to {max} MB: import a larger one with the command line (paysync import FILE)',
    zh: '“{name}”有 {size} MB，此处选择的文件最多 {max} MB：更大的文件请用命令行导入（paysync import 文件）',
  },
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
  'export.exists': {
    en: '{file} exists already and is not replaced: choose another name',
    zh: '{file} 已存在，不会覆盖：请换一个文件名',
  },
  'export.teamKind': {
    en: 'a team database exports {kinds} this way, not {kind} (docs/team-mode.md B8.6)',
    zh: '团队数据库以这种方式导出 {kinds}，不导出 {kind}（docs/team-mode.md B8.6）',
  },
  'demo.batchRunning': {
    en: 'a batch is running: let it finish or cancel it, then remove the demo data',
    zh: '有批次正在运行：请等它完成或取消后再清除演示数据',
  },
  // On a team database another desktop may hold the demo's trades (docs/team-mode.md B8.20).
  'demo.heldOnTeam': {
    en: 'another desktop is syncing {trades} of the demo trades right now ({holders}): let its sync or batch finish, or cancel the batch, then remove the demo data again',
    zh: '其他电脑（{holders}）正在同步其中 {trades} 笔演示交易：请等它的同步或批次结束，或取消该批次，再清除演示数据',
  },
  'demo.batchRunningOnTeam': {
    en: 'batch {batch} holds demo trades and is running on {holders}: let it finish or cancel it, then remove the demo data',
    zh: '批次 {batch} 含有演示交易，正在 {holders} 上运行：请等它完成或取消后再清除演示数据',
  },
  'keys.memory': { en: 'an in-memory database has no key file', zh: '内存数据库没有密钥文件' },
  'keys.browser': {
    en: 'browser mode does not turn on command-line access: run paysync keys headless on (with PAYSYNC_PASSPHRASE set) on this computer',
    zh: '浏览器模式不能打开命令行访问：请在本机运行 paysync keys headless on（并设置 PAYSYNC_PASSPHRASE）',
  },
  // The desktop app's own question before it writes the key file (app/dialogs.ts shows it).
  'keys.confirm.title': { en: 'Allow command-line access?', zh: '允许命令行访问？' },
  'keys.confirm.message': {
    en: 'PaySync Desk will write a key file beside the database: {file}',
    zh: 'PaySync Desk 将在数据库旁写入一个密钥文件：{file}',
  },
  'keys.confirm.detail': {
    en: 'Whoever can read that file can use the merchant secrets, as a cron run of paysync sync --pending does. Never copy it to another computer.',
    zh: '能读取该文件的人即可使用商户密钥（定时任务 paysync sync --pending 正是这样使用的）。请勿把它复制到其他电脑。',
  },
  'keys.confirm.yes': { en: 'Allow', zh: '允许' },
  'keys.confirm.no': { en: 'Cancel', zh: '取消' },
  // The team passphrase (docs/team-mode.md B8.7).
  'keys.teamTooShort': {
    en: 'a team passphrase needs at least {n} characters: every member types it, and whoever guesses it opens every merchant secret',
    zh: '团队口令至少需要 {n} 个字符：每位成员都用它打开商户密钥，猜中它的人也能打开',
  },
  'keys.teamNeedsOpen': {
    en: 'the merchant secrets must open here before a team passphrase can be set, and nothing here opens them: set it in the desktop app of the computer that keeps them (设置 → 团队数据库), or give their key file (PAYSYNC_KEY_FILE)',
    zh: '要先在这里打开商户密钥才能设置团队口令，但这里打不开：请在保存它们的那台电脑的桌面应用中设置（设置 → 团队数据库），或提供它们的密钥文件（PAYSYNC_KEY_FILE）',
  },
  'keys.passphraseSetAlready': {
    en: 'a team passphrase is set already: change it with the current one (paysync keys passphrase change, or 设置 → 团队数据库)',
    zh: '已经设置过团队口令：请凭当前口令更改它（设置 → 团队数据库，或 paysync keys passphrase change）',
  },
  'keys.noPassphraseYet': {
    en: 'no team passphrase is set yet: set one first (paysync keys passphrase set, or 设置 → 团队数据库)',
    zh: '还没有设置团队口令：请先设置（设置 → 团队数据库，或 paysync keys passphrase set）',
  },
  'keys.onlyKeyFile': {
    en: 'the key file is the only protection of the merchant secrets in this database; it cannot be removed',
    zh: '密钥文件是此数据库中商户密钥的唯一保护，不能移除',
  },
  ...IMPORT_MESSAGES,
  // A statement file refused or noticed by the file layer (src/main/files/statement, docs/reconcile.md A5).
  'statement.empty': {
    zh: '文件是空的，没有对账单内容',
    en: 'the file is empty: there is no statement in it',
  },
  'statement.unknown': {
    zh: '无法识别的对账单格式（第 {line} 行：{text}）',
    en: 'unrecognised statement format (line {line}: {text})',
  },
  'statement.personalAlipay': {
    zh: '这是个人账单，请在商家平台下载业务明细',
    en: 'this is a personal Alipay export; download the business detail (业务明细) from the merchant platform',
  },
  'statement.personalWechat': {
    zh: '这是微信个人账单，请在微信支付商户平台下载交易账单',
    en: 'this is a personal WeChat export; download the trade bill (交易账单) from the WeChat Pay merchant platform',
  },
  'statement.alipayFund': {
    zh: '这是支付宝账务明细，账务账单暂不支持对账，请下载业务明细',
    en: 'this is an Alipay account statement (账务明细), which cannot be reconciled yet; download the business detail (业务明细)',
  },
  'statement.alipaySummaryOnly': {
    zh: '这是支付宝业务汇总，请上传包含业务明细的压缩包或业务明细文件',
    en: 'this is an Alipay business summary only; upload the zip or the business detail (业务明细) file',
  },
  'statement.wechatFund': {
    zh: '这是微信支付资金账单，资金账单暂不支持对账，请下载交易账单',
    en: 'this is a WeChat Pay fund-flow bill, which cannot be reconciled yet; download the trade bill (交易账单)',
  },
  'statement.unionpayErrorFile': {
    zh: '这是银联差错交易明细（ZME），暂不支持对账，请使用一般交易明细（ZM）',
    en: 'this is a UnionPay error-transaction file (ZME), which cannot be reconciled yet; use the ZM detail file',
  },
  'statement.unionpayNoDate': {
    zh: '无法确定银联对账文件的清算日期：文件名不是 INN（年月日 yyMMdd）…ZM_… 的形式，请指定对账日期',
    en: 'the settle date of the UnionPay file is unknown: its name is not INN + yyMMdd + ...ZM_...; give the date',
  },
  // {found} and {expected} are channel names, given per language (foundZh, foundEn, ...).
  'statement.channelMismatch': {
    zh: '这是{found}的对账单，不是{expected}的',
    en: 'this is a {found} statement, not a {expected} one',
  },
  'statement.accountMismatch': {
    zh: '对账单属于账号 {found}，与商户配置的 {expected} 不一致（第 {line} 行）',
    en: 'the statement belongs to account {found}, not to the profile account {expected} (line {line})',
  },
  'statement.accountMixed': {
    zh: '第 {line} 行的商户号 {found} 与前面各行的 {expected} 不同，一份账单只能属于一个商户号',
    en: 'line {line} names merchant {found} where earlier lines name {expected}; a bill belongs to one merchant',
  },
  'statement.zipDamaged': {
    zh: '压缩包已损坏，请重新下载：{detail}',
    en: 'the zip archive is damaged, download it again: {detail}',
  },
  'statement.zipNoBill': {
    zh: '压缩包里没有可识别的对账单（{entries}）',
    en: 'the zip archive holds no statement this program knows ({entries})',
  },
  'statement.zipManyBills': {
    zh: '压缩包里有多份对账明细（{entries}），请分别上传',
    en: 'the zip archive holds several statement details ({entries}); upload them one at a time',
  },
  'statement.gzipDamaged': {
    zh: '压缩的账单文件已损坏，请重新下载：{detail}',
    en: 'the compressed bill is damaged, download it again: {detail}',
  },
  'statement.fileContentDamaged': {
    zh: '银联返回的文件内容无法解压：{detail}',
    en: 'the file content UnionPay returned cannot be decompressed: {detail}',
  },
  'statement.badEncoding': {
    zh: '第 {line} 行的文字编码与文件开头（{encoding}）不一致，文件可能已损坏',
    en: 'line {line} is not in the encoding the file starts in ({encoding}); the file may be damaged',
  },
  'statement.lineTooLong': {
    zh: '第 {line} 行超过 {max} 个字符，不是对账单的内容',
    en: 'line {line} is longer than {max} characters, which no statement line is',
  },
  'statement.hashMismatch': {
    zh: '账单文件校验失败：SHA-1 与微信支付给出的 {expected} 不一致，文件已丢弃，请重新下载',
    en: 'the bill fails its check: its SHA-1 is not the {expected} WeChat Pay gave; the file is discarded, download it again',
  },
  'statement.missingMarker': {
    zh: '第 {line} 行：找不到“{marker}”开始标记，这不是完整的支付宝对账单',
    en: 'line {line}: the "{marker}" start marker is missing; this is not a whole Alipay statement',
  },
  'statement.missingHeaderLine': {
    zh: '第 {line} 行之前缺少“{item}”行，这不是完整的支付宝对账单',
    en: 'the "{item}" line is missing before line {line}; this is not a whole Alipay statement',
  },
  'statement.missingHeader': {
    zh: '第 {line} 行：明细表头缺失',
    en: 'line {line}: the detail header row is missing',
  },
  'statement.missingColumn': {
    zh: '第 {line} 行：表头缺少“{column}”列',
    en: 'line {line}: the header has no "{column}" column',
  },
  'statement.duplicateColumn': {
    zh: '第 {line} 行：表头有两个“{column}”列',
    en: 'line {line}: the header has two "{column}" columns',
  },
  'statement.columnCount': {
    zh: '第 {line} 行有 {found} 列，表头有 {expected} 列（文字里的逗号或截断都会造成这种情况）',
    en: 'line {line} has {found} cells where the header has {expected} (a comma in a text or a cut line does this)',
  },
  'statement.zmWidth': {
    zh: '第 {line} 行长 {found} 字节，银联一般交易明细每行 541 至 608 字节',
    en: 'line {line} is {found} bytes long; a UnionPay ZM line has 541 to 608 bytes',
  },
  'statement.zmSeparator': {
    zh: '第 {line} 行“{column}”之后应为空格分隔，定长字段错位，文件可能已损坏',
    en: 'line {line}: no space after the "{column}" field; the fixed-width fields are out of place',
  },
  'statement.zmField': {
    zh: '第 {line} 行“{column}”的“{value}”不是有效的值',
    en: 'line {line}: {column} "{value}" is not a valid value',
  },
  'statement.badAmount': {
    zh: '第 {line} 行“{column}”的金额“{value}”无效',
    en: 'line {line}: {column} "{value}" is not a valid amount',
  },
  'statement.amountSign': {
    zh: '第 {line} 行“{column}”的金额“{value}”符号不对：{kind}行应为{sign}',
    en: 'line {line}: {column} "{value}" has the wrong sign for a {kind} row ({sign} expected)',
  },
  'statement.badCount': {
    zh: '第 {line} 行“{column}”的笔数“{value}”无效',
    en: 'line {line}: {column} "{value}" is not a valid count',
  },
  'statement.damagedNumber': {
    zh: '第 {line} 行“{column}”的“{value}”是科学计数法，文件可能被 Excel 另存过，请重新下载原始账单',
    en: 'line {line}: {column} "{value}" is in scientific notation; the file was probably re-saved by a spreadsheet, download the original',
  },
  'statement.missingBacktick': {
    zh: '第 {line} 行“{column}”缺少开头的反引号（`），文件可能被编辑过，请重新下载原始账单',
    en: 'line {line}: {column} lacks its leading backtick (`); the file was probably edited, download the original',
  },
  'statement.badTime': {
    zh: '第 {line} 行“{column}”的时间“{value}”无效',
    en: 'line {line}: {column} "{value}" is not a valid time',
  },
  'statement.badFooter': {
    zh: '第 {line} 行的合计行无法识别：{text}',
    en: 'line {line}: the total line cannot be read: {text}',
  },
  'statement.missingFooter': {
    zh: '账单不完整：缺少“{item}”（文件可能被截断，最后一行是第 {line} 行）',
    en: 'the statement is incomplete: "{item}" is missing (the file may be cut; its last line is {line})',
  },
  'statement.summaryMismatch': {
    zh: '账单自检失败：第 {line} 行“{item}”为 {declared}，明细合计为 {parsed}',
    en: 'the statement does not add up: line {line} declares {item} {declared}, the detail lines add up to {parsed}',
  },
  'statement.trailingGarbage': {
    zh: '第 {line} 行：汇总之后还有多余内容',
    en: 'line {line}: there is more after the summary',
  },
  'statement.summaryFileMismatch': {
    zh: '业务汇总文件的“{item}”为 {declared}，明细合计为 {parsed}（仅提示：以明细文件的合计行为准）',
    en: 'the summary file declares {item} {declared}, the detail lines add up to {parsed} (a notice only: the detail file’s totals decide)',
  },
  'statement.footerNotice': {
    zh: '第 {line} 行“{item}”为 {declared}，明细合计为 {parsed}（仅提示，不影响对账）',
    en: 'line {line} declares {item} {declared}, the detail lines add up to {parsed} (a notice only)',
  },
  'statement.unknownColumns': {
    zh: '第 {line} 行的表头有无法识别的列：{columns}（这些列不读取）',
    en: 'line {line}: the header has columns this program does not know: {columns} (not read)',
  },
  'statement.unexpectedValue': {
    zh: '“{column}”出现无法识别的值“{value}”（第 {line} 行起，共 {count} 行），这些行列为“其他”，不参与匹配',
    en: '{column} holds a value this program does not know, "{value}" (from line {line}, {count} lines); they are listed as other and not matched',
  },
  'statement.unexpectedValues': {
    zh: '另有 {count} 行的状态无法识别，已列为“其他”',
    en: '{count} more lines have a state this program does not know; they are listed as other',
  },
  'statement.summaryFileUnreadable': {
    zh: '业务汇总文件无法读取，已忽略（以明细文件的合计行为准）：{detail}',
    en: 'the summary file cannot be read and is ignored (the detail file’s totals decide): {detail}',
  },
  // Reconciling a day (docs/reconcile.md A4, A13).
  // {pid} and {host}: the process that holds the statement's lease (engine/reconcile/lease.ts).
  'statement.busy': {
    en: 'the bill of {merchant} for {date} is being reconciled already, by process {pid} on {host}; wait for that run to end',
    zh: '对账处理中，请勿重复操作（{merchant} {date}，正在由 {host} 上的进程 {pid} 对账）',
  },
  'statement.unsupportedChannel': {
    en: 'merchant {merchant} has no statement to reconcile: a {channel} profile has no bill of its own',
    zh: '商户“{merchant}”没有对账单可核对：{channel} 通道不提供对账单',
  },
  'statement.noDownload': {
    en: 'the bill of {merchant} cannot be downloaded by this version; upload the file instead',
    zh: '暂不能下载商户“{merchant}”的对账单，请上传账单文件',
  },
  'statement.notFound': { en: 'statement {id} does not exist', zh: '对账单 {id} 不存在' },
  'statement.diffNotFound': { en: 'statement difference {id} does not exist', zh: '对账差异 {id} 不存在' },
  'statement.diffClosed': {
    en: 'statement difference {id} is already {status}',
    zh: '对账差异 {id} 已经处理过（{status}）',
  },
  'statement.dateMismatch': {
    en: 'the file is the bill of {found}, not of {expected}',
    zh: '该文件是 {found} 的账单，不是 {expected} 的',
  },
  'statement.noOriginal': {
    en: 'statement {id} keeps no bill file: a day without a bill, or a file refused as not the gateway’s',
    zh: '对账单 {id} 没有保存的账单文件：当天没有账单，或文件未通过校验已被删除',
  },
  'statement.noFileToRerun': {
    en: 'statement {id} has no file to reconcile again: download or upload the bill of that day',
    zh: '对账单 {id} 没有可重新对账的文件：请重新下载或上传当天的账单',
  },
  'statement.notReady': {
    en: 'the bill of {date} is not ready yet: {detail}',
    zh: '{date} 的账单尚未生成：{detail}',
  },
  'statement.downloadFailed': {
    en: 'the bill of {date} could not be downloaded: {detail}',
    zh: '{date} 的账单下载失败：{detail}',
  },
  'statement.noBill': {
    en: 'there is no bill for {date}: no trade or refund that day at the gateway',
    zh: '{date} 没有账单：通道当天没有交易或退款',
  },
  'statement.nothingToSync': {
    en: 'none of the chosen differences has a local trade to sync',
    zh: '所选差异都没有可同步的本地交易',
  },
  'statement.noYesterdayMerchants': {
    en: 'no enabled merchant profile has a bill to reconcile',
    zh: '没有可对账的已启用商户配置',
  },
  // The reason on a difference's row (A7), shown as it is: {no} a number, amounts in yuan.
  'reconcile.reason.gateway_only': {
    en: 'in the bill, not here: {no}, {statement} yuan',
    zh: '通道有、本地无：{no}，金额 {statement} 元',
  },
  'reconcile.reason.refund_unrecorded': {
    en: 'refund {no} of order {orderNo} is in the bill, not here: {statement} yuan',
    zh: '通道有退款、本地无：订单 {orderNo} 的退款 {no}，金额 {statement} 元',
  },
  'reconcile.reason.local_not_success': {
    en: 'successful in the bill ({statement}), {local} here: {no}',
    zh: '通道成功（{statement}）、本地{local}：{no}',
  },
  'reconcile.reason.local_only': {
    en: 'successful here, not in the bill: {no}, {local} yuan',
    zh: '本地有、通道无：{no} 本地成功 {local} 元，账单中没有',
  },
  'reconcile.reason.amount_mismatch': {
    en: 'amounts differ: {local} yuan here, {statement} yuan in the bill ({no})',
    zh: '金额不符：本地 {local} 元，通道 {statement} 元（{no}）',
  },
  'reconcile.reason.status_mismatch': {
    en: 'states differ: {local} here, {statement} in the bill ({no})',
    zh: '状态不符：本地{local}，通道 {statement}（{no}）',
  },
  'reconcile.reason.trade_no_conflict': {
    en: 'gateway trade numbers differ: {local} here, {statement} in the bill ({no})',
    zh: '通道单号不符：本地 {local}，通道 {statement}（{no}）',
  },
  'reconcile.reason.fee_deviation': {
    en: 'the fee {statement} yuan is not the rate applied to {no} ({local} yuan)',
    zh: '手续费异常：{no} 的手续费 {statement} 元，按费率应为 {local} 元',
  },
  // A team database (docs/team-mode.md B8): what the connection check and `paysync db` say of one. The
  // address in {host}, {port}, {database}, {user} never carries its password.
  'teamDb.unreachable': {
    en: 'no PostgreSQL answers at {host}:{port} ({detail}): check the host and port, and that the server is running and lets this computer in',
    zh: '{host}:{port} 上没有 PostgreSQL 应答（{detail}）：请检查主机和端口，以及服务器是否在运行、是否允许这台电脑连接',
  },
  'teamDb.auth': {
    en: 'PostgreSQL at {host}:{port} refused the user {user}: the password is wrong or there is no such user',
    zh: 'PostgreSQL（{host}:{port}）拒绝了用户 {user}：密码不对，或者没有这个用户',
  },
  'teamDb.noDatabase': {
    en: 'the PostgreSQL server at {host}:{port} has no database named {database}: create it (createdb {database}) or correct the name in the address',
    zh: 'PostgreSQL 服务器 {host}:{port} 上没有名为 {database} 的数据库：请先创建（createdb {database}），或改正地址中的库名',
  },
  'teamDb.foreign': {
    en: 'the database {database} on {host}:{port} holds tables of another program ({tables}) and no PaySync Desk schema; it was left untouched: name an empty database or a PaySync Desk one',
    zh: '{host}:{port} 上的数据库 {database} 里是其他程序的表（{tables}），不是 PaySync Desk 的数据库；未做任何改动：请指定一个空库或 PaySync Desk 的库',
  },
  'teamDb.newerSchema': {
    en: 'the database {database} on {host}:{port} was written by a newer PaySync Desk (schema {found}, this version knows {known}); update PaySync Desk to use it',
    zh: '{host}:{port} 上的数据库 {database} 由更新版本的 PaySync Desk 写入（结构版本 {found}，本版本只认识到 {known}）：请先升级 PaySync Desk',
  },
  'teamDb.noCreate': {
    en: 'the user {user} may not create tables in the database {database} on {host}:{port}, which PaySync Desk needs to build its schema: make {user} its owner (ALTER DATABASE {database} OWNER TO {user}), or let the owner start PaySync Desk on it first',
    zh: '用户 {user} 无权在 {host}:{port} 上的数据库 {database} 中建表，PaySync Desk 需要建表才能使用它：请把 {user} 设为该库的所有者（ALTER DATABASE {database} OWNER TO {user}），或由所有者先用 PaySync Desk 打开一次',
  },
  'teamDb.failed': {
    en: 'PostgreSQL at {host}:{port} answered with an error: {detail}',
    zh: 'PostgreSQL（{host}:{port}）返回错误：{detail}',
  },
  'db.teamAddressAsBooks': {
    en: '{by} names a team database ({address}): this command works on a database file only; on a team database the lists and statements read today (`paysync records`, `orders`, `refunds`, `repairs`, `anomalies`, `audit`, `statements`, `statement show|lines|diffs`) and `paysync export` writes the first five, `paysync import` and `paysync sync --file` import an order or refund list there, `paysync sync --order/--refund/--pending/--all/--file` syncs there, `paysync batch list|show|pause|cancel|resume|release` work its batches, `paysync anomalies resolve` decides there, `paysync reconcile --file` reconciles a bill there, `paysync merchant add|list|test|remove` work its merchant profiles, `paysync merchant remove-demo` takes the old sandbox demo out of it, `paysync keys passphrase set|change` sets its team passphrase, `paysync db check` checks it, `paysync db copy` fills it and `paysync serve` serves its screens (docs/team-mode.md B8.6)',
    zh: '{by} 指向的是团队数据库（{address}）：此命令只在数据库文件上工作；团队数据库上现在可以查看各列表和对账单（`paysync records`、`orders`、`refunds`、`repairs`、`anomalies`、`audit`、`statements`、`statement show|lines|diffs`），并用 `paysync export` 导出前五个列表，用 `paysync import` 和 `paysync sync --file` 向其导入订单或退款列表，用 `paysync sync --order/--refund/--pending/--all/--file` 在其上同步，用 `paysync batch list|show|pause|cancel|resume|release` 管理其批次，用 `paysync anomalies resolve` 在其上处理异常，用 `paysync reconcile --file` 在其上对账，用 `paysync merchant add|list|test|remove` 管理其商户配置，用 `paysync merchant remove-demo` 清除旧版本留下的演示数据，用 `paysync keys passphrase set|change` 设置团队口令，用 `paysync db check` 检查、用 `paysync db copy` 复制进去，用 `paysync serve` 在浏览器中打开其界面（docs/team-mode.md B8.6）',
  },
  'team.fileOnly': {
    en: "this step is a desktop database file's own ({operation}), not a team database's: go back to this desktop's file for it (Settings → Team database → Back to this computer's books, docs/team-mode.md B8.6). The lists, syncs, imports, batches, anomalies, statements, exports and merchant profiles work here",
    zh: '这一步只属于本机数据库文件（{operation}），团队数据库上不适用：请回到本机数据库再做（设置 → 团队数据库 → 回到本机数据库，docs/team-mode.md B8.6）。各列表、同步、导入、批量同步、异常处理、对账单、导出和商户配置可在此使用',
  },
  'teamDb.notAddress': {
    en: '{address} is not a PostgreSQL address: write postgres://user:password@host:5432/database',
    zh: '{address} 不是 PostgreSQL 地址：请写成 postgres://用户:密码@主机:5432/库名',
  },
  // Which books the desktop app opens (docs/team-mode.md B8.14).
  'teamDb.passwordNotKept': {
    en: 'this computer has no key store to keep the password of {address} sealed, and PaySync Desk never keeps one bare: take the password out of the address and put it in ~/.pgpass or PGPASSWORD, then choose the address again',
    zh: '这台电脑没有可用的系统密钥库，无法加密保存 {address} 中的密码，而 PaySync Desk 不会明文保存密码：请把密码从地址中去掉，改写到 ~/.pgpass 或 PGPASSWORD 中，再重新选择这个地址',
  },
  'teamDb.choiceSealed': {
    en: 'the team database this app was set to open is sealed by a key store this computer no longer offers: choose it again in 设置 → 团队数据库',
    zh: '本应用上次选择的团队数据库地址由系统密钥库加密保存，而这台电脑现在没有可用的密钥库：请在 设置 → 团队数据库 中重新选择',
  },
  'teamDb.appOnly': {
    en: 'the books are chosen in the desktop app; in browser mode start `paysync serve --db {address}` to work on that team database',
    zh: '只有桌面应用可以在这里切换数据库；浏览器模式下请用 `paysync serve --db {address}` 启动，在该团队数据库上工作',
  },
  'teamDb.fixedByEnv': {
    en: 'PAYSYNC_DB chooses the books of this app ({books}): start it without PAYSYNC_DB to choose them here',
    zh: '本应用的数据库由环境变量 PAYSYNC_DB 指定（{books}）：去掉 PAYSYNC_DB 再启动，才能在这里选择',
  },
  'teamDb.emptyFirst': {
    en: "{address} holds no books yet: copy this computer's books into it first (the button below the check), or have a colleague copy theirs",
    zh: '{address} 里还没有账目：请先把本机数据复制进去（检查结果下方的按钮），或由同事把他们的数据复制进去',
  },
  'teamDb.openFailed': {
    en: 'The team database {address} could not be opened: {reason}',
    zh: '无法打开团队数据库 {address}：{reason}',
  },
  // `paysync db copy` (docs/team-mode.md B8.3): {target} a file or a masked address.
  'dbCopy.targetDiffers': {
    en: '{target} already holds other rows: {table} has {targetRows} there and {sourceRows} here, and they differ. A copy goes into an empty database, or finds the same rows there; it never merges. Nothing was written',
    zh: '{target} 里已有不同的数据：{table} 那边 {targetRows} 行、这边 {sourceRows} 行，内容不一致。复制只写入空库，或确认两边数据相同，从不合并。未写入任何数据',
  },
  'dbCopy.verifyFailed': {
    en: 'the copy into {target} did not read back the same: {table} has {targetRows} rows there against {sourceRows} here, or other contents. It was rolled back; nothing was written',
    zh: '复制到 {target} 后回读不一致：{table} 那边 {targetRows} 行、这边 {sourceRows} 行，或内容不同。已回滚，未写入任何数据',
  },
  'dbCopy.oneEachSide': {
    en: 'a copy goes between a database file and a team database: give one postgres:// address and one file (--from and --to)',
    zh: '复制需在数据库文件与团队数据库之间进行：--from 和 --to 请一个写 postgres:// 地址、一个写文件',
  },
  // Secrets only this computer's key store opens (docs/team-mode.md B8.7).
  'dbCopy.secretsStayHere': {
    en: 'the merchant secrets of these books open only on this computer (its key store), so no other desktop could use them: set a team passphrase first (paysync keys passphrase set, or 设置 → 团队数据库 → 设置团队口令), then copy again. Nothing was written',
    zh: '这份账本的商户密钥只有本机（系统密钥库）能打开，其他电脑用不了：请先设置团队口令（设置 → 团队数据库 → 设置团队口令，或 paysync keys passphrase set），再复制。未写入任何数据',
  },
  'dbCopy.noSource': {
    en: 'there is no database file at {file}; nothing was copied',
    zh: '{file} 处没有数据库文件；未复制任何数据',
  },
  'teamDb.ready': {
    en: 'the database {database} on {host}:{port} is a PaySync Desk database at schema {found}, the one this version writes',
    zh: '{host}:{port} 上的数据库 {database} 是 PaySync Desk 的数据库，结构版本 {found}，与本版本一致',
  },
  'teamDb.empty': {
    en: 'the database {database} on {host}:{port} is empty: the first PaySync Desk to use it creates the schema',
    zh: '{host}:{port} 上的数据库 {database} 是空库：第一个使用它的 PaySync Desk 会建好表结构',
  },
  'teamDb.copyBusy': {
    en: 'this desktop is already copying its books into a team database: wait for that copy to finish',
    zh: '本机数据正在复制到团队数据库：请等这次复制完成',
  },
  'teamDb.copyMemory': {
    en: 'an in-memory database has no books to copy into a team database',
    zh: '内存数据库没有可复制到团队数据库的数据',
  },
  'teamDb.older': {
    en: 'the database {database} on {host}:{port} is a PaySync Desk database at schema {found}; this version brings it to {known} when it first uses it',
    zh: '{host}:{port} 上的数据库 {database} 是 PaySync Desk 的数据库，结构版本 {found}；本版本首次使用时会升级到 {known}',
  },
} as const satisfies Record<string, { en: string; zh: string }>

export type MessageId = keyof typeof MESSAGES

export function isMessageId(id: unknown): id is MessageId {
  return typeof id === 'string' && Object.hasOwn(MESSAGES, id)
}

/** The sentence in a language, its parameters filled in. */
export function say(id: MessageId, params: Params = {}, lang: Lang = 'en-US'): string {
  const m = MESSAGES[id]
  return (lang === 'zh-CN' ? m.zh : m.en).replace(/\{(\w+)\}/g, (all, k: string) => {
    if (!(k in params)) return all
    return k.endsWith('Fields') ? fieldList(String(params[k]).split(','), lang) : String(params[k])
  })
}
