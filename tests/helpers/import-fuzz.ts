import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { importFile } from '../../src/main/files/import/importer'
import { UnreadableFileError } from '../../src/main/files/import/row-source'
import { dispatch } from '../../src/main/services/index'
import type { TradeType } from '../../src/shared/domain'
import type { ImportSummary } from '../../src/shared/import-report'
import { AppError } from '../../src/shared/errors'
import { rng, type Rng } from './prng'
import type { World } from './world'

// A fuzzer over the import pipeline (issue 6, item 4): encoding detection, CSV and XLSX rows, header
// matching, field readers and the importer with its dry-run sink, driven through the functions the
// import service uses and through the contract (`imports.preview`, `imports.run`). Inputs are made
// from a seeded PRNG: well-formed lists with known bad rows, the same mutated as text, as bytes, in
// other encodings, and XLSX files damaged byte by byte. For every input: no crash (only our typed
// errors: UnreadableFileError, or AppError 'unreadable_file' from the services), no hang (a guard
// per input), a clear message, and every rejected row named by its line with a reason.
//
// The rules of issue 14 are part of what is generated and checked: an amount column whose header
// names no unit is read in the unit given (`--amount-unit`), or, when every value is a whole number
// and none is given, previewed as yuan and refused by the import with the question; a row with a
// stray quote is refused by its line while the rows around it go in; a title line above the header
// and a 合计 line below the data are skipped; shop-export status words and amounts with 元, RMB or
// full-width digits are read; a row is inserted, updated, unchanged, a repeat, a conflict, skipped
// or refused, and the counts add up to the rows read.

/** Headers as people's files spell them: the aliases of docs/cli.md 3.2, in any case and spacing. */
const HEADERS: Record<string, string[]> = {
  orderNo: ['orderNo', 'out_trade_no', '订单号', '商户订单号', 'ORDERNO', ' order No ', '订单编号'],
  merchant: ['merchant', '商户', '应用'],
  amountFen: ['amountFen', '金额(分)', 'AMOUNTFEN', '实付金额（分）'],
  amountYuan: ['金额(元)', '金额（元）', 'amountYuan', '订单金额(元)'],
  // Headers that name no unit: read in the unit given, or asked about when every value is whole.
  amountPlain: ['amount', 'totalFee', '金额', '订单金额', '实付金额'],
  status: ['status', '状态', '订单状态', '交易状态'],
  title: ['title', '商品名称', '订单标题'],
  createdAt: ['createdAt', '创建时间'],
  expiredAt: ['expiredAt', '过期时间'],
  gatewayTradeNo: ['trade_no', '支付宝交易号', 'transaction_id'],
  refundNo: ['refundNo', '退款号', 'out_refund_no'],
  refundAmountYuan: ['退款金额', 'refundAmountYuan'],
}

const TITLES = [
  '咖啡',
  'a "quoted", title',
  'line one\nline two',
  'crlf\r\ninside',
  '=1+1',
  '  spaced  ',
  '😀 emoji ☕',
  'tab\there',
  '',
  '"',
]

/** A cell that must be refused, with the field it belongs to. */
const BAD: Array<{ field: string; value: string }> = [
  { field: 'amountFen', value: '12.5' },
  { field: 'amountFen', value: 'abc' },
  { field: 'amountFen', value: '-5' },
  { field: 'amountFen', value: '99999999999999999999' },
  { field: 'amountYuan', value: '1.234' },
  { field: 'amountYuan', value: '¥-3.00' },
  { field: 'amountYuan', value: 'NaN' },
  { field: 'amountPlain', value: 'abc' },
  { field: 'amountPlain', value: '-5' },
  { field: 'amountPlain', value: '99999999999999999999' },
  { field: 'orderNo', value: '1.23457E+17' },
  { field: 'orderNo', value: '123456.00' },
  { field: 'orderNo', value: 'has space' },
  { field: 'orderNo', value: 'x'.repeat(65) },
  { field: 'status', value: 'paid-ish' },
  { field: 'merchant', value: 'nobody' },
  { field: 'createdAt', value: '2026-02-30 10:00:00' },
  { field: 'createdAt', value: 'yesterday' },
  { field: 'expiredAt', value: '2026-13-01' },
  { field: 'title', value: 'x'.repeat(300) },
  // A quote inside an unquoted cell: the row alone is refused, by its line (issue 14 item 9).
  { field: 'title', value: 'stray"quote' },
]

