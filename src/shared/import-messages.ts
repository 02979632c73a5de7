// The sentences of an import (docs/cli.md section 3), part of the catalog of ./messages.ts: why a row is
// refused (row.*), what a row is besides (note.*: a repeat, a conflict, a skipped line), what looks
// doubtful but goes in (warn.*), and why a whole file is refused (import.*). {what} is a column's header
// as the file writes it. A fix that differs between the window and the command line has two sentences,
// `….cli` naming a flag and `….window` naming the import panel's control: each says what is there to use.
// Amounts are in yuan, as everywhere else a person reads them.

export const IMPORT_MESSAGES = {
  'row.empty': { en: '{what} is empty', zh: '{what}为空' },
  'row.rounded': {
    en: '{what} "{value}" was turned into a rounded number by a spreadsheet; export the list again with this column as text',
    zh: '{what}“{value}”已被表格软件变成了四舍五入的数字；请把这一列设为文本后重新导出',
  },
  'row.storedAsNumber': {
    en: '{what} "{value}" was stored as a number by a spreadsheet; export the list again with this column as text',
    zh: '{what}“{value}”被表格软件存成了数字；请把这一列设为文本后重新导出',
  },
  'row.tooLong': { en: '{what} is longer than {max} characters', zh: '{what}超过 {max} 个字符' },
  'row.spaces': {
    en: '{what} "{value}" contains spaces or control characters',
    zh: '{what}“{value}”含有空格或控制字符',
  },
  'row.notYuan': {
    en: '{what} "{value}" is not an amount in yuan (write it like 1234.50)',
    zh: '{what}“{value}”不是以元为单位的金额（请写成 1234.50 这样）',
  },
  'row.negative': { en: '{what} may not be negative', zh: '{what}不能为负数' },
  'row.decimalsInFen.cli': {
    en: '{what} "{value}" has decimals but this column is read in fen; for yuan use --amount-unit yuan or name the column amountYuan or 金额(元)',
    zh: '{what}“{value}”带小数，但这一列按分读取；若是元，请用 --amount-unit yuan，或把列名改为 amountYuan 或 金额(元)',
  },
  'row.decimalsInFen.window': {
    en: '{what} "{value}" has decimals but this column is read in fen; if it holds yuan, set its unit to 元 in the column mapping',
    zh: '{what}“{value}”带小数，但这一列按分读取；若是元，请在列映射中把这一列的单位改为 元',
  },
  'row.notFen': { en: '{what} "{value}" is not a whole number of fen', zh: '{what}“{value}”不是整数分' },
  'row.tooLarge': { en: '{what} is too large', zh: '{what}过大' },
  'row.notTime': {
    en: '{what} "{value}" is not a time; write it as 2026-11-20 10:00:00 (Beijing time)',
    zh: '{what}“{value}”不是时间；请写成 2026-11-20 10:00:00（北京时间）',
  },
  'row.ambiguousDate': {
    en: '{what} "{value}" may be {first} or {second}; write the date as {iso}',
    zh: '{what}“{value}”既可读作{first}，也可读作{second}；请把日期写成 {iso} 这样',
  },
  'row.channelUnknown': {
    en: 'channel "{value}" is unknown; use one of {allowed} (or 支付宝, 微信, 银联)',
    zh: '支付通道“{value}”无法识别；请用 {allowed}（或 支付宝、微信、银联）',
  },
  'row.payStatusUnknown': {
    en: 'status "{value}" is unknown; use progress/支付中/待付款, success/成功/已付款/交易成功, close/关闭/交易关闭, cancel/撤销 or fail/失败',
    zh: '状态“{value}”无法识别；请用 支付中/待付款/progress、成功/已付款/交易成功/success、关闭/交易关闭/close、撤销/cancel 或 失败/fail',
  },
  'row.refundStatusUnknown': {
    en: 'status "{value}" is unknown; use progress/退款中, success/成功, close/关闭 or fail/失败',
    zh: '状态“{value}”无法识别；请用 退款中/progress、成功/success、关闭/close 或 失败/fail',
  },
  'row.kindUnknown': {
    en: 'kind "{value}" is unknown; use pay or payscore',
    zh: '订单类型“{value}”无法识别；请用 pay 或 payscore',
  },
  'row.noProfile': {
    en: 'merchant "{name}" has no profile; add it first or correct the name',
    zh: '商户“{name}”没有配置；请先添加商户配置，或改正名称',
  },
  'row.noMerchant.cli': {
    en: 'no merchant: add a merchant column or name one for the whole file (--merchant)',
    zh: '没有商户：请加一列商户，或为整个文件指定一个商户（--merchant）',
  },
  'row.noMerchant.window': {
    en: 'no merchant: choose one under 商户 in the import panel, or add a merchant column to the file',
    zh: '没有商户：请在导入面板的“商户”中选择一个，或在文件中加一列商户',
  },
  'row.noMerchants': {
    en: 'no merchant is configured yet: add one under 商户配置 (or paysync merchant add) before importing',
    zh: '还没有配置任何商户：请先在“商户配置”中添加商户，再导入',
  },
  'row.channelMismatch': {
    en: 'channel {channel} does not match merchant {name}, which is {merchantChannel}',
    zh: '支付通道 {channel} 与商户“{name}”的通道 {merchantChannel} 不符',
  },
  'row.orderNoEmpty': { en: 'the order number is empty', zh: '商户订单号为空' },
  'row.amountEmpty': { en: 'the amount is empty', zh: '金额为空' },
  'row.payOrderNoEmpty': { en: 'the pay order number is empty', zh: '支付订单号为空' },
  'row.refundNoEmpty': { en: 'the refund number is empty', zh: '退款单号为空' },
  'row.refundAmountEmpty': { en: 'the refund amount is empty', zh: '退款金额为空' },
  'row.refundAmountZero': { en: 'the refund amount must be more than zero', zh: '退款金额必须大于零' },
  'row.payNotImported': {
    en: 'pay order {orderNo} of merchant {name} is not imported; import the order list first',
    zh: '商户“{name}”的支付订单 {orderNo} 尚未导入；请先导入支付订单列表',
  },
  'row.refundOfOther': {
    en: 'refund {refundNo} already belongs to pay order {orderNo}',
    zh: '退款 {refundNo} 已属于支付订单 {orderNo}',
  },
  'row.refundOverRefundable': {
    en: 'the refund of {amount} is more than the {refundable} still refundable on {orderNo}',
    zh: '退款 {amount} 超过了订单 {orderNo} 剩余可退的 {refundable}',
  },
  'row.amountDiffers': {
    en: 'order {orderNo} is already here with {stored}, not {amount}: an import never changes an amount; check the file or the order',
    zh: '订单 {orderNo} 已存在，金额 {stored}，与此行的 {amount} 不同：导入不会改动金额，请核对文件或订单',
  },
  'row.refundAmountDiffers': {
    en: 'refund {refundNo} is already here with {stored}, not {amount}: an import never changes an amount; check the file or the refund',
    zh: '退款 {refundNo} 已存在，金额 {stored}，与此行的 {amount} 不同：导入不会改动金额，请核对文件或退款',
  },
  'row.refundOverAmount': {
    en: "the refund of {refund} is more than the order's amount {amount}",
    zh: '退款 {refund} 超过了订单金额 {amount}',
  },
  // A CSV row whose quotes do not pair: that row alone is refused, by the line it starts on.
  'row.strayQuote': {
    en: 'a quote inside a cell that does not start with one; put the cell in quotes and double its quotes ("a ""b"" c")',
    zh: '单元格中间有引号，但单元格不是以引号开头；请给整个单元格加上引号，并把其中的引号写两遍（"a ""b"" c"）',
  },
  'row.afterQuote': {
    en: 'text after the closing quote of a cell; a quoted cell ends at its closing quote',
    zh: '单元格的结束引号之后还有文字；加引号的单元格应以引号结束',
  },
  'row.openQuote': {
    en: 'a quote opened on this line is never closed; the line is skipped and reading goes on with the next',
    zh: '这一行开始的引号没有结束；已跳过这一行，从下一行继续读取',
  },

  'note.duplicate': { en: 'line {line} repeats line {first}', zh: '第 {line} 行与第 {first} 行重复' },
  'note.duplicateDiffers': {
    en: 'line {line} names the same trade as line {first} with another {what}; line {first} is the one kept',
    zh: '第 {line} 行与第 {first} 行是同一笔交易，但{what}不同；以第 {first} 行为准',
  },
  'note.existsDiffers': {
    en: 'already here with another {what} ({stored}, the file says {value}); not changed: an import never changes a status, and fills a title only when there is none',
    zh: '已存在，{what}不同（已有“{stored}”，文件为“{value}”），未修改：导入不会改动状态，标题只在原来为空时填入',
  },
  'note.total': { en: 'a total line, skipped', zh: '合计行，已跳过' },
  'note.titleLine': {
    en: 'above the header (line {header}), skipped',
    zh: '在表头（第 {header} 行）之前，已跳过',
  },
  'note.merchantIgnored': {
    en: 'the file names merchant "{name}"; every row goes to the chosen merchant "{chosen}"',
    zh: '文件中的商户为“{name}”；按所选商户“{chosen}”导入',
  },
  'warn.excelZeros': {
    en: '{what} "{value}" ends in zeros after its 15th digit, as a number Excel has already cut to 15 digits does; check it against the source',
    zh: '{what}“{value}”第 15 位之后全是 0，像是已被 Excel 截断成 15 位的数字；请与原始数据核对',
  },
  'warn.zeroAmount': { en: 'the amount is zero', zh: '金额为 0' },
  'warn.future': {
    en: '{what} {value} is in the future',
    zh: '{what} {value} 在未来',
  },
  'warn.refundUnpaid': {
    en: 'pay order {orderNo} is {status} here, not paid, yet the file lists a refund of it',
    zh: '支付订单 {orderNo} 在这里的状态是“{status}”，并未支付，文件中却有它的退款',
  },

  'import.empty': {
    en: '{file} is empty: the first row must hold the column headers',
    zh: '文件“{file}”是空的：第一行应是列名',
  },
  'import.lineTooLong': {
    en: '{file}: the line that starts at {line} runs past {max} characters; this is no list (is a quote left open?)',
    zh: '“{file}”从第 {line} 行开始的一行超过了 {max} 个字符，不像是清单（是否有引号没有结束？）',
  },
  'import.oldExcel': {
    en: '{file} is an old Excel .xls file: save it as .xlsx or CSV and import that',
    zh: '“{file}”是旧版 Excel 的 .xls 文件：请另存为 .xlsx 或 CSV 后再导入',
  },
  'import.missing.cli': {
    en: '{file} has no column for {fields}; its headers are: {headers}. Rename the columns or pass a column mapping (--mapping)',
    zh: '“{file}”缺少这些列：{fields}；它的列名是：{headers}。请改列名，或用 --mapping 指定列映射',
  },
  'import.missing.window': {
    en: '{file} has no column for {fields}; its headers are: {headers}. Choose the columns in the column mapping',
    zh: '“{file}”缺少这些列：{fields}；它的列名是：{headers}。请在列映射中指定',
  },
  'import.refundList.cli': {
    en: '{file} looks like a refund list (it has {headers}); import it with --type refund',
    zh: '“{file}”像是退款清单（有 {headers} 列）；请加上 --type refund 导入',
  },
  'import.refundList.window': {
    en: '{file} looks like a refund list (it has {headers}); choose 退款订单 as the list type',
    zh: '“{file}”像是退款清单（有 {headers} 列）；请把清单类型选为“退款订单”',
  },
  'import.amountUnit.cli': {
    en: 'every amount in column {headers} of {file} is a whole number and the header does not say whether it is yuan or fen (100 is ¥100.00 in yuan, ¥1.00 in fen); say it with --amount-unit yuan or --amount-unit fen',
    zh: '“{file}”的 {headers} 列全是整数，列名也没有写明是元还是分（100 按元是 ¥100.00，按分是 ¥1.00）；请用 --amount-unit yuan 或 --amount-unit fen 说明',
  },
  'import.amountUnit.window': {
    en: 'every amount in column {headers} of {file} is a whole number and the header does not say whether it is yuan or fen; choose 元 or 分 in the preview',
    zh: '“{file}”的 {headers} 列全是整数，列名也没有写明是元还是分；请在预览中选择 元 或 分',
  },
  'import.tooLarge': {
    en: '{file} is not imported: {detail}',
    zh: '“{file}”未导入：这个 Excel 文件展开后过大或结构异常（{detail}）；请另存为 CSV 后导入',
  },
  'import.outOfMemory': {
    en: '{file} is not imported: reading it needed more than the {mb} MB an import may use; save it as CSV, or split it',
    zh: '“{file}”未导入：读取它所需的内存超过了导入可用的 {mb} MB；请另存为 CSV，或拆分后导入',
  },
  'import.cancelled': {
    en: 'the import of {file} was cancelled after {rows} rows; the rows before are in, and importing the file again finishes it',
    zh: '“{file}”的导入已在第 {rows} 行后取消；之前的行已导入，再次导入同一文件即可补完',
  },
  'import.rejectedExists': {
    en: '{file} exists already; choose another name for the rejected rows or remove it first',
    zh: '{file} 已存在；请为被拒绝的行另选文件名，或先删除它',
  },
  'import.notFound': { en: 'import {id} does not exist', zh: '导入记录 {id} 不存在' },
  'mapping.notFound': { en: 'there is no saved mapping named "{name}"', zh: '没有名为“{name}”的已保存映射' },
} as const satisfies Record<string, { en: string; zh: string }>
