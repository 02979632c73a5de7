// The sentences a statement refusal or notice shows, in both languages: the window shows the Chinese
// one, the command line the English one. They belong in the project's catalog (src/shared/messages.ts)
// and are kept here, under the same kind of ids, until that move: no other file of this folder holds
// user-facing text. {name} is a parameter.

export type Params = Record<string, string | number>

export const STATEMENT_MESSAGES = {
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
  'statement.channelMismatch': {
    zh: '这是{foundZh}的对账单，不是{expectedZh}的',
    en: 'this is a {foundEn} statement, not a {expectedEn} one',
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
} as const satisfies Record<string, { zh: string; en: string }>

export type StatementMessageId = keyof typeof STATEMENT_MESSAGES

/** The sentence of `id` in `lang` with its parameters filled in. */
export function statementText(id: StatementMessageId, params: Params, lang: 'zh' | 'en'): string {
  return STATEMENT_MESSAGES[id][lang].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}