/** Amounts in yuan as shop exports write them, with what they are in fen. */
const YUAN_CELLS: Array<[string, number]> = [
  ['1.00', 100],
  ['12.5', 1250],
  ['¥1,234.50', 123450],
  ['0.01', 1],
  ['88', 8800],
  ['12.50元', 1250],
  ['RMB 10.00', 1000],
  ['１２.５０', 1250],
]

type AmountUnit = 'yuan' | 'fen'

export interface ImportFuzzOptions {
  seed: number
  /** Generated inputs of every kind but XLSX. */
  cases: number
  /** XLSX inputs (slower to make and read). */
  xlsxCases: number
  /** Share of the XLSX inputs damaged byte by byte (default 0.7). */
  damagedXlsx?: number
  /** The hang guard per input. */
  guardMs?: number
  world: World
  /** The merchants of the world, by channel. */
  merchants: string[]
}

export interface ImportFuzzReport {
  cases: number
  imported: number
  refused: number
  rejectedRows: number
  byKind: Record<string, number>
}

/** Runs `work` with a hang guard; a test timing, never: it only turns a hang into a named failure. */
async function guarded<T>(what: string, work: () => Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

interface Generated {
  kind: string
  name: string
  content: Buffer
  type: TradeType
  /** The unit given for amount columns whose header names none (`--amount-unit`). */
  amountUnit?: AmountUnit
  /** Known for well-formed lists: the lines of the rows that must be rejected, and the rows that go in. */
  expect?: {
    badLines: number[]
    /** The good rows: where, which order, and its amount in fen. */
    good: Array<{ merchant: string; orderNo: string; line: number; fen: number }>
    /** The line of the header (2 below a title line) and the 合计 lines skipped. */
    headerLine: number
    skipped: number
  }
}

function csvCell(v: string, r: Rng, delimiter: string): string {
  // The stray quote stays unquoted: that is what makes it one.
  if (v === 'stray"quote') return v
  const needs = v.includes('"') || v.includes(delimiter) || /[\r\n]/.test(v) || v !== v.trim()
  return needs || r.chance(0.15) ? `"${v.replace(/"/g, '""')}"` : v
}

/** Numbers trades apart; starts again with each run so that a seed replays the same inputs. */
let serial = 0

/**
 * A well-formed list: headers in random spellings and order, rows either wholly valid or with exactly
 * one bad cell, quoted cells across lines, CRLF or LF. The lines of the bad rows are known.
 */
function wellFormed(r: Rng, merchants: string[], type: TradeType, payNos: string[]): Generated {
  const delimiter = r.chance(0.2) ? '\t' : ','
  const eol = r.pick(['\n', '\r\n'])
  const amountField = r.pick(['amountFen', 'amountYuan', 'amountPlain'])
  // A plain amount column: the unit given, or none (then whole values make the import ask).
  const amountUnit: AmountUnit | undefined =
    amountField === 'amountPlain' ? r.pick<AmountUnit | undefined>(['yuan', 'fen', undefined]) : undefined
  const fields =
    type === 'pay'
      ? ['orderNo', 'merchant', amountField, 'status', 'title', 'createdAt', 'expiredAt']
      : ['orderNo', 'refundNo', 'merchant', 'refundAmountYuan', 'createdAt']
  for (let i = fields.length - 1; i > 0; i--) {
    const j = r.int(i + 1)
    ;[fields[i], fields[j]] = [fields[j]!, fields[i]!]
  }
  const header = fields.map((f) => csvCell(r.pick(HEADERS[f]!), r, delimiter)).join(delimiter)
  // Shop exports put a title above the header now and then, and a 合计 line below the data.
  const title = r.chance(0.1) ? `订单导出 2026-11-20` : null
  const lines: string[] = title ? [title, header] : [header]
  const headerLine = title ? 2 : 1
  let line = headerLine + header.split(/\r\n|\n/).length - 1 + 1
  const badLines: number[] = []
  const good: Array<{ merchant: string; orderNo: string; line: number; fen: number }> = []
  const rows = r.range(1, 25)
  for (let i = 0; i < rows; i++) {
    const tag = `${r.seed % 100000}n${++serial}`
    const [yuanCell, yuanFen] = r.pick(YUAN_CELLS)
    const plain = r.range(1, 99999)
    const value: Record<string, string> = {
      orderNo: type === 'pay' ? `FZ${tag}` : payNos.length ? r.pick(payNos) : `FZNONE${tag}`,
      refundNo: `FZR${tag}`,
      merchant: r.pick(merchants),
      amountFen: String(r.range(1, 99999)),
      amountYuan: yuanCell,
      amountPlain: String(plain),
      refundAmountYuan: r.pick(['0.01', '0.02']),
      status: r.pick([
        'progress',
        '支付中',
        'success',
        '成功',
        'close',
        'fail',
        '已付款',
        '交易成功',
        '待付款',
        '交易关闭',
      ]),
      title: r.pick(TITLES),
      createdAt: r.pick([
        '2026-11-20 10:00:00',
        '2026/11/20 10:00',
        '20261120100000',
        '2026-11-20T10:00:00+08:00',
        '2026年11月20日 10:00',
        '20/11/2026 10:00',
        '',
      ]),
      expiredAt: r.pick(['', '2026-11-20 10:30:00', '46000']),
    }
    // A refund's pay order must exist and be refundable: only rows naming an imported order are good.
    let bad = type === 'refund' && !payNos.length
    if (r.chance(0.3)) {
      const candidates = BAD.filter((b) => fields.includes(b.field))
      if (candidates.length) {
        const b = r.pick(candidates)
        value[b.field] = b.value
        bad = true
      }
    }
    if (!bad) {
      const fen =
        amountField === 'amountFen'
          ? Number(value.amountFen)
          : amountField === 'amountYuan'
            ? yuanFen
            : amountUnit === 'fen'
              ? plain
              : plain * 100
      good.push({ merchant: value.merchant!, orderNo: value.orderNo!, line, fen })
    }
    const text = fields.map((f) => csvCell(value[f]!, r, delimiter)).join(delimiter)
    if (bad) badLines.push(line)
    lines.push(text)
    line += text.split(/\r\n|\n/).length - 1 + 1
  }
  const total = r.chance(0.1)
  if (total) lines.push(fields.map((f) => (f === 'merchant' ? '合计' : '')).join(delimiter))
  const body = lines.join(eol) + (r.chance(0.5) ? eol : '')
  // Refunds of one order may be refused for the refundable amount; only pay lists have an exact count.
  return {
    kind: `well-formed-${type}`,
    name: `wf${serial}.csv`,
    content: Buffer.from(body, 'utf8'),
    type,
    amountUnit,
    expect: type === 'pay' ? { badLines, good, headerLine, skipped: total ? 1 : 0 } : undefined,
  }
}

const JUNK = [
  '"',
  '""',
  ',',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\uFEFF',
  '\u2028',
  '\uD800',
  '😀',
  '￥',
  '，',
  '=',
  '\\',
]

/** Text-level damage: stray quotes, cut lines, doubled lines, odd line ends, very long cells. */
function mutateText(r: Rng, text: string): string {
  let s = text
  const n = r.range(1, 4)
  for (let i = 0; i < n; i++) {
    const at = r.int(s.length + 1)
    switch (r.int(9)) {
      case 0:
        s = s.slice(0, at) + r.pick(JUNK) + s.slice(at)
        break
      case 1:
        s = s.slice(0, at) + s.slice(at + r.range(1, 8))
        break
      case 2:
        s = s.slice(0, at)
        break
      case 3: {
        const lines = s.split('\n')
        const k = r.int(lines.length)
        lines.splice(k, 0, lines[k] ?? '')
        s = lines.join('\n')
        break
      }
      case 4:
        s = s.replace(/\n/g, r.pick(['\r', '\r\n', '\n\n', '\n,\n']))
        break
      case 5:
        s = s.slice(0, at) + 'y'.repeat(r.pick([1000, 70_000])) + s.slice(at)
        break
      case 6:
        s = s.slice(0, at) + ','.repeat(r.pick([50, 2000])) + s.slice(at)
        break
      case 7:
        s = s.slice(0, at) + '"' + s.slice(at).replace('"', '')
        break
      default:
        s = s.slice(0, at) + String.fromCharCode(r.int(0x3000)) + s.slice(at)
    }
  }
  return s
}

function mutateBytes(r: Rng, buf: Buffer): Buffer {
  const b = Buffer.from(buf)
  const n = r.range(1, 6)
  for (let i = 0; i < n && b.length; i++) b[r.int(b.length)]! ^= 1 << r.int(8)
  return r.chance(0.3) ? b.subarray(0, r.int(b.length + 1)) : b
}

function encode(r: Rng, text: string): { kind: string; content: Buffer } {
  switch (r.int(5)) {
    case 0:
      return {
        kind: 'utf-8-bom',
        content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      }
    case 1:
      return { kind: 'gb18030', content: iconv.encode(text, 'gb18030') }
    case 2:
      return {
        kind: 'utf-16le',
        content: Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]),
      }
    case 3:
      return {
        kind: 'utf-16be',
        content: Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]),
      }
    default:
      return { kind: 'utf-8', content: Buffer.from(text) }
  }
}

function randomBytes(r: Rng): Buffer {
  const b = Buffer.alloc(r.pick([0, 1, 2, 3, 4, 17, 512, 5000]))
  for (let i = 0; i < b.length; i++) b[i] = r.int(256)
  return b
}

async function xlsxBase(r: Rng, merchant: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet(r.pick(['订单', 'Sheet1', '']) || 'x')
  ws.addRow(['商户订单号', '商户', '金额(元)', '状态', '创建时间', '备注'])
  const values: ExcelJS.CellValue[] = [
    123456789012345680000,
    3.14,
    -1,
    new Date(Date.UTC(2026, 10, 20, 10)),
    true,
    { formula: '1+1', result: 2 },
    { richText: [{ text: '富' }, { text: '文本' }] },
    { text: 'link', hyperlink: 'https://example.com' },
    { error: '#N/A' } as ExcelJS.CellErrorValue,
    null,
    '',
    'x'.repeat(40_000),
  ]
  const rows = r.range(1, 30)
  for (let i = 0; i < rows; i++) {
    const no = r.chance(0.8) ? `XF${r.seed % 100000}n${++serial}` : r.pick(values)
    ws.addRow([
      no,
      merchant,
      r.chance(0.7) ? '1.00' : r.pick(values),
      r.pick(['成功', '支付中', r.pick(values)]),
      r.pick(values),
      r.pick(values),
    ])
  }
  if (r.chance(0.2)) wb.addWorksheet('second').addRow(['orderNo'])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

async function generate(r: Rng, i: number, o: ImportFuzzOptions, payNos: string[]): Promise<Generated> {
  const type: TradeType = r.chance(0.8) ? 'pay' : 'refund'
  const base = wellFormed(r, o.merchants, type, payNos)
  const choice = r.int(10)
  if (choice < 3) return base
  const text = base.content.toString('utf8')
  if (choice < 6) {
    const e = encode(r, mutateText(r, text))
    return { kind: `text-mutated-${e.kind}`, name: `tm${i}.csv`, content: e.content, type }
  }
  if (choice < 8) {
    const e = encode(r, text)
    return {
      kind: `bytes-mutated-${e.kind}`,
      name: `bm${i}.${r.pick(['csv', 'txt', 'CSV'])}`,
      content: mutateBytes(r, e.content),
      type,
    }
  }
  if (choice < 9)
    return { kind: 'random-bytes', name: `rb${i}.${r.pick(['csv', 'xlsx'])}`, content: randomBytes(r), type }
  // Encoded without damage: the same rows must come out whatever the encoding.
  const e = encode(r, text)
  return { ...base, kind: `well-formed-${type}-${e.kind}`, name: `wf${i}.csv`, content: e.content }
}

function physicalLines(content: Buffer): number {
  // An upper bound for any line number in the file, whatever its encoding or line ends.
  let n = 1
  for (const byte of content) if (byte === 0x0a || byte === 0x0d) n++
  return n
}

function checkSummary(s: ImportSummary, g: Generated, where: string, inserts = Infinity): void {
  expect(s.rows, where).toBe(
    s.inserted + s.updated + s.unchanged + s.duplicates + s.conflicts + s.skipped + s.rejected,
  )
  expect(s.errors.length, where).toBe(Math.min(s.rejected, 1000))
  let last = 1
  for (const e of s.errors) {
    // A rejected row is named by its line (after the header's, in file order) and a reason.
    expect(Number.isInteger(e.line) && e.line > last, `${where}: line ${e.line} after ${last}`).toBe(true)
    if (!g.name.endsWith('.xlsx')) expect(e.line, where).toBeLessThanOrEqual(physicalLines(g.content))
    expect(typeof e.reason === 'string' && e.reason.trim().length > 0, `${where}: reason`).toBe(true)
    expect(e.column === null || typeof e.column === 'string', where).toBe(true)
    last = e.line
  }
  if (g.expect) {
    expect(
      s.errors.map((e) => e.line),
      `${where}: the known bad rows, and only they, are rejected`,
    ).toEqual(g.expect.badLines)
    expect(s.inserted, where).toBe(inserts)
    expect([s.headerLine, s.skipped], `${where}: the header found, the 合计 line skipped`).toEqual([
      g.expect.headerLine,
      g.expect.skipped,
    ])
  }
}

/** Whether the import must refuse what the dry run read: an amount column whose unit is in question. */
function asks(dry: ImportSummary | null): boolean {
  return dry?.amountColumns.some((c) => c.question) ?? false
}

function checkQuestion(err: unknown, where: string, service: boolean): void {
  const id = service ? (err as AppError).id : (err as UnreadableFileError).said?.id
  expect(id, `${where}: ${String((err as Error)?.message ?? err)}`).toBe('import.amountUnit.cli')
}

function checkRefusal(err: unknown, where: string, service: boolean): void {
  // Only our typed errors, each a sentence a person can act on: never a TypeError or RangeError.
  if (service) {
    expect(err instanceof AppError, `${where}: ${String((err as Error)?.stack ?? err)}`).toBe(true)
    expect((err as AppError).code, where).toBe('unreadable_file')
  } else {
    expect(err instanceof UnreadableFileError, `${where}: ${String((err as Error)?.stack ?? err)}`).toBe(true)
  }
  expect((err as Error).message.trim().length, where).toBeGreaterThan(10)
}

function exists(w: World, merchant: string, orderNo: string): boolean {
  return storedAmount(w, merchant, orderNo) !== undefined
}

function storedAmount(w: World, merchant: string, orderNo: string): number | undefined {
  const row = w.ctx.db
    .prepare(
      'SELECT p.amount FROM pay_orders p JOIN merchants m ON m.id = p.merchant_id WHERE m.name = ? AND p.order_no = ?',
    )
    .get(merchant, orderNo) as { amount: number } | undefined
  return row?.amount
}

/**
 * The rows an input must have rejected: its known bad ones, and good ones naming an order an earlier
 * input (a mutated copy can keep a number and change its amount) stored at another amount.
 */
function expected(w: World, g: Generated): Generated {
  if (!g.expect) return g
  const clash = g.expect.good
    .filter((t) => {
      const stored = storedAmount(w, t.merchant, t.orderNo)
      return stored !== undefined && stored !== t.fen
    })
    .map((t) => t.line)
  const badLines = [...g.expect.badLines, ...clash].sort((a, b) => a - b)
  return { ...g, expect: { ...g.expect, badLines } }
}

/** Where a failing input is kept after the run's folder is gone: named in the failure message. */
function keep(g: Generated): string {
  return path.join(os.tmpdir(), 'paysync-fuzz-inputs', g.name)
}

function keepInput(g: Generated): void {
  fs.mkdirSync(path.dirname(keep(g)), { recursive: true })
  fs.writeFileSync(keep(g), g.content)
}

export async function runImportFuzz(o: ImportFuzzOptions): Promise<ImportFuzzReport> {
  const r = rng(o.seed)
  serial = 0
  const dir = path.join(o.world.dir, `import-fuzz-${o.seed}`)
  fs.mkdirSync(dir, { recursive: true })
  const report: ImportFuzzReport = { cases: 0, imported: 0, refused: 0, rejectedRows: 0, byKind: {} }
  // Pay orders imported for real so far: refund lists name them.
  const payNos: string[] = []
  const total = o.cases + o.xlsxCases
  for (let i = 0; i < total; i++) {
    let g: Generated
    if (i < o.cases) g = await generate(r, i, o, payNos)
    else {
      const base = await xlsxBase(r, r.pick(o.merchants))
      g = {
        kind: r.chance(o.damagedXlsx ?? 0.7) ? 'xlsx-damaged' : 'xlsx',
        name: `x${i}.xlsx`,
        content: base,
        type: 'pay',
      }
      if (g.kind === 'xlsx-damaged') g.content = mutateBytes(r, base)
    }
    const file = path.join(dir, g.name)
    fs.writeFileSync(file, g.content)
    const where = `seed ${o.seed} case ${i} (${g.kind}, kept as ${keep(g)})`
    report.cases += 1
    report.byKind[g.kind] = (report.byKind[g.kind] ?? 0) + 1
    try {
      // The dry run first (what the preview shows), then, for most inputs, the real import: both must
      // agree on every row, and a refusal must be the same refusal.
      let dry: ImportSummary | null = null
      let dryError: unknown = null
      let want = g
      try {
        // A good row goes in unless an earlier input (a mutated one can spell any number) holds it.
        const inserts = g.expect?.good.filter((t) => !exists(o.world, t.merchant, t.orderNo)).length
        want = expected(o.world, g)
        dry = await guarded(
          where,
          () => importFile(o.world.ctx.db, file, { type: g.type, dryRun: true, amountUnit: g.amountUnit }),
          o.guardMs,
        )
        checkSummary(dry, want, `${where} dry run`, inserts)
      } catch (err) {
        if ((err as Error).message?.startsWith('no answer within')) throw err
        dryError = err
        checkRefusal(err, `${where} dry run`, false)
      }
      const viaService = r.chance(0.3)
      const real = r.chance(0.7)
      if (!real) continue
      try {
        const s = viaService
          ? await guarded(
              where,
              () =>
                dispatch(o.world.ctx, 'imports.run', {
                  file: o.world.ctx.handles.namedToRead(file).file,
                  type: g.type,
                  amountUnit: g.amountUnit,
                }),
              o.guardMs,
            )
          : await guarded(
              where,
              () => importFile(o.world.ctx.db, file, { type: g.type, amountUnit: g.amountUnit }),
              o.guardMs,
            )
        expect(dryError, `${where}: the dry run refused what the import took`).toBeNull()
        expect(asks(dry), `${where}: the import took a file whose amount unit is in question`).toBe(false)
        checkSummary(s, want, `${where} import`, dry!.inserted)
        expect(
          s.errors.map((e) => [e.line, e.reason]),
          `${where}: the preview rejects exactly the rows the import rejects`,
        ).toEqual(dry!.errors.map((e) => [e.line, e.reason]))
        expect(s.inserted, `${where}: inserted as previewed`).toBe(dry!.inserted)
        report.imported += 1
        report.rejectedRows += s.rejected
        if (g.type === 'pay' && g.kind.startsWith('well-formed')) {
          const text = g.content.toString('utf8')
          for (const m of text.matchAll(/FZ\d+n\d+/g)) if (payNos.length < 200) payNos.push(m[0])
        }
      } catch (err) {
        if ((err as Error).message?.startsWith('no answer within')) throw err
        checkRefusal(err, `${where} import`, viaService)
        // The preview reads a whole-number column of no stated unit as yuan; the import asks first.
        if (asks(dry)) checkQuestion(err, `${where} import`, viaService)
        else expect(dryError, `${where}: the import refused what the dry run took`).not.toBeNull()
        report.refused += 1
      }
      // The preview the mapping editor shows, on a share of the inputs.
      if (r.chance(0.1)) {
        try {
          const p = await guarded(where, () =>
            dispatch(o.world.ctx, 'imports.preview', {
              file: o.world.ctx.handles.namedToRead(file).file,
              type: g.type,
              rows: 5,
              amountUnit: g.amountUnit,
            }),
          )
          expect(p.rows.length, where).toBeLessThanOrEqual(5)
          for (const row of p.rows)
            expect(row.error === null || row.error.trim().length > 0, where).toBe(true)
        } catch (err) {
          if ((err as Error).message?.startsWith('no answer within')) throw err
          checkRefusal(err, `${where} preview`, true)
        }
      }
    } catch (err) {
      keepInput(g)
      throw err
    }
  }
  return report
}
